import math

import reversion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models, router, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from authors.models import Author
from caching.dependencies import model_key, object_key
from images.fields import ResponsiveImageField, renditions_field
from images.renditions import Picture

from . import pagination
from .permissions import PUBLISH_CODENAME, can_publish
from .sanitize import plain_text, sanitize_html

WORDS_PER_MINUTE = 220

#: How many of each tag's newest articles `ArticleQuerySet.related_to` weighs.
RELATED_CANDIDATES_PER_TAG = 300


def count_words(html):
    """Words of text in `html` as a reader sees it (`sanitize.plain_text`)."""
    return len(plain_text(html).split())


def reading_minutes(words):
    """Minutes to read `words` words at about `WORDS_PER_MINUTE`, at least one."""
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


class Kind(models.Model):
    """An editor-managed label such as Analysis or Op-Ed, shown after the title."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=70, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:kind", kwargs={"slug": self.slug})

    @property
    def page_description(self):
        """What the kind's page (its meta description) and its feeds say it is: the editors'
        description, or "Analysis from <site>."."""
        return self.description or f"{self.name} from {settings.SITE_NAME}."


class TagQuerySet(models.QuerySet):
    def on_articles(self, articles):
        """Tags carried by at least one of `articles` (an Article queryset)."""
        return self.filter(
            Exists(TaggedArticle.objects.filter(tag=OuterRef("pk"), content_object__in=articles))
        )

    def on_published_articles(self):
        """Tags a reader may see: carried by an article in `Article.objects.published()`.

        A tag used only on drafts, articles in review or scheduled ones is not public yet; it
        becomes public the moment such an article goes live.
        """
        return self.on_articles(Article.objects.published())

    def visible_to(self, user):
        """Tags `user` may know of in the admin: every tag for editors; for anyone else, those
        on a published article or on an article of their own (`Article.objects.known_to`)."""
        if can_publish(user):
            return self
        return self.on_articles(Article.objects.known_to(user))

    def with_article_total(self, user):
        """Each tag's `article_total`: the articles carrying it that `user` may know of, so a
        count never reveals someone else's unpublished article."""
        if can_publish(user):
            return self.annotate(article_total=Count("tagged_articles"))
        known = Article.objects.known_to(user)
        return self.annotate(
            article_total=Count(
                "tagged_articles", filter=Q(tagged_articles__content_object__in=known)
            )
        )


class Tag(TagBase):
    """A topic. Editors may describe it; the description heads the topic's page."""

    description = models.TextField(
        blank=True, help_text="Shown at the top of the topic's page. Plain text."
    )

    objects = TagQuerySet.as_manager()

    class Meta:
        verbose_name = "tag"
        verbose_name_plural = "tags"
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})

    @property
    def page_description(self):
        """What the tag's page (its meta description) and its feeds say it is about: the
        editors' description, or "Articles tagged Trade on <site>."."""
        return self.description or f"Articles tagged {self.name} on {settings.SITE_NAME}."


@reversion.register()
class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )
    # Indexed with the article below: (tag, article) serves everything an index on the tag
    # alone would, and finds a tag's newest articles (`related_to`) without reading the rest.
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="tagged_articles", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique")
        ]
        indexes = [
            models.Index(fields=["tag", "content_object"], name="tagged_article_tag_article"),
        ]


