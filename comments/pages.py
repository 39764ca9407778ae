"""Long threads in pages, as WordPress breaks them: N top-level comments per page, each with all
its replies (DiscussionSettings.comments_per_page; 0 keeps every comment on one page).

Pages are numbered from the oldest top-level comment, so that a comment's page (and with it its
permalink) does not move as newer comments arrive. The article's own address shows the default
page (`default_comments_page`: the newest, the last page, or the oldest, the first); every page
also has an address of its own, `/articles/<slug>/comments/<n>/`, whose canonical link names
itself, or the article when it is the default page. Within a page comments read oldest first.

Cost: one query whatever the length of the thread (`page_of_article`). It reads the page: its
top-level comments (a LIMIT/OFFSET slice of the article's approved top-level ones, over the
`comment_top_level` index; for the newest page, the newest N, of which it keeps the last
page's), then every comment of their threads by their stored `thread_root` (the
`comment_thread` index), with on each row two counts computed once for the query: the approved
top-level comments (how many pages) and the comments the heading counts.
Which replies are shown is then decided as for the whole thread (threads.shown_in_reading_order:
a reply only under approved comments).

The heading's count is of approved comments whose parent and top-level comment are approved:
exactly the comments shown for threads up to three levels deep (the default depth); a reply
further down under a comment that was removed is still counted, though not shown.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from . import threads
from .models import Comment, CommentsPage, DiscussionSettings

APPROVED = Comment.Status.APPROVED


def page_path(article, number):
    """The address of page `number` of the article's comments, without its fragment."""
    return reverse("comment_pages:page", kwargs={"slug": article.slug, "number": number})


