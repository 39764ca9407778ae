"""Complete admin change forms as the admin posts them, the errors it answers with, and test
cases signed in to the admin as an editor or a moderator."""

from django.test import TestCase
from django.urls import reverse

from tests.factories import AuthorFactory, StaffFactory


class SignedInStaffTestCase(TestCase):
    """A staff member in the group `role`, signed in to the admin throughout, kept under the
    role's name (`self.editor`, `self.moderator`). Subclasses that build more records call
    `super().setUpTestData()` first."""

    role = None

    @classmethod
    def setUpTestData(cls):
        setattr(cls, cls.role.lower(), StaffFactory(role=cls.role))

    def setUp(self):
        self.client.force_login(getattr(self, self.role.lower()))


class SignedInEditorTestCase(SignedInStaffTestCase):
    role = "Editor"


class SignedInModeratorTestCase(SignedInStaffTestCase):
    role = "Moderator"


class AdminFormTestCase(TestCase):
    """An editor (`self.editor`) and an author for bylines (`self.author`), and the admin's
    add-article form to post as that editor."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.author = AuthorFactory()

    def add_article(self, *, title, slug, **fields):
        """Post the admin's add-article form, signed in as the editor; the response."""
        self.client.force_login(self.editor)
        data = article_form_data(title=title, slug=slug, author=self.author, **fields)
        return self.client.post(reverse("admin:articles_article_add"), data)


class EditorAdminTestCase(AdminFormTestCase):
    """Signed in to the admin as the editor throughout."""

    def setUp(self):
        self.client.force_login(self.editor)


def article_change_url(article):
    """The admin's change page for `article`."""
    return reverse("admin:articles_article_change", args=[article.pk])


def author_change_url(author):
    """The admin's change page for `author`."""
    return reverse("admin:authors_author_change", args=[author.pk])


def article_form_data(*, title, slug, author, byline_pk=None, **overrides):
    """A complete admin Article form, with the byline inline's management form."""
    data = {
        "title": title,
        "slug": slug,
        "kind": "",
        "standfirst": "",
        "body": "<p>Body text.</p>",
        "tags": "",
        "featured_image_alt": "",
        "featured_image_caption": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "comments_open": "on",
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "1" if byline_pk else "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "bylines-0-author": str(author.pk),
        "bylines-0-position": "0",
        "bylines-0-id": str(byline_pk) if byline_pk else "",
        "bylines-0-article": "",
    }
    data.update(overrides)
    return data


def article_edit_data(article, *, author=None, **overrides):
    """The admin change form of a stored `article` with its one byline (by default its own
    title and first author), changed by `overrides`."""
    overrides.setdefault("title", article.title)
    return article_form_data(
        slug=article.slug,
        author=author or article.ordered_authors[0],
        byline_pk=article.bylines.get().pk,
        **overrides,
    )


def response_errors(response):
    context = getattr(response, "context", None)
    if not context or "adminform" not in context:
        return response.status_code
    return context["adminform"].form.errors, [f.errors for f in context["inline_admin_formsets"]]


def featured_image_errors(response):
    return response.context["adminform"].form.errors.get("featured_image", [])


def author_form_data(**overrides):
    """A complete admin Author form."""
    data = {
        "name": "New Writer",
        "slug": "new-writer",
        "role": "",
        "affiliation": "",
        "bio": "",
        "website": "",
        "x_url": "",
        "linkedin_url": "",
        "mastodon_url": "",
        "affiliation_url": "",
        "expertise": "",
        "user": "",
        **inline_management("education", total=0),
    }
    data.update(overrides)
    return data


def author_profile_data(author, **overrides):
    """The admin Author form of a stored `author` as it stands, without the account link
    (which only editors see), changed by `overrides`."""
    data = author_form_data(
        name=author.name,
        slug=author.slug,
        role=author.role,
        affiliation=author.affiliation,
        bio=author.bio,
        expertise=author.expertise,
    )
    data.pop("user")
    data.update(overrides)
    return data


def inline_management(prefix, total, initial=0):
    """An inline formset's management form, as the admin page posts it."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def merge_tags_data(tags, target_name=None):
    """The tags changelist's "merge" action for `tags`: asking which to keep, or, with
    `target_name`, merging into it."""
    data = {"action": "merge_selected_tags", "_selected_action": [tag.pk for tag in tags]}
    if target_name is not None:
        data |= {"merge": "yes", "target_name": target_name}
    return data
