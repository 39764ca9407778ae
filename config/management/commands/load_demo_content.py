"""Fill the database with a small, realistic publication to explore Byline with.

`python manage.py load_demo_content` (run by `make run`) creates the four kinds, five authors
with generated portrait placeholders (the first with her degrees and expertise as data), eight
articles – six published, one scheduled, one draft – with generated featured images, reader
comments in every moderation state, and, in development only, three staff logins: an Editor, a
Contributor and a Moderator.

Running it again changes nothing and duplicates nothing: records are looked up by slug,
username or (article, name, body) and updated in place, images are drawn only when missing,
and the demo passwords are reset so they always match what the summary prints. Everything
happens in one transaction, so a failed run leaves the database as it was.

The staff accounts have public passwords, so the command refuses to create them unless
`DEBUG` is on (or `--allow-staff-accounts-without-debug` is given); `--no-staff` skips them.
"""

import datetime
import textwrap
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Byline, Kind
from authors.models import Author, Education
from comments import moderation
from comments.models import Comment

from ._demo_articles import ARTICLES, LONG_ANALYSIS
from ._demo_images import abstract_illustration, portrait_placeholder
from ._demo_people import AUTHORS, COMMENTS, KINDS, STAFF

SITE_URL = "http://127.0.0.1:8000/"
ADMIN_URL = f"{SITE_URL}admin/"


def has_file(field):
    """True when the image field names a file that is really in storage."""
    return bool(field) and field.storage.exists(field.name)


# LOADING
# ------------------------------------------------------------------------------


class Tally(Counter):
    """How many records of each kind the run created."""

    def note(self, label, created):
        self[label] += int(created)


def load_kinds(tally):
    kinds = {}
    for spec in KINDS:
        kind, created = Kind.objects.update_or_create(
            slug=spec.slug, defaults={"name": spec.name, "description": spec.description}
        )
        tally.note("kinds", created)
        kinds[spec.slug] = kind
    return kinds


def load_authors(tally):
    authors = {}
    for spec in AUTHORS:
        author, created = Author.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "role": spec.role,
                "affiliation": spec.affiliation,
                "bio": spec.bio,
                "website": spec.website,
                "x_url": spec.x_url,
                "linkedin_url": spec.linkedin_url,
                "affiliation_url": spec.affiliation_url,
                "expertise": "\n".join(spec.expertise),
            },
        )
        tally.note("authors", created)
        load_education(author, spec.education)
        if not has_file(author.photo):
            photo = portrait_placeholder(spec.initials, spec.portrait)
            author.photo.save(f"{spec.slug}.jpg", ContentFile(photo), save=True)
            tally.note("images", True)
        authors[spec.slug] = author
    return authors


def load_education(author, entries):
    """The author's degrees as listed, replaced only when they differ: a second run keeps them."""
    wanted = [(e.degree, e.field, e.institution, e.year) for e in entries]
    current = list(author.education.values_list("degree", "field", "institution", "year"))
    if current == wanted:
        return
    author.education.all().delete()
    Education.objects.bulk_create(
        Education(author=author, order=n, degree=degree, field=field, institution=place, year=year)
        for n, (degree, field, place, year) in enumerate(wanted)
    )


def load_article(spec, kinds, authors, now, tally):
    values = {
        "title": spec.title,
        "kind": kinds[spec.kind],
        "standfirst": spec.standfirst,
        "body": spec.body,
        "status": spec.status,
        "featured_image_alt": spec.image.alt if spec.image else "",
        "featured_image_caption": spec.image.caption if spec.image else "",
    }
    publish_at = now + spec.publish_offset if spec.publish_offset is not None else None
    article, created = Article.objects.update_or_create(
        slug=spec.slug,
        defaults=values,
        # The publish time is set once, so published dates stay put from run to run.
        create_defaults={**values, "published_at": publish_at},
    )
    tally.note("articles", created)
    if spec.is_scheduled and article.published_at <= now:
        # Its time came since the last run; push it forward so the demo keeps one scheduled.
        article.published_at = publish_at
        article.save(update_fields=["published_at"])

    for position, author_slug in enumerate(spec.authors):
        Byline.objects.update_or_create(
            article=article, author=authors[author_slug], defaults={"position": position}
        )
    article.bylines.exclude(author__slug__in=spec.authors).delete()
    article.tags.set(list(spec.tags))

    if spec.image and not has_file(article.featured_image):
        picture = abstract_illustration(spec.slug, spec.image.palette)
        article.featured_image.save(f"{spec.slug}.jpg", ContentFile(picture), save=True)
        tally.note("images", True)
    return article


def load_staff(tally):
    """The demo staff accounts, one per role, with their passwords reset to the demo ones."""
    User = get_user_model()
    users = {}
    for spec in STAFF:
        try:
            group = Group.objects.get(name=spec.group)
        except Group.DoesNotExist:
            raise CommandError(
                f"The {spec.group} group is missing. Run `manage.py migrate` first."
            ) from None
        user, created = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@example.org",
                "is_staff": True,
                "is_superuser": False,
                "is_active": True,
            },
        )
        user.set_password(spec.password)
        user.save(update_fields=["password"])
        user.groups.set([group])
        tally.note("staff accounts", created)
        users[spec.group] = user
    return users