def _newest_articles_of_tags(tag_ids, per_tag):
    """A subquery of the ids of the newest `per_tag` articles (by id) of each tag, read from
    the index on (tag, article)."""
    newest = [
        TaggedArticle.objects.filter(tag=tag_id)
        .order_by("-content_object")
        .values("content_object")[:per_tag]
        for tag_id in tag_ids
    ]
    if connection.features.supports_slicing_ordering_in_compound:  # PostgreSQL
        # One bounded index scan per tag: the planner sees how few ids come back and looks
        # the articles up by id.
        return newest[0].union(*newest[1:], all=True)
    # SQLite cannot slice the parts of a UNION: each tag's oldest id weighed bounds it instead.
    bounds = Q()
    for tag_id, of_tag in zip(tag_ids, newest, strict=True):
        oldest_weighed = of_tag[per_tag - 1 : per_tag]
        bounds |= Q(tag=tag_id, content_object__gte=Coalesce(Subquery(oldest_weighed), 0))
    return TaggedArticle.objects.filter(bounds).values("content_object")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles a reader may see: published, with a publish time that has passed.

        A published article with a future `published_at` is scheduled; it becomes visible the
        moment that time passes, with no job to run.
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def publication_months(self):
        """The months in which live articles were published, newest first, as the first day
        of each month in the current time zone (what `published().dates("published_at",
        "month", order="DESC")` gives).

        On PostgreSQL it hops from month to month down the index on (status, published_at),
        one probe per month, rather than reading every live article: the archive's navigation
        costs the same at 1,000 and at 100,000 articles. Elsewhere it asks `dates()`.
        """
        if connection.vendor != "postgresql":
            return list(self.published().dates("published_at", "month", order="DESC"))
        zone = timezone.get_current_timezone_name()
        table = connection.ops.quote_name(Article._meta.db_table)
        published = Article.Status.PUBLISHED
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH RECURSIVE months(month) AS (
                    SELECT date_trunc('month', max(published_at) AT TIME ZONE %s)
                    FROM {table} WHERE status = %s AND published_at <= %s
                  UNION ALL
                    SELECT (
                        SELECT date_trunc('month', max(older.published_at) AT TIME ZONE %s)
                        FROM {table} older
                        WHERE older.status = %s AND older.published_at < (month AT TIME ZONE %s)
                    )
                    FROM months WHERE month IS NOT NULL
                )
                SELECT month::date FROM months WHERE month IS NOT NULL
                """,
                [zone, published, timezone.now(), zone, published, zone],
            )
            return [month for (month,) in cursor.fetchall()]

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_review(self):
        return self.filter(status=Article.Status.IN_REVIEW)

    def drafts(self):
        return self.filter(status=Article.Status.DRAFT)

    def visible_in_admin_to(self, user):
        """Editors see every article; a contributor sees only their own unpublished ones."""
        if can_publish(user):
            return self
        return self.filter(
            created_by=user, status__in=[Article.Status.DRAFT, Article.Status.IN_REVIEW]
        )

    def known_to(self, user):
        """Articles whose existence `user` may know of: every one for editors; for anyone
        else, the published ones and their own, whatever their state."""
        if can_publish(user):
            return self
        return self.published() | self.filter(created_by=user)

    def with_listing_relations(self):
        """Everything a list or article page shows, in a fixed number of queries.

        The search vector is left in the database: no page shows it.
        """
        return (
            self.select_related("kind")
            .defer("search_vector")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("author")),
                "tags",
            )
        )

    def with_page_relations(self):
        """`with_listing_relations()` and the authors' education, for the author boxes of an
        article page: one more query, however many authors and entries."""
        return self.with_listing_relations().prefetch_related("bylines__author__education")

    def related_to(self, article, limit=3):
        """Other articles sharing tags with `article`, most shared tags first, in one query.

        Call it on `published()`, with the article's tags prefetched (the article page has
        them; otherwise reading them costs a query more). Each result carries `shared_tags`;
        ties go to the newer one.

        Only the newest `RELATED_CANDIDATES_PER_TAG` articles of each tag (by id, the order
        articles were written in) are weighed, so an article carrying a tag that 40,000
        articles carry costs a few hundred rows from the index on (tag, article), not 40,000.
        An article without tags still costs its one (empty) query, so its page runs the same
        queries as any other.
        """
        tag_ids = [tag.pk for tag in article.tags.all()]
        if tag_ids:
            candidates = _newest_articles_of_tags(tag_ids, RELATED_CANDIDATES_PER_TAG)
        else:  # the same query, asked of the database, which finds no tags either
            tag_ids = TaggedArticle.objects.filter(content_object=article.pk).values("tag")
            candidates = TaggedArticle.objects.filter(tag__in=tag_ids).values("content_object")
        return (
            self.filter(pk__in=candidates, tagged_items__tag__in=tag_ids)
            .exclude(pk=article.pk)
            .annotate(shared_tags=Count("tagged_items"))
            .select_related("kind")
            .only("title", "slug", "published_at", "kind")
            .order_by("-shared_tags", "-published_at", "-id")[:limit]
        )

    def page(self, path, params, per_page):
        """The page of these articles (newest first) that the query string `params` of a list
        at `path` asks for, by keyset: `?before=` or `?after=` a cursor
        (articles/pagination.py). Call it on `published()`."""
        return pagination.paginate(self, path, params, per_page)

    def before(self, article):
        """Articles published before `article`, nearest first."""
        return self._beside(article, later=False)

    def after(self, article):
        """Articles published after `article`, nearest first."""
        return self._beside(article, later=True)

    def neighbours(self, article, fields=("title", "slug")):
        """`(previous, next)`: the nearest articles published before and after `article` (None
        where there is none), with only `fields` loaded, from one query (each side is a subquery
        picking one id, so the query costs the same on any database and at any size)."""
        if article.published_at is None:
            return None, None
        nearest = [
            Subquery(side.values("pk")[:1]) for side in (self.before(article), self.after(article))
        ]
        previous = following = None
        for found in self.model.objects.filter(pk__in=nearest).only(*fields, "published_at"):
            if (found.published_at, found.pk) < (article.published_at, article.pk):
                previous = found
            else:
                following = found
        return previous, following

    def _beside(self, article, *, later):
        """Articles on one side of `article` in publication order, nearest first; articles
        published in the same second are ordered by id (articles/pagination.py, which pages
        the lists the same way)."""
        if article.published_at is None:
            return self.none()
        side = pagination.newer_than if later else pagination.older_than
        return side(self, pagination.Cursor.of(article))


class StaleArticleError(Exception):
    """A save from a copy of the article older than the stored one; nothing was written."""

    def __init__(self, article_pk, expected_version, stored_version):
        self.article_pk = article_pk
        self.expected_version = expected_version
        self.stored_version = stored_version
        super().__init__(
            f"Article {article_pk} is at version {stored_version}, not {expected_version}: "
            "someone else saved it since this copy was loaded."
        )


class ArticleStatus(models.TextChoices):
    """An article's stored status; read it as `Article.Status` (defined out here only so the
    model's constraints can name its values)."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class IllegalTransition(Exception):
    """A move between article states the workflow does not allow (unpublishing a draft,
    publishing a live article, scheduling for a time already past…); nothing was changed.

    The message says why, in newsroom words; `article` is the article refused.
    """

    def __init__(self, article, message):
        self.article = article
        super().__init__(message)


