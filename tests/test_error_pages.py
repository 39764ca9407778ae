"""The friendly 404 and 500 pages."""

import re

from django.db import connection
from django.test import RequestFactory, TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Tag
from config.errors import server_error
from tests.broken_urls import get_broken_page
from tests.checkers import nu_html_errors, vnu_jar
from tests.factories import ArticleFactory


class NotFoundPageTests(TestCase):
    def test_unknown_address_gets_the_friendly_page_in_the_site_design(self):
        response = self.client.get("/no-such-page/")

        content = response.content.decode()
        assert response.status_code == 404
        assert '<h1 class="page-title">Page not found</h1>' in content
        assert 'class="site-header"' in content  # the site's own page, not Django's
        assert '<meta name="robots" content="noindex">' in content

    def test_not_found_page_offers_a_search_and_the_way_home(self):
        content = self.client.get("/articles/not-published-yet/").content.decode()

        form = re.search(
            r'<form[^>]*aria-label="Search from this page".*?</form>', content, re.S
        ).group(0)
        assert 'action="/search/"' in form
        assert 'method="get"' in form
        assert '<label class="search-form__label" for="not-found-search-q">' in form
        assert '<a href="/">Go to the latest articles</a>' in content

    def test_the_page_ids_stay_unique_next_to_the_masthead_search(self):
        content = self.client.get("/no-such-page/").content.decode()

        ids = re.findall(r'\bid="([^"]+)"', content)
        assert len(ids) == len(set(ids))


@override_settings(ROOT_URLCONF="tests.broken_urls")
class ServerErrorPageTests(TestCase):
    def test_a_crash_shows_the_friendly_page(self):
        response = get_broken_page(self.client)

        content = response.content.decode()
        assert response.status_code == 500
        assert "<h1>Something went wrong</h1>" in content
        assert "on fire" not in content
        assert '<a href="/">Back to the front page</a>' in content

    def test_server_error_page_touches_no_database_and_no_context_processor(self):
        request = RequestFactory().get("/broken/")

        with CaptureQueriesContext(connection) as queries:
            response = server_error(request)

        assert len(queries) == 0
        assert response.status_code == 500
        content = response.content.decode()
        assert "<title>Something went wrong — Byline</title>" in content
        assert '<header><a href="/">Byline</a></header>' in content

    def test_server_error_page_is_standalone_with_a_labelled_search(self):
        content = server_error(RequestFactory().get("/")).content.decode()

        assert '<html lang="en">' in content
        assert "<style>" in content
        assert "<link" not in content  # no stylesheet lookup that could itself fail
        assert "<script" not in content
        assert '<label for="error-search-q">Search articles</label>' in content
        assert 'action="/search/" method="get"' in content


class ValidHtmlTests(TestCase):
    """The Nu HTML Checker finds no error on the error pages and every state of the search page.

    (tests/e2e/test_accessibility.py checks the main pages in a browser; these pages are
    checked here from the server's HTML.)
    """

    def test_error_and_search_pages_are_valid_html(self):
        vnu_jar()
        ArticleFactory(title="Corridor politics", tags=[Tag.objects.create(name="Trade")])
        ArticleFactory(title="Corridor economics", tags=list(Tag.objects.all()))
        self.client.raise_request_exception = False
        documents = {
            "not-found": self.client.get("/no-such-page/"),
            "search-empty": self.client.get("/search/"),
            "search-too-long": self.client.get("/search/", {"q": "x" * 500}),
            "search-no-words": self.client.get("/search/", {"q": "?!"}),
            "search-no-match": self.client.get("/search/", {"q": "zeppelin"}),
            "search-results": self.client.get("/search/", {"q": "corridor"}),
            "article": self.client.get("/articles/" + Article.objects.first().slug + "/"),
        }
        with override_settings(ROOT_URLCONF="tests.broken_urls"):
            documents["server-error"] = self.client.get("/broken/")

        errors = nu_html_errors({name: r.content.decode() for name, r in documents.items()})

        assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)
