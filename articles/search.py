"""Reader search: what a query may be, how articles are found and ranked, and the snippets.

On PostgreSQL the search is full text: `Article.search_vector` (kept by a trigger, migration
0005) weights the title (A) above the standfirst (B) above the body (C); the query goes through
`websearch_to_tsquery`, which accepts anything a reader may type ("quoted phrases", `-word`,
`or`) and never fails on syntax; the `byline_english` configuration strips accents and stems
words, so "economie" finds "économie" and "regulating" finds "regulation". Results are ranked
and carry a `ts_headline` snippet.

Elsewhere (SQLite in development) every word of the query must appear in the title,
standfirst or body, title matches first, then newest first; the snippet is cut in Python.

Both start from `Article.objects.published()`: a scheduled article is not found before its
time. A query that cannot be searched (empty, too long, no letters or digits) is not run; the
page explains instead (`Search.problem`).

Snippets are safe HTML: the text is escaped first and only then are the matches wrapped in
`<mark>`. The markers ts_headline puts around matches are private-use characters that the
escaping leaves alone.
"""

import html
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Concat, Replace
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .sanitize import plain_text

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
SEARCH_CONFIG = "byline_english"
SNIPPET_CHARS = 240

_START, _STOP = "\ue000", "\ue001"
_HIGHLIGHT = re.compile(f"{_START}(.*?){_STOP}", re.DOTALL)
# Control characters (NUL above all, which PostgreSQL refuses in text) never reach a query.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Search:
    """A reader's query, tidied, and why it cannot be run (`problem`), if it cannot."""

    query: str = ""
    problem: str = ""
    terms: tuple = field(default=())

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_WORDS = "no_words"

    @property
    def runnable(self):
        return not self.problem


def prepare(raw):
    """A `Search` for the text a reader typed: whitespace collapsed, control characters gone."""
    query = " ".join(_CONTROL.sub(" ", raw or "").split())
    if not query:
        return Search(problem=Search.EMPTY)
    if len(query) > MAX_QUERY_LENGTH:
        return Search(query=query[:MAX_QUERY_LENGTH], problem=Search.TOO_LONG)
    terms = tuple(dict.fromkeys(word.casefold() for word in _WORD.findall(query)))
    if not terms:
        return Search(query=query, problem=Search.NO_WORDS)
    return Search(query=query, terms=terms[:MAX_TERMS])


def uses_full_text():
    return connection.vendor == "postgresql"


def find(search, articles):
    """`articles` (a published queryset) matching `search`, best first."""
    if not search.runnable:
        return articles.none()
    if uses_full_text():
        return _full_text(search, articles)
    return _plain(search, articles)


def _as_html_text(expression):
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        expression = Replace(expression, Value(character), Value(entity), output_field=TextField())
    return expression


#: PostgreSQL ranks at most this many matches, the most recent: a word found in most articles
#: of a 100,000-article site would otherwise have every one of them ranked (and counted) for
#: each search, about a second. The page then says how many it ranked ("1,000 or more").
MAX_RANKED = 1000


def _full_text(search, articles):
    query = SearchQuery(search.query, search_type="websearch", config=SEARCH_CONFIG)
    newest_matches = (
        articles.filter(search_vector=query).order_by("-published_at", "-id").values("pk")
    )[:MAX_RANKED]
    # ts_headline would drop anything that looks like a tag, so it is given text in which every
    # "<" is an entity: the standfirst escaped, the body with its tags removed. The snippet is
    # unescaped again in Python before its final escaping (`_marked`).
    text = Concat(
        _as_html_text(F("standfirst")),
        Value(" \u2014 "),
        Func(
            F("body"),
            Value("<[^>]*>"),
            Value(" "),
            Value("g"),
            function="regexp_replace",
            output_field=TextField(),
        ),
        output_field=TextField(),
    )
    return (
        articles.filter(pk__in=newest_matches)
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=SearchHeadline(
                text,
                query,
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at", "-id")
    )


def _plain(search, articles):
    in_title = Q()
    for term in search.terms:
        articles = articles.filter(
            Q(title__icontains=term) | Q(standfirst__icontains=term) | Q(body__icontains=term)
        )
        in_title &= Q(title__icontains=term)
    return articles.annotate(
        title_match=Case(
            When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("-title_match", "-published_at", "-id")


def add_snippets(articles, search):
    """Set `search_snippet` (safe HTML, matches in `<mark>`) on each article of a page."""
    for article in articles:
        headline = getattr(article, "headline", None)
        if headline is not None:
            article.search_snippet = _marked(html.unescape(headline))
        else:
            article.search_snippet = _plain_snippet(article, search.terms)


def _marked(text):
    """Escape the snippet's text, then turn its markers into `<mark>`; stray markers go."""
    escaped = _HIGHLIGHT.sub(r"<mark>\1</mark>", escape(" ".join(text.split())))
    return mark_safe(escaped.replace(_START, "").replace(_STOP, ""))


def _plain_snippet(article, terms):
    text = " ".join(
        plain_text(f"{article.standfirst} \u2014 {article.body}")
        .replace(_START, "")
        .replace(_STOP, "")
        .split()
    )
    folded = text.lower()
    positions = [folded.find(term) for term in terms if term in folded]
    first = min(positions) if positions else 0
    start = max(0, first - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_CHARS
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    window = text[start:end]
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    marked = pattern.sub(lambda match: f"{_START}{match.group(0)}{_STOP}", window)
    snippet = _marked(marked)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(f"{prefix}{snippet}{suffix}")