# A revision keeps the article with its bylines and tag links, so restoring one brings back
# the authors and tags it had; authors and tags themselves are not versioned with it.
# The search vector and word count are derived from the text, so revisions leave them out.
@reversion.register(follow=["bylines", "tagged_items"], exclude=["search_vector", "word_count"])
class Article(models.Model):
    Status = ArticleStatus

    # What the newsroom edits in the article form; revisions compare the same fields.
    EDITED_FIELDS = [
        "title",
        "slug",
        "kind",
        "standfirst",
        "body",
        "tags",
        "featured_image",
        "featured_image_alt",
        "featured_image_caption",
        "status",
        "published_at",
        "comments_open",
    ]

    title = models.CharField(max_length=250)
    slug = models.SlugField(
        max_length=260,
        unique=True,
        help_text="The last part of the article's address, as in /articles/this-part/.",
    )
    kind = models.ForeignKey(
        Kind,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text='Shown after the title, e.g. "… – Analysis".',
    )
    standfirst = models.TextField(
        max_length=600,
        blank=True,
        help_text="One or two sentences shown under the title, in lists and in link previews.",
    )
    body = models.TextField(
        help_text="HTML. Paragraphs, headings, lists, links, emphasis, quotes and images are "
        "kept; anything else is removed when saved."
    )
    featured_image = ResponsiveImageField(
        upload_to="articles/%Y/%m/",
        blank=True,
        help_text="Shown above the article and in lists.",
    )
    featured_image_renditions = renditions_field(of="the featured image")
    featured_image_alt = models.CharField(
        "featured image alt text",
        max_length=250,
        blank=True,
        help_text="Describes the image for readers who cannot see it. Required with an image.",
    )
    featured_image_caption = models.CharField(max_length=300, blank=True)
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    tags = TaggableManager(
        through=TaggedArticle, blank=True, help_text="Comma-separated topics, e.g. China, BRICS."
    )
    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.DRAFT,
        help_text="Draft: being written. In review: waiting for an editor. Published: live at "
        "the publish time (a future time schedules it).",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the article goes live. Leave empty to publish now; a future time "
        "schedules it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_open = models.BooleanField(
        default=True, help_text="Readers may post new comments on this article."
    )
    comments_close_after_days = models.PositiveIntegerField(
        "Close comments after (days)",
        null=True,
        blank=True,
        help_text="Days after publication; empty follows the discussion settings.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_articles",
        editable=False,
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every save; a form holding an older number is refused.",
    )
    word_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Words of body text, counted when saved."
    )
    # Weighted title (A), standfirst (B) and body text (C) for full-text search. On PostgreSQL a
    # trigger fills it on every insert and update (migration 0005); elsewhere it stays empty and
    # search falls back to plain matching (articles/search.py).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # The live list, newest first: home, archives, feeds, sitemap, keyset pages.
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # A kind's page and feeds: its live articles, newest first, whatever its share.
            models.Index(
                fields=["kind", "status", "-published_at"], name="article_kind_status_published"
            ),
            models.Index(fields=["created_by", "status"], name="article_created_by_status"),
            GinIndex(fields=["search_vector"], name="article_search_vector"),
        ]
        permissions = [
            (PUBLISH_CODENAME, "Can publish, schedule and unpublish any article"),
        ]
        # The database holds what `save()` and the transitions keep: a known status, and a
        # publish time on every published article (`published()` and the feeds need one).
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values),
                name="article_status_known",
                violation_error_message="An article is a draft, in review or published.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="article_published_has_published_at",
                violation_error_message="A published article needs a publish time.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.featured_image and not self.featured_image_alt.strip():
            raise ValidationError(
                {"featured_image_alt": "Describe the featured image for readers who cannot see it."}
            )
        # Before the constraints are validated: "leave empty to publish now" is not a violation.
        self._stamp_publish_time()

    def _stamp_publish_time(self):
        """A published article without a publish time goes live now."""
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def save(self, *args, expected_version=None, **kwargs):
        """Save, raising `version` by one.

        `expected_version` is the version the caller's copy was loaded at (the admin form
        carries it); when the stored article has moved past it, `StaleArticleError` is raised
        and nothing is written. Saves without it (actions, commands) still raise `version`, so
        forms opened before them are refused.
        """
        self.body = sanitize_html(self.body)
        self.word_count = count_words(self.body)
        self._stamp_publish_time()
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            if self.pk is not None and not self._state.adding and not kwargs.get("force_insert"):
                self._claim_next_version(expected_version, using)
            super().save(*args, **kwargs)

    def _claim_next_version(self, expected_version, using):
        """Compare and increment `version` in one UPDATE, so two saves cannot claim one number.

        The row stays locked by that UPDATE until the surrounding transaction ends.
        """
        stored = type(self)._base_manager.using(using).filter(pk=self.pk)
        if expected_version is None:
            if stored.update(version=F("version") + 1):
                self.version = stored.values_list("version", flat=True).get()
            return
        if not stored.filter(version=expected_version).update(version=F("version") + 1):
            raise StaleArticleError(
                self.pk, expected_version, stored.values_list("version", flat=True).first()
            )
        self.version = expected_version + 1

    def ensure_current(self, expected_version):
        """Raise `StaleArticleError` unless the stored article is still at `expected_version`.

        Forms call this while validating, to refuse a stale save with a message rather than at
        `save()`. The row is locked (on databases with row locks) until the caller's
        transaction ends, so no other save can slip in between this check and the save.
        """
        using = router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            stored_version = (
                type(self)
                ._base_manager.using(using)
                .select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
        if stored_version != expected_version:
            raise StaleArticleError(self.pk, expected_version, stored_version)

    @property
    def featured_picture(self):
        """The featured image with its renditions, for includes/picture.html."""
        return Picture(self.featured_image, self.featured_image_renditions)

    @property
    def display_title(self):
        """The title as the page heading shows it: 'Title – Analysis'."""
        return f"{self.title} – {self.kind.name}" if self.kind_id else self.title

    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    # Transitions. Each refuses a move the workflow does not allow with `IllegalTransition`
    # before changing anything, and saves (raising `version`) when it moves. Who may make
    # them is the caller's question (articles/permissions.py).

    def submit_for_review(self):
        """Send a draft to the editors (draft → in review)."""
        if self.status != self.Status.DRAFT:
            raise IllegalTransition(
                self, f"“{self}” is {self.state_label.lower()}: only a draft is sent for review."
            )
        self.status = self.Status.IN_REVIEW
        self.save()

    def publish(self, at=None):
        """Publish now, or schedule for `at`; an existing publish time is kept when `at` is None
        (an article taken back to draft returns with its first publish time).

        Refused for an article already live, and, without `at`, for one already scheduled.
        """
        if self.is_published():
            raise IllegalTransition(self, f"“{self}” is already published.")
        if at is None and self.is_scheduled():
            raise IllegalTransition(self, f"“{self}” is already {self.state_label.lower()}.")
        self.status = self.Status.PUBLISHED
        if at is not None:
            self.published_at = at
        self.save()

    def schedule(self, at):
        """Publish at `at`, a time still to come (a scheduled article may be moved to another).

        Refused for a time already past, and for an article already live: taking it off the
        site until then is unpublishing, which is asked for by name.
        """
        if at is None or at <= timezone.now():
            raise IllegalTransition(self, f"“{self}” can only be scheduled for a future time.")
        if self.is_published():
            raise IllegalTransition(
                self, f"“{self}” is already published; unpublish it before scheduling it."
            )
        self.publish(at=at)

    def unpublish(self):
        """Take the article off the site, or out of review or the schedule (back to draft); its
        publish time is kept. Refused for a draft."""
        if self.status == self.Status.DRAFT:
            raise IllegalTransition(self, f"“{self}” is already a draft.")
        self.status = self.Status.DRAFT
        self.save()

    @property
    def state(self):
        """What the newsroom calls the article now: draft, in review, scheduled or published."""
        if self.is_scheduled():
            return "scheduled"
        return self.status

    @property
    def state_label(self):
        """`state` as people read it: "Draft", "In review", "Scheduled" or "Published"."""
        return "Scheduled" if self.is_scheduled() else self.get_status_display()

    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def ordered_authors(self):
        """Authors in byline order; uses the prefetched bylines when present."""
        return [byline.author for byline in self.bylines.all()]

    @property
    def reading_minutes(self):
        """Minutes to read the body at about 220 words a minute, at least one."""
        return reading_minutes(self.word_count)

    def cache_keys(self, *, with_tags=False):
        """The page-cache keys of what a page showing this article shows of it
        (caching/dependencies.py): the article, its authors and its kind, and with `with_tags`
        its tags. Reads the prefetched bylines and tags, so it costs no query."""
        keys = [object_key(self), *(object_key(author) for author in self.ordered_authors)]
        if self.kind_id:
            keys.append(model_key(Kind, self.kind_id))
        if with_tags:
            keys.extend(object_key(tag) for tag in self.tags.all())
        return keys


@reversion.register()
class Byline(models.Model):
    """An author's credit on an article, in the order the byline lists them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_unique_author"),
        ]

    def __str__(self):
        return f"{self.author} on {self.article}"
