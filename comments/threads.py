"""Threaded replies: how comments nest, how deep replies go, and which replies carry a badge.

The article page shows approved comments as a tree built here, in Python, from one query of
the article's approved comments, so the page costs the same number of queries whatever the
number of comments and replies. The tree comes out flat, as WordPress's walker draws it: the
comments in reading order, each with its level and the nested lists that open or end after
it, built and drawn without recursion, so that no depth of replies can crash the page. A
comment is shown only when it and every comment above it are approved: removing or marking a
comment as spam takes its replies off the page with it (they keep their own status, and come
back if the parent is approved again).

Depth follows WordPress's "Enable threaded comments N levels deep" (the discussion settings'
`thread_depth`, 3 by default, from 1 to 10 as in WordPress): a top-level comment is level 1
and can take replies while its level is below the limit; at 1 level there are no replies. A
comment at the deepest level has no "Reply" link, and a reply posted to it anyway (an old
page, a forged form, the limit lowered meanwhile) is refused with a message saying so, the
reader's text kept, rather than attached somewhere the reader did not choose. Comments already
stored deeper than a lowered limit (or than the cap, from before it) stay where they are and
are shown.

The approved-comment count is computed, never stored: the page counts the comments it shows
(`Thread.count`) and the articles admin annotates a Count (over the index on article and
status). There is no counter to drift when decisions, cascading deletions, withdrawals and erasures
race; `moderation.moderate` locks the rows it decides on so that concurrent decisions on the
same comment apply, and announce, once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import zip_longest

from django.utils import timezone
from django.utils.dates import MONTHS

from .models import Comment

#: Badges shown beside a staff reply's name.
AUTHOR_BADGE = "Author"
STAFF_BADGE = "Staff"

#: The comments section is headed by an <h2>; each level of replies goes one heading down.
FIRST_COMMENT_HEADING = 3
LAST_HEADING = 6


def takes_replies(comment, thread_depth):
    """Whether `comment` (depth 0 at the top) may take a reply under `thread_depth` levels."""
    return comment.depth + 1 < thread_depth


def too_deep_message(comment, thread_depth):
    return (
        f"Replies go at most {thread_depth} levels deep, so {comment.name}’s comment cannot "
        "take another reply."
    )


def badge_for(comment, author_user_ids=frozenset()):
    """ "Author" for a reply by a staff account linked to one of the article's authors,
    "Staff" for any other staff reply, "" for a reader's comment.

    Readers do not sign in, so only a comment written by a signed-in member of staff (from the
    site or from the moderation queue: `staff_user` set) can carry a badge; typing an author's
    name is not enough.
    """
    if comment.staff_user_id is None:
        return ""
    return AUTHOR_BADGE if comment.staff_user_id in author_user_ids else STAFF_BADGE


def article_author_user_ids(article):
    """The staff accounts linked to the authors on the article's byline.

    Uses the bylines (with their authors) the article page has already fetched.
    """
    return frozenset(
        byline.author.user_id for byline in article.bylines.all() if byline.author.user_id
    )


@dataclass
class Node:
    """One shown comment, at its place in the page's reading order.

    `has_replies` says a nested list of its replies follows it; otherwise its list item ends,
    and so do `closed_levels` of the reply lists around it (the template closes one `</ol></li>`
    per entry), as WordPress's walker ends levels.
    """

    comment: Comment
    level: int
    can_reply: bool
    badge: str
    has_replies: bool = False
    closed_levels: range = range(0)
    heading_level: int = field(init=False)
    #: What the template prints, as text: Django localises every number it prints, which cost
    #: more than the rest of a comment's markup. The comment's id, the heading's tag ("h4").
    pk: str = field(init=False)
    heading: str = field(init=False)
    #: When it was posted, in the newsroom's time zone: for `<time datetime>` and for reading.
    posted_iso: str = field(init=False)
    posted: str = field(init=False)

    def __post_init__(self):
        self.heading_level = min(FIRST_COMMENT_HEADING + self.level - 1, LAST_HEADING)
        self.pk = str(self.comment.pk)
        self.heading = f"h{self.heading_level}"
        self.posted_iso, self.posted = posted_at(self.comment.created_at)


def posted_at(moment):
    """`(machine-readable, readable)` times of `moment`: "2026-12-04T17:05+00:00" and
    "4 December 2026 at 17:05", as the `date` filter would write them, without its cost (the
    thread prints two per comment)."""
    local = timezone.localtime(moment)
    readable = f"{local.day} {MONTHS[local.month]} {local.year} at {local:%H:%M}"
    return local.isoformat(timespec="minutes"), readable


@dataclass
class Thread:
    """The comments an article page shows, in reading order, with an index by id."""

    nodes: list[Node]
    by_id: dict[int, Node]

    @property
    def count(self):
        return len(self.by_id)


def shown_in_reading_order(comments):
    """The comments readers see, in reading order, each with its level (1 at the top).

    `comments` is one flat iterable of an article's approved comments (one query). A comment
    is shown only if every comment above it is approved, that is among them: a comment whose
    parent is not is left out, and so are its replies. The one place that says so: the page
    (`build`) and the comment feeds (comments/feeds.py) both walk this.

    Each comment is followed by its replies, in posting order. The walk keeps its own stack
    instead of recursing, like the template that draws the result in one loop, so no depth of
    replies (stored before the depth was capped, or with a limit lowered since) can exhaust
    Python's stack.
    """
    children = defaultdict(list)
    for comment in comments:
        children[comment.parent_id].append(comment)
    waiting = [(comment, 1) for comment in reversed(children[None])]
    while waiting:
        comment, level = waiting.pop()
        yield comment, level
        waiting.extend((reply, level + 1) for reply in reversed(children.get(comment.pk, ())))


def build(comments, *, thread_depth, author_user_ids=frozenset()):
    """The shown comments (`shown_in_reading_order`) as the page's nodes, each followed by its
    replies and saying which nested lists open or end after it.

    `comments` is one flat iterable of an article's approved comments (one query).
    """
    nodes = []
    by_id = {}
    for comment, level in shown_in_reading_order(comments):
        node = Node(
            comment=comment,
            level=level,
            can_reply=takes_replies(comment, thread_depth),
            badge=badge_for(comment, author_user_ids),
        )
        nodes.append(node)
        by_id[comment.pk] = node
    for node, following in zip_longest(nodes, nodes[1:]):
        next_level = following.level if following else 1
        node.has_replies = next_level > node.level
        node.closed_levels = range(next_level, node.level)
    return Thread(nodes=nodes, by_id=by_id)


#: What the page reads of each comment: never the address, its digest or the avatar's key.
SHOWN_FIELDS = (
    "parent",
    "depth",
    "name",
    "website",
    "body",
    "created_at",
    "staff_user",
    "avatar_colour",
    "avatar_path",
)


def for_article(article, *, thread_depth):
    """The article's shown comments, from one query (plus the bylines, usually prefetched)."""
    comments = Comment.objects.approved().filter(article=article).only(*SHOWN_FIELDS)
    return build(
        comments, thread_depth=thread_depth, author_user_ids=article_author_user_ids(article)
    )
