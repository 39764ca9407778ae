"""Keyset pagination for the article lists (home, tag, kind, author and archive pages).

A list page is the articles just older (`?before=`) or just newer (`?after=`) than a cursor:
the publish time and id of the article at the edge of the page the reader came from. The
database answers it from the index on (status, published_at) by seeking to the cursor and
reading one page, so the 10,000th page of a 100,000-article list costs what the first costs.
Page numbers (`?page=N`) would need an OFFSET that reads and throws away every row before the
page, and "page N of M" a COUNT(*) of the whole list on every request; neither grows well, so
the lists have "Newer" and "Older" links instead, without page numbers.

Addresses of the old scheme still answer: `?page=1` sends the reader to the list's own
address, `?page=N` to the cursor of the page that held those articles when it is asked (one
read of the index up to that row, paid by old links only), `?page=last` to the oldest page;
a page past the end, or a value that is not a page, is a 404, as is a malformed cursor.

Each page reads one row more than it shows, to know whether there is a page beyond it. A page
reached by "Newer" that turns out to be the top of the list sends the reader to the list's own
address, so the first page has one address (its canonical one).
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

BEFORE = "before"
AFTER = "after"
PAGE = "page"

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)
CURSOR_PATTERN = re.compile(r"(-?\d{1,17})_(\d{1,18})")
PAGE_NUMBER = re.compile(r"[1-9]\d{0,8}")  # an old page number: 1 to 999,999,999


@dataclass(frozen=True)
class Cursor:
    """An article's place in publication order: its publish time, then its id."""

    published_at: datetime.datetime
    pk: int

    @classmethod
    def of(cls, article):
        return cls(article.published_at, article.pk)

    @classmethod
    def parse(cls, value):
        """The cursor written in an address (`1764892800000000_123`: microseconds since 1970
        UTC, then the id), or 404 for anything else."""
        match = CURSOR_PATTERN.fullmatch(value or "")
        if not match:
            raise Http404("Not a page of this list.")
        try:
            published_at = EPOCH + int(match[1]) * MICROSECOND
        except OverflowError:
            raise Http404("Not a page of this list.") from None
        return cls(published_at, int(match[2]))

    def __str__(self):
        return f"{(self.published_at - EPOCH) // MICROSECOND}_{self.pk}"


NEWEST_FIRST = ("-published_at", "-id")
OLDEST_FIRST = ("published_at", "id")


def older_than(articles, cursor):
    """`articles` published before `cursor`, newest first. The bound on `published_at` alone
    lets the database start its index scan at the cursor; the OR settles ties on the id."""
    return (
        articles.filter(published_at__lte=cursor.published_at)
        .filter(Q(published_at__lt=cursor.published_at) | Q(pk__lt=cursor.pk))
        .order_by(*NEWEST_FIRST)
    )


def newer_than(articles, cursor):
    """`articles` published after `cursor`, oldest (nearest) first."""
    return (
        articles.filter(published_at__gte=cursor.published_at)
        .filter(Q(published_at__gt=cursor.published_at) | Q(pk__gt=cursor.pk))
        .order_by(*OLDEST_FIRST)
    )


class KeysetPage:
    """One page of a list: its articles, newest first, and the addresses of its neighbours.

    `moved_to`, when set, is where the asked-for address now lives (an old `?page=N` link, or
    the top of the list reached by "Newer"); the view redirects there and shows nothing.
    """

    def __init__(self, path, params, object_list=(), *, has_newer=False, has_older=False,
                 is_first=False, moved_to=None):  # fmt: skip
        self.path, self.params = path, params
        self.object_list = list(object_list)
        self.has_newer, self.has_older, self.is_first = has_newer, has_older, is_first
        self.moved_to = moved_to

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_other_pages(self):
        return self.has_newer or self.has_older

    @property
    def newer_url(self):
        return self.address(**{AFTER: Cursor.of(self.object_list[0])})

    @property
    def older_url(self):
        return self.address(**{BEFORE: Cursor.of(self.object_list[-1])})

    def address(self, **cursor):
        """This list's address with `cursor` (none: the first page), keeping the other
        parameters of the query string."""
        return address(self.path, self.params, **cursor)


def address(path, params, **cursor):
    query = params.copy()
    for name in (PAGE, BEFORE, AFTER):
        query.pop(name, None)
    for name, value in cursor.items():
        query[name] = str(value)
    return f"{path}?{query.urlencode()}" if query else path


def paginate(articles, path, params, per_page):
    """The page of `articles` (a queryset of published articles) that `params`, a request's
    query string, asks for."""
    if PAGE in params:
        return _old_page_number(articles, path, params, per_page)
    before, after = params.get(BEFORE), params.get(AFTER)
    if before is not None and after is not None:
        raise Http404("Not a page of this list.")
    if after is not None:
        rows = list(newer_than(articles, Cursor.parse(after))[: per_page + 1])
        if len(rows) <= per_page:
            return KeysetPage(path, params, moved_to=address(path, params))
        return KeysetPage(path, params, reversed(rows[:per_page]), has_newer=True, has_older=True)
    if before is not None:
        rows = list(older_than(articles, Cursor.parse(before))[: per_page + 1])
        if not rows:
            raise Http404("No articles are older than this.")
        return KeysetPage(
            path, params, rows[:per_page], has_newer=True, has_older=len(rows) > per_page
        )
    rows = list(articles.order_by(*NEWEST_FIRST)[: per_page + 1])
    return KeysetPage(path, params, rows[:per_page], has_older=len(rows) > per_page, is_first=True)


def _old_page_number(articles, path, params, per_page):
    """Where an address of the numbered pages this list had before (`?page=N`) now lives."""
    value = params.get(PAGE, "")
    places = articles.values_list("published_at", "pk")
    if value == "last":
        # The oldest page: the articles older than the (per_page + 1)th oldest.
        edge = list(places.order_by(*OLDEST_FIRST)[per_page : per_page + 1])
    elif value == "1":
        edge = []
    elif PAGE_NUMBER.fullmatch(value):
        # The last article of page N - 1, and the first of page N to prove the page exists.
        last_of_previous = (int(value) - 1) * per_page - 1
        edge = list(places.order_by(*NEWEST_FIRST)[last_of_previous : last_of_previous + 2])
        if len(edge) < 2:
            raise Http404("This list has fewer pages.")
    else:
        raise Http404("Not a page of this list.")
    if not edge:
        return KeysetPage(path, params, moved_to=address(path, params))
    return KeysetPage(path, params, moved_to=address(path, params, **{BEFORE: Cursor(*edge[0])}))


def canonical_query(params):
    """The part of a list page's query string its canonical address keeps: a well-formed
    cursor, written as this module writes it; "" for the first page (or anything else)."""
    for name in (BEFORE, AFTER):
        if name in params:
            try:
                return f"?{name}={Cursor.parse(params[name])}"
            except Http404:
                return ""
    return ""
