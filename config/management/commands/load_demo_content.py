"""Fill the database with a small, realistic publication to explore Byline with.

`python manage.py load_demo_content` (run by `make run`) creates the four kinds, five authors
with generated portrait placeholders, eight articles – six published, one scheduled, one
draft – with generated featured images, reader comments in every moderation state, and, in
development only, three staff logins: an Editor, a Contributor and a Moderator.

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
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Byline, Kind
from authors.models import Author
from comments import moderation
from comments.models import Comment

from ._demo_articles import ARTICLES, BRICS_OP_ED, LONG_ANALYSIS
from ._demo_images import abstract_illustration, portrait_placeholder

SITE_URL = "http://127.0.0.1:8000/"
ADMIN_URL = f"{SITE_URL}admin/"
STAFF_REPLY_NAME = "Byline editors"


# DATA
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoKind:
    slug: str
    name: str
    description: str


KINDS = (
    DemoKind("analysis", "Analysis", "In-depth examination of a policy question or event."),
    DemoKind("op-ed", "Op-Ed", "An argued opinion from a named contributor."),
    DemoKind("news", "News", "Reporting on what happened and why it matters."),
    DemoKind("commentary", "Commentary", "Shorter expert reaction to recent developments."),
)


@dataclass(frozen=True)
class DemoAuthor:
    slug: str
    name: str
    role: str
    affiliation: str
    bio: str
    portrait: tuple[str, str]  # gradient colours, top to bottom
    website: str = ""
    x_url: str = ""
    linkedin_url: str = ""

    @property
    def initials(self):
        words = self.name.replace("-", " ").split()
        return (words[0][0] + words[-1][0]).upper()


AUTHORS = (
    DemoAuthor(
        slug="aishwarya-sanjukta-roy-proma",
        name="Aishwarya Sanjukta Roy Proma",
        role="Research Associate",
        affiliation="BRAC Institute of Governance and Development (BIGD)",
        bio=(
            "Aishwarya Sanjukta Roy Proma is a research analyst working in security studies "
            "and a Research Associate at the BRAC Institute of Governance and Development "
            "(BIGD). She holds Master’s and Bachelor’s degrees in International Relations from "
            "the University of Dhaka, Bangladesh."
        ),
        portrait=("#2f4a7a", "#7a4f8a"),
    ),
    DemoAuthor(
        slug="tomas-lindqvist",
        name="Tomás Lindqvist",
        role="Senior Fellow",
        affiliation="Nordhavn Institute for International Affairs",
        bio=(
            "Tomás Lindqvist leads the Nordhavn Institute’s work on Russian foreign and defence "
            "policy and on security in North-East Asia. Before joining the institute he spent "
            "eight years as a political analyst in Helsinki and Seoul."
        ),
        portrait=("#23525c", "#3f7d6b"),
        website="https://example.org/people/tomas-lindqvist",
    ),
    DemoAuthor(
        slug="farhana-quayum",
        name="Farhana Quayum",
        role="Senior Economist",
        affiliation="Meridian Trade Policy Forum",
        bio=(
            "Farhana Quayum studies sanctions, payment systems and trade finance in Asia. She "
            "advises development agencies on export diversification and writes regularly on "
            "South Asia’s place between its larger neighbours."
        ),
        portrait=("#8a3b3b", "#c7793e"),
        linkedin_url="https://www.linkedin.com/in/example-farhana-quayum",
    ),
    DemoAuthor(
        slug="kenji-arakawa-moss",
        name="Kenji Arakawa-Moss",
        role="Eurasia Correspondent",
        affiliation="Byline news desk",
        bio=(
            "Kenji Arakawa-Moss covers diplomacy, energy and transport across Eurasia for "
            "Byline’s news desk, reporting from Almaty, Baku and Istanbul."
        ),
        portrait=("#3a3f58", "#5d6f9a"),
        x_url="https://x.com/example_kenji",
    ),
    DemoAuthor(
        slug="leila-haddad-brennan",
        name="Leila Haddad-Brennan",
        role="Lecturer in International Political Economy",
        affiliation="Kingsbridge University",
        bio=(
            "Leila Haddad-Brennan teaches international political economy at Kingsbridge "
            "University. Her research follows how new multilateral groupings are built, funded "
            "and governed, from development banks to summit clubs."
        ),
        portrait=("#5b2a4e", "#b0546a"),
        website="https://example.org/leila-haddad-brennan",
    ),
)


@dataclass(frozen=True)
class DemoStaff:
    username: str
    password: str
    group: str
    first_name: str
    last_name: str
    may: str  # what the role may do, for the summary
    author_slug: str = ""  # the author profile this account signs in as, if any


STAFF = (
    DemoStaff(
        username="editor",
        password="editor-demo-2026",
        group="Editor",
        first_name="Demo",
        last_name="Editor",
        may="write, schedule and publish articles; manage kinds, bylines, authors and tags. "
        "No access to comments.",
    ),
    DemoStaff(
        username="contributor",
        password="contributor-demo-2026",
        group="Contributor",
        first_name="Kenji",
        last_name="Arakawa-Moss",
        may="write drafts and send them to the editors for review; edit their own author "
        "profile. Cannot publish or touch other people's work.",
        author_slug="kenji-arakawa-moss",
    ),
    DemoStaff(
        username="moderator",
        password="moderator-demo-2026",
        group="Moderator",
        first_name="Demo",
        last_name="Moderator",
        may="review reader comments: approve, mark as spam or remove. No access to articles; "
        "commenters’ email addresses stay hidden.",
    ),
)


@dataclass(frozen=True)
class DemoComment:
    article: str  # Article slug
    name: str
    email: str
    body: str
    website: str = ""
    pending: bool = False  # left in the moderation queue rather than approved
    reply_to: str = ""  # name of an earlier commenter on the same article
    by_staff: bool = False  # written as the publication by the demo editor
    hours_after_publication: float = 2


COMMENTS = (
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Tanvir Hossain",
        email="tanvir.hossain@example.org",
        body="A careful piece. The point about Chinese banks is the one most coverage misses: "
        "the yuan settlement figures look impressive until you ask which banks are actually "
        "processing the payments.",
        hours_after_publication=3,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name=STAFF_REPLY_NAME,
        email="editors@example.org",
        body="Thank you, Tanvir. Farhana Quayum and Tomás Lindqvist look at exactly that "
        "question in “Sanctions, Payments and the Yuan” – the settlement data are more "
        "complicated than the headlines suggest.",
        reply_to="Tanvir Hossain",
        by_staff=True,
        hours_after_publication=5,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Marta Kowalczyk",
        email="marta.k@example.org",
        website="https://example.org/marta",
        body="I would push back a little on the North Korea section. Beijing may dislike the "
        "Russia–North Korea treaty, but it has hardly used the leverage it still has. Silence "
        "can also be a choice.",
        hours_after_publication=8,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Ji-woo Park",
        email="jiwoo.park@example.org",
        body="Fair point, Marta, though from Seoul the leverage looks smaller than it does from "
        "outside. Pyongyang has learned that it can wait Beijing out.",
        reply_to="Marta Kowalczyk",
        hours_after_publication=11,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Rahul Menon",
        email="rahul.menon@example.org",
        website="https://example.org/rmenon",
        body="“A partnership of conviction on the big questions and of calculation on nearly "
        "everything else” – a useful way to put it. I’d add that India is the main reason "
        "BRICS won’t become the anti-Western bloc Moscow wants.",
        hours_after_publication=20,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Elena Sorokina",
        email="e.sorokina@example.org",
        body="The gap on gas prices has been the same for years. I’ll believe in Power of "
        "Siberia 2 when the construction contracts are signed, not before.",
        hours_after_publication=26,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Daniel Acheampong",
        email="daniel.a@example.org",
        body="I’d be interested in a follow-up on how Central Asian governments read all this. "
        "The paragraph on transport corridors deserves an article of its own.",
        pending=True,
        hours_after_publication=40,
    ),
    DemoComment(
        article=LONG_ANALYSIS.slug,
        name="Sophie Laurent",
        email="sophie.laurent@example.org",
        website="https://example.org/sophie",
        body="Good read, but the conclusion feels a little too settled. If Europe’s relations "
        "with China sour further, doesn’t the whole calculation change?",
        pending=True,
        hours_after_publication=52,
    ),
    DemoComment(
        article=BRICS_OP_ED.slug,
        name="Oluwaseun Adeyemi",
        email="seun.adeyemi@example.org",
        body="Agreed on the secretariat. Ten-plus members without permanent staff is a summit, "
        "not an institution.",
        hours_after_publication=4,
    ),
    DemoComment(
        article=BRICS_OP_ED.slug,
        name="Camila Duarte",
        email="camila.duarte@example.org",
        website="https://example.org/camila",
        body="The New Development Bank is the part that works. Perhaps a secretariat should grow "
        "out of it rather than start from nothing?",
        hours_after_publication=9,
    ),
)


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
            },
        )
        tally.note("authors", created)
        if not has_file(author.photo):
            photo = portrait_placeholder(spec.initials, spec.portrait)
            author.photo.save(f"{spec.slug}.jpg", ContentFile(photo), save=True)
            tally.note("images", True)
        authors[spec.slug] = author
    return authors


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
    """The demo Editor and Moderator accounts, with their passwords reset to the demo ones."""
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
        "an Editor and a Moderator login. Safe to run repeatedly."
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
