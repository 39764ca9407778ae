import datetime

import time_machine
from django.test import TestCase, override_settings
from django.utils import timezone
from lxml import etree

from articles.models import Tag
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    KindFactory,
    ScheduledArticleFactory,
)
from tests.helpers import days_ago
from tests.query_budgets import PAGE_CACHE_STORE_QUERIES

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "http://testserver"


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.china = Tag.objects.create(name="China", slug="china")
        cls.unused = Tag.objects.create(name="Unused", slug="unused")
        cls.draft_only_tag = Tag.objects.create(name="Drafts", slug="drafts")
        cls.writer = AuthorFactory(slug="writer")
        cls.idle_author = AuthorFactory(slug="idle")
        cls.first = ArticleFactory(
            slug="first", tags=[cls.china], authors=[cls.writer], published_at=days_ago(3)
        )
        cls.second = ArticleFactory(slug="second", published_at=days_ago(1))
        DraftArticleFactory(
            slug="a-draft",
            kind=KindFactory(name="Op-Ed", slug="op-ed"),
            tags=[cls.draft_only_tag],
            authors=[cls.idle_author],
        )
        cls.scheduled = ScheduledArticleFactory(
            slug="scheduled",
            tags=[cls.draft_only_tag],
            published_at=timezone.now() + datetime.timedelta(hours=6),
        )

    def sitemap(self):
        response = self.client.get("/sitemap.xml")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/xml")
        return etree.fromstring(response.content)

    def entries(self, tree=None):
        tree = self.sitemap() if tree is None else tree
        return {
            url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
            for url in tree.findall("sm:url", NS)
        }

    def article_locs(self, entries):
        return {loc for loc in entries if loc.startswith(f"{BASE}/articles/")}

    def test_sitemap_lists_exactly_the_live_articles(self):
        entries = self.entries()

        assert self.article_locs(entries) == {
            f"{BASE}/articles/first/",
            f"{BASE}/articles/second/",
        }

    def test_article_lastmod_is_its_last_update(self):
        entries = self.entries()

        # Django's sitemap template writes the date of the datetime.
        assert entries[f"{BASE}/articles/first/"] == self.first.updated_at.date().isoformat()

    def test_scheduled_article_joins_the_sitemap_when_it_goes_live(self):
        assert f"{BASE}/articles/scheduled/" not in self.entries()

        with time_machine.travel(timezone.now() + datetime.timedelta(hours=7)):
            entries = self.entries()

        assert self.article_locs(entries) == {
            f"{BASE}/articles/first/",
            f"{BASE}/articles/second/",
            f"{BASE}/articles/scheduled/",
        }
        assert f"{BASE}/tags/drafts/" in entries

    def test_tag_pages_with_live_articles_are_listed(self):
        entries = self.entries()

        assert f"{BASE}/tags/china/" in entries
        assert entries[f"{BASE}/tags/china/"] is not None
        assert f"{BASE}/tags/unused/" not in entries
        assert f"{BASE}/tags/drafts/" not in entries

    def test_a_tags_lastmod_ignores_its_unpublished_articles(self):
        with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
            DraftArticleFactory(tags=[self.china])

        entries = self.entries()

        assert entries[f"{BASE}/tags/china/"] == self.first.updated_at.date().isoformat()

    def test_author_pages_with_live_articles_are_listed(self):
        entries = self.entries()

        assert f"{BASE}/authors/writer/" in entries
        assert f"{BASE}/authors/idle/" not in entries

    def test_kind_pages_with_live_articles_are_listed(self):
        entries = self.entries()

        assert f"{BASE}/kinds/analysis/" in entries
        assert f"{BASE}/kinds/op-ed/" not in entries

    def test_front_page_is_listed(self):
        assert f"{BASE}/" in self.entries()

    def test_every_url_is_listed_once(self):
        locs = [
            url.findtext("sm:loc", namespaces=NS) for url in self.sitemap().findall("sm:url", NS)
        ]

        assert len(locs) == len(set(locs))

    def test_sitemap_query_count_does_not_grow_with_articles(self):
        # Savepoint + release; the front page's lastmod; a count and a page for each of
        # articles, kinds, tags and authors; the page cache's next scheduled publication.
        with self.assertNumQueries(11 + PAGE_CACHE_STORE_QUERIES):
            self.client.get("/sitemap.xml")
        for n in range(10):
            ArticleFactory(
                tags=[Tag.objects.create(name=f"Topic {n}", slug=f"topic-{n}")],
                authors=[AuthorFactory()],
            )
        with self.assertNumQueries(11 + PAGE_CACHE_STORE_QUERIES):
            tree = self.sitemap()
        # The front page, 12 articles, 1 kind, 11 tags, 12 authors (the second article's too).
        assert len(tree.findall("sm:url", NS)) == 1 + 12 + 1 + 11 + 12


class RobotsTxtTests(TestCase):
    def test_robots_txt_points_at_the_absolute_sitemap_url(self):
        response = self.client.get("/robots.txt")

        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        lines = response.content.decode().splitlines()
        assert "Sitemap: http://testserver/sitemap.xml" in lines
        assert "User-agent: *" in lines

    @override_settings(SITE_URL="https://news.example", ALLOWED_HOSTS=["news.example"])
    def test_robots_txt_takes_the_scheme_from_site_url_not_the_request(self):
        """A request that reached Django over plain HTTP (behind a proxy that ends TLS without
        saying so) still names the sitemap on the public origin, https."""
        response = self.client.get("/robots.txt", headers={"host": "news.example"})

        assert "Sitemap: https://news.example/sitemap.xml" in response.content.decode().splitlines()

    def test_robots_txt_keeps_crawlers_out_of_admin_previews_and_search(self):
        lines = self.client.get("/robots.txt").content.decode().splitlines()

        for path in ("/admin/", "/articles/preview/", "/articles/shared/", "/search/"):
            assert f"Disallow: {path}" in lines
