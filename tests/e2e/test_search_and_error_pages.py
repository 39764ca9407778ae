"""axe-core finds nothing wrong on the search page in each of its states and on the error pages.

tests/e2e/test_accessibility.py covers the main pages (search with results among them); the
pages here are the ones a reader reaches when something is missing or odd.
"""

import pytest
from django.test import RequestFactory

from config.errors import server_error
from tests.e2e.test_accessibility import AXE_JS, AXE_TAGS, describe_violations, fail_or_skip
from tests.factories import ArticleFactory

from .browser import BrowserTestCase


@pytest.mark.e2e
class SearchAndErrorPagesAccessibilityTests(BrowserTestCase):
    def setUp(self):
        if not AXE_JS.exists():
            fail_or_skip(f"{AXE_JS} not found: run `make install` (npm ci)")
        ArticleFactory(title="A corridor without a financier")

    def run_axe(self, page):
        page.add_script_tag(path=str(AXE_JS))
        return page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return results.violations;
            }""",
            AXE_TAGS,
        )

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
                violations = self.run_axe(page)
                assert not violations, (
                    f"axe found problems on {name} ({scheme}):\n" + describe_violations(violations)
                )
            page.set_content(server_error_html)
            violations = self.run_axe(page)
            assert not violations, (
                f"axe found problems on the server error page ({scheme}):\n"
                + describe_violations(violations)
            )
