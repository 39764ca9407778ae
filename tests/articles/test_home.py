from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from tests.articles.images import png_upload
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    KindFactory,
    ScheduledArticleFactory,
)
from tests.helpers import days_ago, older_page, page_link
from tests.query_budgets import HOME_PAGE_QUERIES, PAGE_CACHE_STORE_QUERIES


def section(content, css_class):
    start = content.index(f'<article class="{css_class}">')
    return content[start : content.index("</article>", start)]


class HomeLeadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.lead = ArticleFactory(
            title="The newest piece",
            standfirst="Why it matters now.",
            kind=KindFactory(name="Op-Ed", slug="op-ed"),
            authors=[AuthorFactory(name="Amara Okafor"), AuthorFactory(name="Ben Lee")],
            featured_image=png_upload("lead.png", width=40, height=20),
            featured_image_alt="A harbour at dawn",
            published_at=days_ago(1),
        )
        for n in range(4):
            ArticleFactory(title=f"Older {n}", published_at=days_ago(n + 2))
        DraftArticleFactory(title="A draft")
        ScheduledArticleFactory(title="A scheduled piece")

    def test_newest_article_leads_with_image_kind_title_standfirst_authors_and_date(self):
        response = self.client.get("/")

        assert response.context["lead"] == self.lead
        lead = section(response.content.decode(), "lead")
        assert f'src="{self.lead.featured_image.url}"' in lead
        assert 'width="40" height="20"' in lead
        assert '<a href="/kinds/op-ed/">Op-Ed</a>' in lead
        assert f'<a href="{self.lead.get_absolute_url()}">The newest piece</a>' in lead
        assert "Why it matters now." in lead
        assert "Amara Okafor</a> and <a" in lead
        assert f'datetime="{self.lead.published_at:%Y-%m-%dT%H:%M:%S%z}"' in lead

    def test_latest_articles_follow_the_lead_without_repeating_it(self):
        response = self.client.get("/")

        assert [article.title for article in response.context["latest"]] == [
            f"Older {n}" for n in range(4)
        ]
        assert response.content.decode().count("The newest piece</a>") == 1
        assert "A draft" not in response.content.decode()
        assert "A scheduled piece" not in response.content.decode()

    @override_settings(ARTICLES_PER_PAGE=3)
    def test_later_pages_have_no_lead_and_page_on(self):
        first = self.client.get("/")
        second = older_page(self.client, first)

        assert [a.title for a in first.context["latest"]] == ["Older 0", "Older 1"]
        assert page_link(first, "next").startswith("/?before=")
        assert second.context["lead"] is None
        assert [a.title for a in second.context["latest"]] == ["Older 2", "Older 3"]
        assert 'class="lead"' not in second.content.decode()
        # "Newer" from the second page is the top of the list: the home page's own address.
        newer = self.client.get(page_link(second, "prev"))
        assert (newer.status_code, newer["Location"]) == (302, "/")

    def test_missing_page_is_404(self):
        assert self.client.get("/", {"page": 9}).status_code == 404


class EmptyHomeTests(TestCase):
    def test_home_without_articles_says_so(self):
        response = self.client.get("/")

        assert response.context["lead"] is None
        assert "Nothing has been published here yet." in response.content.decode()

    def test_home_with_one_article_shows_only_the_lead(self):
        ArticleFactory(title="Alone")

        content = self.client.get("/").content.decode()

        assert 'class="lead"' in content
        assert "Nothing has been published here yet." not in content


class ListQueryCountTests(TestCase):
    """Home, kind and archive pages run the same queries for 3 articles as for 20."""

    def add(self, count, kind):
        for n in range(count):
            ArticleFactory(
                kind=kind,
                authors=[AuthorFactory(), AuthorFactory(), AuthorFactory()],
                tags=[f"tag {n}", f"other {n}", "common"],
                featured_image=png_upload(f"card{n}.png"),
                featured_image_alt="A card",
                published_at=days_ago(n + 1),
            )

    def count(self, path):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path)
        assert response.status_code == 200
        return len(queries)

    @override_settings(ARTICLES_PER_PAGE=20)
    def test_list_query_counts_do_not_grow_with_articles(self):
        kind = KindFactory(name="Analysis")
        paths = ["/", "/kinds/analysis/", "/tags/common/", "/archive/"]
        self.add(3, kind)
        small = {path: self.count(path) for path in paths}
        self.add(17, kind)
        large = {path: self.count(path) for path in paths}

        assert small == large
        # No savepoint pair: reader pages run outside a transaction.
        assert small["/"] == HOME_PAGE_QUERIES + PAGE_CACHE_STORE_QUERIES
        assert small["/kinds/analysis/"] == 4 + PAGE_CACHE_STORE_QUERIES


class PaginationTests(TestCase):
    @override_settings(ARTICLES_PER_PAGE=1)
    def test_page_links_keep_other_parameters_and_page_one_is_the_bare_address(self):
        for n in range(3):
            ArticleFactory(tags=["Trade"], published_at=days_ago(n + 1))

        first = self.client.get("/tags/trade/", {"q": "a b"})
        second = self.client.get(page_link(first, "next"))
        third_address = page_link(second, "next")
        newer = self.client.get(page_link(second, "prev"))

        assert page_link(first, "next").startswith("/tags/trade/?q=a+b&before=")
        assert third_address.startswith("/tags/trade/?q=a+b&before=")
        assert page_link(second, "prev").startswith("/tags/trade/?q=a+b&after=")
        # The page above the second is the first: its own address, with the other parameters.
        assert newer["Location"] == "/tags/trade/?q=a+b"
