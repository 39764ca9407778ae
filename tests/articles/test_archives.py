import datetime
from unittest import mock

import time_machine
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, DraftArticleFactory
from tests.helpers import older_page, page_link, titles

UTC = datetime.UTC
NOW = datetime.datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def at(year, month, day=10):
    return datetime.datetime(year, month, day, 9, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class DateArchiveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(NOW, tick=False):
            ArticleFactory(title="March early", published_at=at(2025, 3, 2))
            ArticleFactory(title="March late", published_at=at(2025, 3, 28))
            ArticleFactory(title="May", published_at=at(2025, 5))
            ArticleFactory(title="Last year", published_at=at(2024, 11))
            DraftArticleFactory(title="March draft")
            ArticleFactory(title="Scheduled", published_at=at(2025, 6, 20))

    def test_year_archive_lists_that_years_live_articles_newest_first(self):
        response = self.client.get(reverse("articles:year", args=["2025"]))

        assert response.status_code == 200
        assert titles(response) == ["May", "March late", "March early"]
        assert '<h1 class="page-title">2025</h1>' in response.content.decode()

    def test_month_archive_lists_that_months_live_articles(self):
        response = self.client.get(reverse("articles:month", args=["2025", "03"]))

        assert response.status_code == 200
        assert titles(response) == ["March late", "March early"]
        content = response.content.decode()
        assert '<h1 class="page-title">March 2025</h1>' in content
        assert 'href="/archive/2025/05/">May 2025 →</a>' in content
        assert 'href="/archive/2024/11/">← November 2024</a>' in content

    def test_archive_navigation_lists_only_months_with_live_articles(self):
        content = self.client.get(reverse("articles:month", args=["2025", "03"])).content.decode()

        nav = content.split('class="archive-nav"')[1].split("</nav>")[0]
        assert '<a href="/archive/2025/03/" aria-current="page">March</a>' in nav
        assert '<a href="/archive/2025/05/">May</a>' in nav
        assert '<a href="/archive/2024/11/">November</a>' in nav
        assert "June" not in nav
        assert nav.index("2025") < nav.index("2024")

    def test_empty_future_and_impossible_dates_are_404(self):
        for path in (
            "/archive/2023/",
            "/archive/2025/04/",
            "/archive/2025/06/",  # only a scheduled article
            "/archive/2026/",
            "/archive/2025/13/",
            "/archive/2025/00/",
            "/archive/0000/",
            "/archive/25/",
            "/archive/2025/3/",
        ):
            assert self.client.get(path).status_code == 404, path

    def test_scheduled_article_joins_its_month_when_it_goes_live(self):
        with time_machine.travel(at(2025, 6, 21), tick=False):
            response = self.client.get(reverse("articles:month", args=["2025", "06"]))

        assert titles(response) == ["Scheduled"]

    def test_archive_index_lists_every_year(self):
        content = self.client.get(reverse("articles:archive")).content.decode()

        assert '<a class="archive-nav__year" href="/archive/2025/">2025</a>' in content
        assert '<a class="archive-nav__year" href="/archive/2024/">2024</a>' in content

    @override_settings(ARTICLES_PER_PAGE=2)
    def test_year_archive_is_paginated_like_every_list(self):
        first = self.client.get(reverse("articles:year", args=["2025"]))
        second = older_page(self.client, first)

        assert titles(second) == ["March early"]
        assert page_link(second, "next") is None
        # "Newer" from the second page lands on the year's own address.
        newer = self.client.get(page_link(second, "prev"))
        assert newer.status_code == 302
        assert newer["Location"] == "/archive/2025/"


@time_machine.travel(NOW, tick=False)
class ArchiveQueryCountTests(TestCase):
    def count(self, path):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path)
        assert response.status_code == 200
        return len(queries)

    def add(self, count, month):
        for n in range(count):
            ArticleFactory(
                authors=[AuthorFactory(), AuthorFactory()],
                tags=[f"tag {month} {n}", "common"],
                published_at=at(2025, month, n % 28 + 1),
            )

    def test_archive_query_counts_do_not_grow_with_articles(self):
        self.add(3, 3)
        ArticleFactory(published_at=at(2024, 1))
        small = [self.count(p) for p in ("/archive/", "/archive/2025/", "/archive/2025/03/")]
        self.add(17, 3)
        self.add(5, 2)
        large = [self.count(p) for p in ("/archive/", "/archive/2025/", "/archive/2025/03/")]

        assert small == large


@time_machine.travel(NOW, tick=False)
class PublicationMonthsTests(TestCase):
    """`publication_months()` (an index walk on PostgreSQL) gives what `dates()` gives."""

    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(NOW, tick=False):
            for when in (at(2025, 3, 2), at(2025, 3, 28), at(2024, 11), at(2022, 1, 1)):
                ArticleFactory(published_at=when)
            # 23:30 UTC on 31 May is 1 June in Tokyo.
            ArticleFactory(published_at=datetime.datetime(2025, 5, 31, 23, 30, tzinfo=UTC))
            DraftArticleFactory(published_at=at(2023, 7))
            ArticleFactory(published_at=at(2025, 6, 20))  # scheduled

    def expected(self):
        return list(Article.objects.published().dates("published_at", "month", order="DESC"))

    def test_months_with_live_articles_newest_first(self):
        months = Article.objects.publication_months()

        assert months == self.expected()
        assert months[0] == datetime.date(2025, 5, 1)
        assert datetime.date(2023, 7, 1) not in months

    @override_settings(TIME_ZONE="Asia/Tokyo")
    def test_months_are_the_newsrooms_months(self):
        months = Article.objects.publication_months()

        assert months == self.expected()
        assert months[0] == datetime.date(2025, 6, 1)

    def test_no_articles_no_months(self):
        Article.objects.all().delete()

        assert Article.objects.publication_months() == []


@time_machine.travel(NOW, tick=False)
class PeriodCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(NOW, tick=False):
            for day in (3, 4, 5):
                ArticleFactory(published_at=at(2025, 4, day))

    def test_a_period_says_how_many_articles_it_holds(self):
        content = self.client.get(reverse("articles:month", args=["2025", "04"])).content

        assert "3 articles published in April 2025." in content.decode()

    @override_settings(ARTICLES_PER_PAGE=1)
    def test_a_busy_period_is_counted_only_up_to_the_cap(self):
        capped = mock.patch("articles.views.PERIOD_COUNT_CAP", 2)
        with capped, CaptureQueriesContext(connection) as queries:
            content = self.client.get(reverse("articles:year", args=["2025"])).content

        assert "More than 2 articles published in 2025." in content.decode()
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        assert len(counts) == 1 and "LIMIT 3" in counts[0].upper()
