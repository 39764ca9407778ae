"""axe-core finds nothing wrong on the search page in each of its states and on the error pages.

tests/e2e/test_accessibility.py covers the main pages (search with results among them); the
pages here are the ones a reader reaches when something is missing or odd.
"""

import pytest
from django.test import RequestFactory

from config.errors import server_error
from tests.checkers import assert_no_axe_violations, require_axe
from tests.factories import ArticleFactory

from .browser import BrowserTestCase


@pytest.mark.e2e
class SearchAndErrorPagesAccessibilityTests(BrowserTestCase):
    def setUp(self):
        require_axe()
        ArticleFactory(title="A corridor without a financier")

    def test_search_states_and_error_pages_have_no_axe_violations_in_light_or_dark(self):
        paths = {
            "search without a query": "/search/",
            "search with no words": "/search/?q=%3F%21",
            "search with no match": "/search/?q=zeppelin",
            "not found": "/no-such-page/",
        }
        server_error_html = server_error(RequestFactory().get("/")).content.decode()
        for scheme in ("light", "dark"):
            page = self.new_page(color_scheme=scheme)
            for name, path in paths.items():
                page.goto(self.url(path))
                assert_no_axe_violations(page, f"{name} ({scheme})")
            # On a blank page of its own: written into the last page, it would be under that
            # page's Content-Security-Policy instead of its own.
            page = self.new_page(color_scheme=scheme)
            page.set_content(server_error_html)
            assert_no_axe_violations(page, f"the server error page ({scheme})")
