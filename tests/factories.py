import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article, Byline, Kind
from authors.models import Author, Education
from comments.commenters import avatars
from comments.commenters.privacy import digest
from comments.models import Comment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@staff.example")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author Number {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    role = "Research Associate"
    affiliation = "Institute for Policy Studies"
    bio = "Writes about regional security and trade."


class EducationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Education

    author = factory.SubFactory(AuthorFactory)
    degree = "MA"
    field = "International Relations"
    institution = "University of Dhaka"
    order = factory.Sequence(lambda n: n)


class KindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kind
        django_get_or_create = ["slug"]

    name = "Analysis"
    slug = factory.LazyAttribute(lambda kind: kind.name.lower())


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article one day old, with one author."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    kind = factory.SubFactory(KindFactory)
    standfirst = "What the latest talks mean for the region."
    body = "<p>First paragraph.</p><p>Second paragraph.</p>"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        for position, author in enumerate(extracted or [AuthorFactory()]):
            Byline.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class DraftArticleFactory(ArticleFactory):
    status = Article.Status.DRAFT
    published_at = None


class ScheduledArticleFactory(ArticleFactory):
    published_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved reader comment."""

    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.Sequence(lambda n: f"reader{n}@mail.example")
    body = "A thoughtful reply to the piece."
    status = Comment.Status.APPROVED

    class Params:
        # Posted from a browser that proves the address (its proof cookie): approved as a
        # trusted commenter's, and drawn with the address's avatar (comments/commenters/avatars.py).
        proven = factory.Trait(
            moderation_rule="trusted",
            avatar_key=factory.LazyAttribute(
                lambda comment: avatars.address_key(digest(comment.email))
            ),
        )


class HeldCommentFactory(CommentFactory):
    status = Comment.Status.PENDING
    held_reason = "held: every comment is reviewed before it appears"
