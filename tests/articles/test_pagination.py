"""Article lists page by cursor (articles/pagination.py): the last page of a long list runs
the same queries as the first, with no OFFSET and no COUNT, and old `?page=N` addresses, bad
cursors and pages past the end answer sensibly (a redirect or a 404, never a 500)."""

import datetime

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Byline, Kind, Tag, TaggedArticle
from articles.pagination import Cursor
from authors.models import Author
from tests.factories import ArticleFactory, AuthorFactory
from tests.helpers import days_ago, page_link, titles
from tests.query_budgets import (
    AUTHOR_PAGE_QUERIES,
    HOME_PAGE_QUERIES,
    TAG_PAGE_QUERIES,
    every_request_rendered,
)

PER_PAGE = 10


def publish_many(count, kind, tag, author, start=0):
    """`count` published articles, one an hour apart going back, in one go (the factories would
    take a query or more each)."""
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"Piece {n:03}",
            slug=f"piece-{n}",
            body="<p>Text.</p>",
            kind=kind,
            status=Article.Status.PUBLISHED,
            published_at=now - datetime.timedelta(hours=n + 1),
        )
        for n in range(start, start + count)
    )
    articles = list(Article.objects.filter(slug__in=[a.slug for a in articles]))
    Byline.objects.bulk_create(Byline(article=a, author=author) for a in articles)
    TaggedArticle.objects.bulk_create(TaggedArticle(content_object=a, tag=tag) for a in articles)


LISTS = {
    "/": HOME_PAGE_QUERIES,
    "/tags/ports/": TAG_PAGE_QUERIES,
    "/kinds/analysis/": TAG_PAGE_QUERIES,
    "/authors/prolific/": AUTHOR_PAGE_QUERIES,
}


@every_request_rendered
@override_settings(ARTICLES_PER_PAGE=PER_PAGE)
class LastPageCostsWhatTheFirstCostsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.kind = Kind.objects.create(name="Analysis", slug="analysis")
        cls.tag = Tag.objects.create(name="Ports", slug="ports")
        cls.author = Author.objects.create(name="Prolific Writer", slug="prolific")
        publish_many(30, cls.kind, cls.tag, cls.author)

    def queries_at(self, address):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(address)
        assert response.status_code == 200, address
        return response, [query["sql"] for query in queries]

    def last_page_address(self, path):
        moved = self.client.get(path, {"page": "last"})
        assert moved.status_code == 302
        return moved["Location"]

    def counts(self, path):
        first, first_sql = self.queries_at(path)
        last, last_sql = self.queries_at(self.last_page_address(path))
        assert page_link(last, "next") is None
        assert len(first.context["object_list"]) == PER_PAGE
        for sql in first_sql + last_sql:
            assert "OFFSET" not in sql.upper()
            assert "COUNT(" not in sql.upper()
        return len(first_sql), len(last_sql)

    def test_first_and_last_pages_run_the_pinned_queries_at_30_and_300_articles(self):
        small = {path: self.counts(path) for path in LISTS}
        publish_many(270, self.kind, self.tag, self.author, start=30)
        large = {path: self.counts(path) for path in LISTS}

        assert small == large
        assert small == {path: (budget, budget) for path, budget in LISTS.items()}

    def test_walking_older_pages_reaches_every_article_once_in_order(self):
        seen, response = [], self.client.get("/tags/ports/")
        while True:
            seen += titles(response)
            older = page_link(response, "next")
            if older is None:
                break
            response = self.client.get(older)

        assert seen == [f"Piece {n:03}" for n in range(30)]

    def test_walking_newer_pages_comes_back_to_the_first_page(self):
        last = self.client.get(self.last_page_address("/"))
        middle = self.client.get(page_link(last, "prev"))
        top = self.client.get(page_link(middle, "prev"))

        assert titles(last) == [f"Piece {n:03}" for n in range(20, 30)]
        assert titles(middle) == [f"Piece {n:03}" for n in range(10, 20)]
        assert (top.status_code, top["Location"]) == (302, "/")

    def test_articles_published_in_the_same_second_are_neither_lost_nor_repeated(self):
        Article.objects.update(published_at=days_ago(1))  # every one at the same moment

        seen, response = [], self.client.get("/kinds/analysis/")
        while (older := page_link(response, "next")) is not None:
            seen += titles(response)
            response = self.client.get(older)
        seen += titles(response)

        assert sorted(seen) == [f"Piece {n:03}" for n in range(30)]
        assert len(seen) == 30


@override_settings(ARTICLES_PER_PAGE=2)
class OldAndBadPageAddressesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = AuthorFactory(slug="writer")
        for n in range(5):  # Story 0 is the newest
            ArticleFactory(
                title=f"Story {n}", tags=["Trade"], authors=[cls.author],
                published_at=days_ago(n + 1),
            )  # fmt: skip
        cls.live = list(Article.objects.published().order_by("-published_at", "-id"))

    def test_an_old_numbered_page_moves_to_the_cursor_of_the_same_articles(self):
        for path in ("/", "/tags/trade/", "/authors/writer/", "/archive/"):
            moved = self.client.get(path, {"page": 2, "q": "kept"})

            assert moved.status_code == 302, path
            assert moved["Location"] == f"{path}?q=kept&before={Cursor.of(self.live[1])}"
            assert titles(self.client.get(moved["Location"])) == ["Story 2", "Story 3"]

    def test_page_one_moves_to_the_list_itself(self):
        moved = self.client.get("/tags/trade/", {"page": 1})

        assert (moved.status_code, moved["Location"]) == (302, "/tags/trade/")

    def test_the_last_page_is_the_oldest_articles(self):
        moved = self.client.get("/", {"page": "last"})

        assert titles(self.client.get(moved["Location"])) == ["Story 3", "Story 4"]

    def test_bad_page_values_are_404(self):
        for value in ("abc", "0", "01", "-1", "4", "999999999", "9" * 20, "2.5", ""):
            assert self.client.get("/", {"page": value}).status_code == 404, value

    def test_bad_cursors_are_404(self):
        good = str(Cursor.of(self.live[1]))
        for query in (
            {"before": "abc"},
            {"before": "12_"},
            {"after": "_12"},
            {"before": "-" + "9" * 17 + "_1"},
            {"before": good, "after": good},
            {"before": str(Cursor.of(self.live[-1]))},  # nothing older than the oldest
        ):
            assert self.client.get("/", query).status_code == 404, query

    def test_a_cursor_survives_its_article_being_unpublished(self):
        older = page_link(self.client.get("/"), "next")
        self.live[1].unpublish()

        assert titles(self.client.get(older)) == ["Story 2", "Story 3"]
