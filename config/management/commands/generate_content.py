"""Fill the database with a big, invented publication, to measure Byline at scale.

    manage.py generate_content --articles 100000 --comments 1000000 --authors 500 --tags 2000

Everything is written with `bulk_create` in batches, with the values `save()` would compute set
here instead (sanitised body, word count, address digest, thread depth, avatar value), and
primary keys chosen by the command so that replies can name their parents without reading
anything back. On PostgreSQL the id sequences are moved past the new rows and the tables
analysed at the end.

What it makes, from one `--seed` (the same seed gives the same publication):

- kinds (the demo's four and four more), authors with bios, roles and degrees;
- tags used with a long tail (Zipf-like): a few on thousands of articles, most on a handful;
- articles with ~9 KB bodies in the form the admin stores, 1 to 3 authors, 0 to 7 tags; about
  90% published over the last ten years, the rest drafts, in review or scheduled;
- comments on published articles, also long-tailed (a few articles with thousands), threaded
  (a reply is on its parent's article, one level deeper), in every status; commenters'
  addresses are stored the Byline way, encrypted with their keyed digest beside them
  (comments/commenters/privacy.py), and are never printed.

`--bench-article` adds the benchmark's seed article (`bench-analysis`: a 9 KB body, 5 tags, one
author with two degrees, 50 approved comments of which 13 replies) and `--big-thread N` an
article `bench-long-thread` with N approved comments, so the benchmark finds them by slug.

It refuses to add to a database that already has articles unless `--append` is given.
"""

import contextlib
import datetime
import random
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Byline, Kind, Tag, TaggedArticle
from authors.models import Author, Education
from comments.commenters import avatars
from comments.commenters.privacy import digest
from comments.models import Comment

from . import _generated_text as text
from ._demo_people import KINDS

MORE_KINDS = (
    ("explainer", "Explainer", "The background to a story, step by step."),
    ("interview", "Interview", "A conversation with someone who shapes the story."),
    ("review", "Review", "A book, report or film, weighed up."),
    ("brief", "Brief", "The essentials in a few paragraphs."),
)

BATCH = 2000
ARCHIVE_YEARS = 10

ARTICLE_STATES = (  # (status, scheduled?, share)
    (Article.Status.PUBLISHED, False, 0.90),
    (Article.Status.PUBLISHED, True, 0.02),
    (Article.Status.DRAFT, False, 0.06),
    (Article.Status.IN_REVIEW, False, 0.02),
)

COMMENT_STATUSES = (
    (Comment.Status.APPROVED, "approve_all", "", 0.84),
    (Comment.Status.PENDING, "first_comment", "held: first comment from this address", 0.08),
    (Comment.Status.SPAM, "disallowed_word", "spam: matched disallowed word 'casino'", 0.05),
    (Comment.Status.REMOVED, "approve_all", "", 0.02),
    (Comment.Status.WITHDRAWN, "approve_all", "", 0.01),
)

#: How long the tails are: the article (or tag, author) of rank r gets a share ~ 1 / r**s.
COMMENT_TAIL = 0.6  # 1M comments on 90k articles: the first ~4,000, the hundredth ~270
TAG_TAIL = 1.0
AUTHOR_TAIL = 0.8
REPLY_SHARE = 0.35
MAX_DEPTH = 9  # replies stop one level short of the deepest setting (10 levels)

BENCH_SLUG = "bench-analysis"
BIG_THREAD_SLUG = "bench-long-thread"
BENCH_REPLIES = 13
BENCH_COMMENTS = 50


class Progress:
    """A progress bar on a terminal; on anything else, a plain line every tenth of the way."""

    WIDTH = 30

    def __init__(self, out, label, total):
        self.out, self.label, self.total = out, label, max(total, 1)
        self.done = 0
        self.started = time.monotonic()
        self.tty = out.isatty()
        self.next_line = 0.1

    def advance(self, count):
        self.done += count
        share = min(self.done / self.total, 1)
        elapsed = time.monotonic() - self.started
        if self.tty:
            bar = "#" * int(share * self.WIDTH)
            self.out.write(
                f"\r{self.label:<10} [{bar:<{self.WIDTH}}] {self.done:>9,}/{self.total:,} "
                f"{elapsed:6.1f}s",
                ending="",
            )
            self.out.flush()
        elif share >= self.next_line or self.done >= self.total:
            self.out.write(f"{self.label}: {self.done:,}/{self.total:,} ({elapsed:.1f}s)")
            while self.next_line <= share:
                self.next_line += 0.1

    def finish(self):
        if self.tty:
            self.out.write("")
        return time.monotonic() - self.started