def link_staff_to_authors(staff, authors):
    """Sign staff in as their author profile and make them the creator of its articles."""
    for spec in STAFF:
        user = staff.get(spec.group)
        if user is None or not spec.author_slug:
            continue
        author = authors[spec.author_slug]
        if author.user_id != user.pk:
            author.user = user
            author.save(update_fields=["user"])
        Article.objects.filter(bylines__author=author).update(created_by=user)


def load_comments(articles, staff, tally):
    """Reader comments, approved or waiting, and the publication's reply.

    Without the demo staff accounts (`--no-staff`) the staff reply is skipped: a comment
    signed by the editors but not written by staff would look like an impersonation.
    """
    editor, moderator = staff.get("Editor"), staff.get("Moderator")
    posted = {}
    for spec in COMMENTS:
        if spec.by_staff and editor is None:
            continue
        article = articles[spec.article]
        staff_user = editor if spec.by_staff else None
        created_at = min(
            article.published_at + datetime.timedelta(hours=spec.hours_after_publication),
            timezone.now(),
        )
        # A new comment gets its status from the moderation rules, as on the site; the
        # reader comments that are not meant to stay pending were then approved by the
        # moderator.
        status, reason = moderation.initial_status(Comment(staff_user=staff_user))
        moderated = {}
        if status == Comment.Status.PENDING and not spec.pending:
            status = Comment.Status.APPROVED
            moderated = {
                "moderated_by": moderator,
                "moderated_at": min(created_at + datetime.timedelta(hours=1), timezone.now()),
            }
        comment, created = Comment.objects.get_or_create(
            article=article,
            name=spec.name,
            body=spec.body,
            defaults={
                "email": spec.email,
                "website": spec.website,
                "parent": posted.get((spec.article, spec.reply_to)),
                "status": status,
                "held_reason": reason,
                "created_at": created_at,
                "staff_user": staff_user,
                **moderated,
            },
        )
        tally.note("comments", created)
        posted[(spec.article, spec.name)] = comment
    return posted


# THE COMMAND
# ------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Load the demo publication: kinds, authors, articles, comments and (in development) "
        "an Editor, a Contributor and a Moderator login. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-staff",
            action="store_true",
            help="Do not create the demo staff accounts (nor the staff reply that needs one).",
        )
        parser.add_argument(
            "--allow-staff-accounts-without-debug",
            action="store_true",
            help="Create the demo staff accounts even though DEBUG is off. Their passwords are "
            "public: never use this on a site others can reach.",
        )

    def handle(self, *args, no_staff, allow_staff_accounts_without_debug, **options):
        with_staff = not no_staff
        if with_staff and not settings.DEBUG and not allow_staff_accounts_without_debug:
            raise CommandError(
                "The demo staff accounts have published passwords, so they are for development "
                "only and DEBUG is off. Set DEBUG=1, pass --no-staff to load the content "
                "without them, or pass --allow-staff-accounts-without-debug if you are sure."
            )

        tally = Tally()
        now = timezone.now()
        with transaction.atomic():
            staff = load_staff(tally) if with_staff else {}
            kinds = load_kinds(tally)
            authors = load_authors(tally)
            articles = {
                spec.slug: load_article(spec, kinds, authors, now, tally) for spec in ARTICLES
            }
            comments = load_comments(articles, staff, tally)
            link_staff_to_authors(staff, authors)
        self.stdout.write(self.summary(tally, kinds, authors, articles, comments, staff))

    def summary(self, tally, kinds, authors, articles, comments, staff):
        statuses = Counter(self.article_state(article) for article in articles.values())
        by_status = Counter(comment.status for comment in comments.values())
        long_read = articles[LONG_ANALYSIS.slug]
        lines = [
            self.style.SUCCESS("Demo content is ready."),
            "",
            f"  Kinds      {len(kinds)} ({tally['kinds']} new)",
            f"  Authors    {len(authors)} ({tally['authors']} new)",
            f"  Articles   {len(articles)} ({tally['articles']} new): "
            f"{statuses['published']} published, {statuses['scheduled']} scheduled, "
            f"{statuses['draft']} draft",
            f"  Comments   {len(comments)} ({tally['comments']} new): "
            f"{by_status[Comment.Status.APPROVED]} approved, "
            f"{by_status[Comment.Status.PENDING]} waiting for a moderator",
            f"  Images     {tally['images']} generated this run",
            "",
            f"  Site       {SITE_URL}",
            f"  Start at   {SITE_URL.rstrip('/')}{long_read.get_absolute_url()}",
            f"  Admin      {ADMIN_URL}",
            "",
        ]
        if staff:
            lines.append("Demo staff logins (development only; passwords reset on every run):")
            for spec in STAFF:
                lines.append(
                    f"  {spec.group:<10} username {spec.username:<10} password {spec.password}"
                )
                lines.append(
                    textwrap.fill(
                        f"may {spec.may}", 88, initial_indent=" " * 13, subsequent_indent=" " * 17
                    )
                )
        else:
            lines.append("No staff accounts were created (--no-staff).")
        return "\n".join(lines) + "\n"

    @staticmethod
    def article_state(article):
        if article.is_published():
            return "published"
        return "scheduled" if article.is_scheduled() else "draft"