@dataclass(frozen=True)
class Numbering:
    """How an article's comments fall into pages, from the settings and the number of its
    approved top-level comments."""

    per_page: int
    top_level_count: int
    newest_by_default: bool

    @classmethod
    def of(cls, rules, top_level_count):
        return cls(
            per_page=rules.comments_per_page,
            top_level_count=top_level_count,
            newest_by_default=rules.default_comments_page == CommentsPage.NEWEST,
        )

    @property
    def page_count(self):
        if not self.per_page:
            return 1
        return max(1, -(-self.top_level_count // self.per_page))

    @property
    def last_page_size(self):
        """How many top-level comments the last page holds."""
        if not self.per_page or not self.top_level_count:
            return self.top_level_count
        return (self.top_level_count - 1) % self.per_page + 1

    @property
    def default_number(self):
        return self.page_count if self.newest_by_default else 1

    def number_of(self, position):
        """The page of the top-level comment at `position` (0 for the oldest)."""
        return position // self.per_page + 1 if self.per_page else 1

    def path(self, article, number):
        """The address readers are sent to for page `number`: the article's own for the
        default page."""
        if number == self.default_number:
            return article.get_absolute_url()
        return page_path(article, number)


@dataclass
class ThreadPage:
    """One page of an article's comments, as the comment section draws it."""

    article: object
    numbering: Numbering
    number: int
    thread: threads.Thread
    #: The comments of every page the heading counts (see the module's docstring).
    comment_count: int

    @property
    def is_default(self):
        return self.number == self.numbering.default_number

    @property
    def path(self):
        return self.numbering.path(self.article, self.number)

    @property
    def older_path(self):
        if self.number > 1:
            return self.numbering.path(self.article, self.number - 1) + "#comments"
        return None

    @property
    def newer_path(self):
        if self.number < self.numbering.page_count:
            return self.numbering.path(self.article, self.number + 1) + "#comments"
        return None

    @property
    def page_count(self):
        return self.numbering.page_count


def _counted(article):
    """Scalar subqueries of `(approved top-level comments, comments the heading counts)`: they
    do not depend on the row, so the database computes each once for the query."""
    approved = Comment.objects.approved().filter(article=article).order_by()
    counted = Q(parent=None) | Q(parent__status=APPROVED, thread_root__status=APPROVED)

    def count(comments):
        return Subquery(comments.values("article").annotate(n=Count("pk")).values("n")[:1])

    return count(approved.filter(parent=None)), count(approved.filter(counted))


def thread_of_comment():
    """The id of the top-level comment a comment belongs to (its own for a top-level one): the
    expression the `comment_thread` index holds."""
    return Coalesce("thread_root", "id")


def top_level_in_order(article_id):
    """The article's approved top-level comments, oldest first: the order pages are cut in."""
    return (
        Comment.objects.approved()
        .filter(article_id=article_id, parent=None)
        .order_by("created_at", "pk")
    )


def _newest_roots(article_id, per_page):
    """The newest `per_page` top-level comments: the last page's, and some of the page before
    it unless the last page is full. Which page each is on depends on their count, which the
    query itself computes (`_counted`): `_on_last_page` keeps the last page's. So the page costs
    one query, with a LIMIT, and reads at most a page more than it shows."""
    return top_level_in_order(article_id).reverse().values("pk")[:per_page]


def _on_last_page(comments, numbering):
    """Of `comments` (the newest top-level comments' threads, in order), those of the last
    page: the last `numbering.last_page_size` top-level comments with their replies."""
    roots = [comment.pk for comment in comments if comment.parent_id is None]
    kept = set(roots[len(roots) - numbering.last_page_size :])
    return [comment for comment in comments if comment.thread in kept]


def page_of_article(article, rules, number=None):
    """Page `number` of the article's comments (the default page when None), or None when
    there is no such page.

    One query, whatever the number of comments: the page's top-level comments (a LIMIT/OFFSET
    slice of them all; for the newest page, `_newest_roots`), every comment of their threads
    by `thread_of_comment`, and on every row the two counts (`_counted`). A page past the end
    finds no rows, and neither does the first page of an article without comments.
    """
    per_page = rules.comments_per_page
    newest_by_default = rules.default_comments_page == CommentsPage.NEWEST
    newest_page = per_page and number is None and newest_by_default
    comments = Comment.objects.approved().filter(article=article)
    if per_page:
        if newest_page:
            roots = _newest_roots(article.pk, per_page)
        else:
            start = ((number or 1) - 1) * per_page
            roots = top_level_in_order(article.pk).values("pk")[start : start + per_page]
        comments = comments.annotate(thread=thread_of_comment()).filter(thread__in=roots)
    top_level_count, comment_count = _counted(article)
    comments = list(
        comments.only(*threads.SHOWN_FIELDS).annotate(
            top_level_count=top_level_count, comment_count=comment_count
        )
    )
    first = comments[0] if comments else None
    numbering = Numbering(
        per_page=per_page,
        top_level_count=first.top_level_count if first else 0,
        newest_by_default=newest_by_default,
    )
    if number is not None and number > numbering.page_count:
        return None
    if newest_page:
        comments = _on_last_page(comments, numbering)
    thread = threads.build(
        comments,
        thread_depth=rules.thread_depth,
        author_user_ids=threads.article_author_user_ids(article),
    )
    return ThreadPage(
        article=article,
        numbering=numbering,
        number=numbering.default_number if number is None else number,
        thread=thread,
        comment_count=first.comment_count if first else 0,
    )


def page_number_of(comment, rules):
    """`(the page showing comment, its Numbering)`, or `(None, None)` when its top-level comment
    is not shown: one aggregate query (plus the comment's parent's root when not stored)."""
    if comment.parent_id is None:
        root_id = comment.pk
    else:
        root_id = comment.thread_root_id or comment.parent.thread_root_id or comment.parent_id
    root_created = Comment.objects.filter(pk=root_id).values("created_at")[:1]
    counts = top_level_in_order(comment.article_id).aggregate(
        total=Count("pk"),
        found=Count("pk", filter=Q(pk=root_id)),
        before=Count(
            "pk",
            filter=Q(created_at__lt=Subquery(root_created))
            | Q(created_at=Subquery(root_created), pk__lt=root_id),
        ),
    )
    if not counts["found"]:
        return None, None
    numbering = Numbering.of(rules, counts["total"])
    return numbering.number_of(counts["before"]), numbering


def comment_url(comment, rules=None):
    """The comment's permalink: `#comment-<id>` on the page that shows it, the article's own
    address when that is the default page (or when the comment is not shown)."""
    article = comment.article
    anchor = f"#comment-{comment.pk}"
    rules = rules or DiscussionSettings.current()
    if not rules.comments_per_page:
        return article.get_absolute_url() + anchor
    number, numbering = page_number_of(comment, rules)
    if number is None:
        return article.get_absolute_url() + anchor
    return numbering.path(article, number) + anchor


def url_after_posting(comment, rules):
    """Where a reader who just posted `comment` (approved) is sent: its permalink. A new
    top-level comment is the newest, on the last page: with the newest page by default, that is
    the article's own address, known without a query."""
    newest_by_default = rules.default_comments_page == CommentsPage.NEWEST
    if comment.parent_id is None and (newest_by_default or not rules.comments_per_page):
        return f"{comment.article.get_absolute_url()}#comment-{comment.pk}"
    return comment_url(comment, rules)


def permalinks_in_reading_order(article, shown, rules):
    """`{comment id: permalink}` for `shown`: (comment, level) pairs of the whole thread in
    reading order (threads.shown_in_reading_order), without another query."""
    top_level_count = sum(1 for _comment, level in shown if level == 1)
    numbering = Numbering.of(rules, top_level_count)
    links = {}
    position = -1
    for comment, level in shown:
        if level == 1:
            position += 1
        number = numbering.number_of(position)
        links[comment.pk] = f"{numbering.path(article, number)}#comment-{comment.pk}"
    return links