@contextlib.contextmanager
def keeping_given_times(model):
    """`bulk_create` stamps `auto_now`/`auto_now_add` fields with the current time; generated
    rows keep the times given to them instead (an article created when it was written)."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def long_tail(total, ranks, exponent):
    """`total` split over `ranks` places, the one at rank r getting about 1 / r**exponent."""
    if ranks <= 0:
        return []
    weights = [1 / (rank + 1) ** exponent for rank in range(ranks)]
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    for rank in range(total - sum(counts)):
        counts[rank % ranks] += 1
    return counts


def weighted_pick(rng, choices):
    """One of `choices`, tuples whose last item is the share of times it is picked."""
    return rng.choices(choices, weights=[choice[-1] for choice in choices])[0]


def cumulative(weights):
    running, out = 0.0, []
    for weight in weights:
        running += weight
        out.append(running)
    return out


class IdSequence:
    """Primary keys for new rows of `model`, after the largest stored one."""

    def __init__(self, model):
        self.next = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1

    def take(self):
        value = self.next
        self.next += 1
        return value


class Generator:
    def __init__(self, command, seed):
        self.command = command
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.timings = {}
        self.ids = {
            model: IdSequence(model)
            for model in (Author, Education, Tag, Article, Byline, TaggedArticle, Comment)
        }
        self.paragraphs = text.paragraph_pool(self.rng, 600)

    def progress(self, label, total):
        return Progress(self.command.stdout, label, total)

    def timed(self, label, progress):
        self.timings[label] = progress.finish()

    # Labels and people ------------------------------------------------------------------

    def kinds(self):
        specs = [(k.slug, k.name, k.description) for k in KINDS] + list(MORE_KINDS)
        return [
            Kind.objects.get_or_create(slug=slug, defaults={"name": name, "description": about})[0]
            for slug, name, about in specs
        ]

    def authors(self, count):
        rng, progress = self.rng, self.progress("authors", count)
        authors, education = [], []
        for _ in range(count):
            pk = self.ids[Author].take()
            name = text.person_name(rng)
            author = Author(
                pk=pk,
                name=name,
                slug=f"{slugify(name)}-{pk}",
                role=rng.choice(text.ROLES),
                affiliation=rng.choice(text.INSTITUTIONS),
                bio=f"{name.split()[0]} writes about {rng.choice(text.TOPIC_WORDS)} and "
                f"{rng.choice(text.TOPIC_WORDS)}. {text.sentence(rng)}",
                expertise="\n".join(rng.sample(text.TOPIC_WORDS, rng.randint(0, 3))),
            )
            authors.append(author)
            education += self.degrees(author, rng.choice((0, 1, 1, 2, 2, 3)))
        Author.objects.bulk_create(authors, batch_size=BATCH)
        Education.objects.bulk_create(education, batch_size=BATCH)
        progress.advance(count)
        self.timed("authors", progress)
        return authors

    def degrees(self, author, count):
        return [
            Education(
                pk=self.ids[Education].take(),
                author=author,
                order=order,
                degree=self.rng.choice(text.DEGREES),
                field=self.rng.choice(text.FIELDS),
                institution=self.rng.choice(text.INSTITUTIONS),
                year=self.rng.randint(1985, 2022),
            )
            for order in range(count)
        ]

    def tags(self, count):
        progress = self.progress("tags", count)
        taken = {name.lower() for name in Tag.objects.values_list("name", flat=True)}
        tags = []
        for name in text.tag_names(self.rng, count, frozenset(taken)):
            pk = self.ids[Tag].take()
            tags.append(Tag(pk=pk, name=name, slug=f"{slugify(name)}-{pk}"))
        Tag.objects.bulk_create(tags, batch_size=BATCH)
        progress.advance(count)
        self.timed("tags", progress)
        return tags

    # Articles ---------------------------------------------------------------------------

    def article_state(self):
        """(status, published_at) for a new article, by the shares in ARTICLE_STATES."""
        status, scheduled, _share = weighted_pick(self.rng, ARTICLE_STATES)
        if scheduled:
            return status, self.now + datetime.timedelta(hours=self.rng.uniform(1, 24 * 60))
        if status == Article.Status.PUBLISHED:
            back = datetime.timedelta(days=self.rng.uniform(0, 365 * ARCHIVE_YEARS))
            return status, self.now - back
        return status, None

    def new_article(self, kinds, **values):
        rng = self.rng
        pk = self.ids[Article].take()
        body, words = text.body(rng, self.paragraphs)
        status, published_at = self.article_state()
        title = text.title(rng)
        fields = {
            "pk": pk,
            "title": title,
            "slug": f"{slugify(title)[:200]}-{pk}",
            "kind": rng.choice(kinds),
            "standfirst": text.standfirst(rng),
            "body": body,
            "word_count": words,
            "status": status,
            "published_at": published_at,
            **values,
        }
        written = fields["published_at"] or self.now - datetime.timedelta(days=rng.uniform(0, 30))
        return Article(created_at=written, updated_at=written, **fields)

    def articles(self, count, kinds, authors, tags):
        rng, progress = self.rng, self.progress("articles", count)
        author_weights = cumulative(1 / (rank + 1) ** AUTHOR_TAIL for rank in range(len(authors)))
        tag_weights = cumulative(1 / (rank + 1) ** TAG_TAIL for rank in range(len(tags)))
        live = []
        for start in range(0, count, BATCH):
            batch = [self.new_article(kinds) for _ in range(min(BATCH, count - start))]
            bylines, tagged = [], []
            for article in batch:
                how_many = rng.choices((1, 2, 3), (80, 15, 5))[0]
                chosen = rng.choices(authors, cum_weights=author_weights, k=how_many)
                bylines += self.bylines(article, chosen)
                if tags:
                    how_many = rng.choices(range(8), (3, 8, 15, 25, 22, 15, 8, 4))[0]
                    chosen = rng.choices(tags, cum_weights=tag_weights, k=how_many)
                    tagged += self.tag_links(article, chosen)
                if article.status == Article.Status.PUBLISHED and article.published_at <= self.now:
                    live.append((article.pk, article.published_at))
            self.insert_articles(batch, bylines, tagged)
            progress.advance(len(batch))
        self.timed("articles", progress)
        return live

    def bylines(self, article, authors):
        unique = list(dict.fromkeys(authors))
        return [
            Byline(pk=self.ids[Byline].take(), article=article, author=author, position=n)
            for n, author in enumerate(unique)
        ]

    def tag_links(self, article, tags):
        return [
            TaggedArticle(pk=self.ids[TaggedArticle].take(), content_object=article, tag=tag)
            for tag in dict.fromkeys(tags)
        ]

    def insert_articles(self, articles, bylines, tagged):
        with keeping_given_times(Article):
            Article.objects.bulk_create(articles, batch_size=BATCH)
        Byline.objects.bulk_create(bylines, batch_size=BATCH)
        TaggedArticle.objects.bulk_create(tagged, batch_size=BATCH)

    # Comments ---------------------------------------------------------------------------

    def commenters(self, count):
        """(name, address, digest, the address's avatar value) for `count` invented readers.
        The addresses are on example domains and never printed."""
        people = []
        for n in range(count):
            name = text.person_name(self.rng)
            domain = self.rng.choice(("example.org", "example.net", "example.com"))
            address = f"{slugify(name).replace('-', '.')}.{n}@{domain}"
            key = digest(address)
            people.append((name, address, key, avatars.address_key(key)))
        return people

    def comment_status(self):
        """(status, rule, reason) for a new comment, by the shares in COMMENT_STATUSES."""
        return weighted_pick(self.rng, COMMENT_STATUSES)[:3]

    def thread(self, article_pk, published_at, count, people, *, approved_only=False,
               replies=None):  # fmt: skip
        """`count` comments on one article in posting order: ids rising with time, each reply
        after its parent, on the same article, one level deeper. `replies` fixes how many are
        replies; otherwise about REPLY_SHARE of them are."""
        rng = self.rng
        span = max((self.now - published_at).total_seconds(), 60)
        times = sorted(rng.uniform(0, span) for _ in range(count))
        reply_at = (
            set(rng.sample(range(1, count), replies)) if replies is not None and count > 1 else None
        )
        comments = []
        for n, offset in enumerate(times):
            name, address, key, address_avatar = rng.choice(people)
            if approved_only:
                status, rule, reason = Comment.Status.APPROVED, "approve_all", ""
            else:
                status, rule, reason = self.comment_status()
            is_reply = n in reply_at if reply_at is not None else rng.random() < REPLY_SHARE
            parent = None
            if is_reply and comments:
                parent = rng.choice(comments[-50:])
                if parent.depth >= MAX_DEPTH:
                    parent = None
            created = published_at + datetime.timedelta(seconds=offset)
            comments.append(
                Comment(
                    pk=self.ids[Comment].take(),
                    article_id=article_pk,
                    parent=parent,
                    depth=parent.depth + 1 if parent else 0,
                    # Its top-level comment, as Comment.save stores it (comments/pages.py).
                    thread_root_id=(parent.thread_root_id or parent.pk) if parent else None,
                    name=name,
                    email=address,
                    email_digest=key,
                    body=text.comment_text(rng),
                    status=status,
                    moderation_rule=rule,
                    held_reason=reason,
                    created_at=created,
                    moderated_at=created if status != Comment.Status.PENDING else None,
                    **with_avatar(
                        address_avatar if rng.random() < 0.3 else f"{rng.getrandbits(256):064x}"
                    ),
                )
            )
        return comments

    def comments(self, total, live):
        if not live or not total:
            return
        progress = self.progress("comments", total)
        people = self.commenters(max(20, total // 20))
        ranked = list(live)
        self.rng.shuffle(ranked)
        pending = []
        for (article_pk, published_at), count in zip(
            ranked, long_tail(total, len(ranked), COMMENT_TAIL), strict=True
        ):
            if count:
                pending += self.thread(article_pk, published_at, count, people)
            if len(pending) >= BATCH:
                self.insert_comments(pending)
                progress.advance(len(pending))
                pending = []
        self.insert_comments(pending)
        progress.advance(len(pending))
        self.timed("comments", progress)

    def insert_comments(self, comments):
        # Parents come before their replies in the list, and in each batch.
        Comment.objects.bulk_create(comments, batch_size=BATCH)

    # The benchmark's articles ------------------------------------------------------------

    def bench_article(self, kinds, tags):
        """`bench-analysis`: 9 KB body, 5 tags, one author with two degrees, 50 approved
        comments of which 13 replies, published an hour ago."""
        author_pk = self.ids[Author].take()
        author = Author(
            pk=author_pk,
            name="Farah Haddad",
            slug=f"farah-haddad-{author_pk}",
            role="Senior Fellow",
            affiliation="Institute for Policy Studies",
            bio="Farah Haddad writes about trade, ports and the politics of shipping.",
            expertise="trade\nshipping\nsanctions",
        )
        author.save()
        Education.objects.bulk_create(self.degrees(author, 2))
        bench_tags = list(tags[:5]) or self.tags(5)
        self.one_article(
            BENCH_SLUG, "Ports after the strike: an analysis", kinds, [author], bench_tags,
            comments=BENCH_COMMENTS, replies=BENCH_REPLIES, hours_ago=1,
        )  # fmt: skip

    def big_thread(self, count, kinds, authors, tags):
        """`bench-long-thread`: `count` approved comments, threaded, published two hours ago."""
        self.one_article(
            BIG_THREAD_SLUG, "The long thread: readers argue over tariffs", kinds,
            authors[:1], tags[:3], comments=count, replies=None, hours_ago=2,
        )  # fmt: skip

    def one_article(self, slug, title, kinds, authors, tags, *, comments, replies, hours_ago):
        published_at = self.now - datetime.timedelta(hours=hours_ago)
        article = self.new_article(kinds[:1], slug=slug, title=title)
        article.status, article.published_at = Article.Status.PUBLISHED, published_at
        article.created_at = article.updated_at = published_at
        self.insert_articles(
            [article], self.bylines(article, authors), self.tag_links(article, tags)
        )
        people = self.commenters(max(10, comments // 4))
        self.insert_comments(
            self.thread(
                article.pk, published_at, comments, people, approved_only=True, replies=replies
            )
        )

    # Finishing --------------------------------------------------------------------------

    def finish(self):
        """Move PostgreSQL's id sequences past the rows given explicit ids, and analyse."""
        touched = [Author, Education, Tag, Article, Byline, TaggedArticle, Comment, Kind]
        statements = connection.ops.sequence_reset_sql(no_style(), touched)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            if connection.vendor == "postgresql":
                for model in touched:
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def with_avatar(avatar_key):
    """A comment's avatar value with the drawing stored beside it, as Comment.save does (bulk
    inserts skip save)."""
    return {"avatar_key": avatar_key, **avatars.drawing(avatar_key)}


class Command(BaseCommand):
    help = (
        "Fill the database with a generated publication: authors, tags, articles with ~9 KB "
        "bodies and threaded comments, long-tailed, for measuring Byline at scale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--comments", type=int, default=10000)
        parser.add_argument("--authors", type=int, default=50)
        parser.add_argument("--tags", type=int, default=200)
        parser.add_argument("--seed", type=int, default=13, help="Same seed, same publication.")
        parser.add_argument(
            "--append",
            action="store_true",
            help="Add to a database that already has articles (refused otherwise).",
        )
        parser.add_argument(
            "--bench-article",
            action="store_true",
            help=f"Add the benchmark's seed article ({BENCH_SLUG}).",
        )
        parser.add_argument(
            "--big-thread",
            type=int,
            default=0,
            metavar="N",
            help=f"Add an article ({BIG_THREAD_SLUG}) with N approved comments.",
        )

    def handle(self, *args, **options):
        for name in ("articles", "comments", "authors", "tags", "big_thread"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        if Article.objects.exists() and not options["append"]:
            raise CommandError(
                "The database already has articles; add --append to add generated ones to them."
            )
        taken = set(
            Article.objects.filter(slug__in=[BENCH_SLUG, BIG_THREAD_SLUG]).values_list(
                "slug", flat=True
            )
        )
        if options["bench_article"] and BENCH_SLUG in taken:
            raise CommandError(f"An article {BENCH_SLUG} exists already.")
        if options["big_thread"] and BIG_THREAD_SLUG in taken:
            raise CommandError(f"An article {BIG_THREAD_SLUG} exists already.")
        if options["articles"] and not options["authors"]:
            raise CommandError("Articles need at least one author (--authors).")

        started = time.monotonic()
        generator = Generator(self, options["seed"])
        with transaction.atomic():
            kinds = generator.kinds()
            authors = generator.authors(options["authors"])
            tags = generator.tags(options["tags"])
            live = generator.articles(options["articles"], kinds, authors, tags)
            generator.comments(options["comments"], live)
            if options["bench_article"]:
                generator.bench_article(kinds, tags)
            if options["big_thread"]:
                authors = authors or generator.authors(1)
                generator.big_thread(options["big_thread"], kinds, authors, tags)
            generator.finish()
        elapsed = time.monotonic() - started
        timings = ", ".join(f"{label} {secs:.1f}s" for label, secs in generator.timings.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {options['articles']:,} articles, {options['comments']:,} comments, "
                f"{options['authors']:,} authors and {options['tags']:,} tags in {elapsed:.1f}s"
                + (f" ({timings})" if timings else "")
                + "."
            )
        )
        sys.stdout.flush()
