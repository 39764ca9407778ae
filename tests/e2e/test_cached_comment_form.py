"""A reader without JavaScript comments from a shared (cached) article page (issue 13).

The article page is rendered once and the same bytes are served to the browser, as a shared
or front cache would; the form's check image, the posting and the page after it come from the
live server. Screenshots go to tests/e2e/screenshots/ for a visual review.
"""

import urllib.request

import pytest
from playwright.sync_api import expect

from comments import form_check
from comments.models import Comment
from tests.factories import ArticleFactory

from .browser import BrowserTestCase

COMMENT = "The second table counts the same shipments twice, I think."
EMAIL = "cached.reader@mail.example"


@pytest.mark.e2e
class CachedCommentFormTests(BrowserTestCase):
    def setUp(self):
        self.article = ArticleFactory(title="Ports after the strike", slug="ports-after-strike")
        self.allow_instant_posting()

    def shared_page(self):
        """The article page as every anonymous reader gets it: rendered once, the same bytes
        for a second reader."""
        url = self.url(self.article.get_absolute_url())
        with urllib.request.urlopen(url) as first, urllib.request.urlopen(url) as second:
            body = first.read()
            assert body == second.read()
            assert first.headers.get("Set-Cookie") is None
            return body, first.headers.get_content_type()

    def serve_from_the_cache(self, page, body, content_type):
        """Serve the article's next load from the saved bytes, as a cache would (once: the page
        after posting is personal and comes from the server)."""
        page.route(
            self.url(self.article.get_absolute_url()),
            lambda route: route.fulfill(status=200, body=body, content_type=content_type),
            times=1,
        )

    def test_a_reader_without_javascript_posts_from_the_shared_page(self):
        body, content_type = self.shared_page()
        assert b"csrfmiddlewaretoken" not in body
        assert b'name="timestamp"' not in body
        reader = self.new_page(java_script_enabled=False)
        self.serve_from_the_cache(reader, body, content_type)

        with reader.expect_response(lambda response: "/comments/form-check/" in response.url):
            reader.goto(self.url(self.article.get_absolute_url()))
        cookie = next(c for c in reader.context.cookies() if c["name"] == form_check.COOKIE_NAME)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert cookie["path"] == f"/comments/post/{self.article.slug}/"

        form = reader.locator("#comment-form")
        form.get_by_role("textbox", name="Comment").fill(COMMENT)
        form.get_by_role("textbox", name="Name").fill("Noor Haddad")
        form.get_by_role("textbox", name="Email").fill(EMAIL)
        self.screenshot(reader, "cached-form-01-filled")
        reader.get_by_role("button", name="Post Comment").click()

        expect(reader.locator("#comments .message--success")).to_contain_text("awaiting moderation")
        with self.server_paused():
            comment = Comment.objects.get()
        assert comment.body == COMMENT
        assert comment.status == Comment.Status.PENDING
        self.screenshot(reader, "cached-form-02-awaiting-moderation")

    def test_a_browser_that_loads_no_images_posts_on_the_second_try_with_its_text_kept(self):
        body, content_type = self.shared_page()
        reader = self.new_page(java_script_enabled=False)
        self.serve_from_the_cache(reader, body, content_type)
        reader.route("**/comments/form-check/**", lambda route: route.abort())
        reader.goto(self.url(self.article.get_absolute_url()))

        form = reader.locator("#comment-form")
        form.get_by_role("textbox", name="Comment").fill(COMMENT)
        form.get_by_role("textbox", name="Name").fill("Noor Haddad")
        form.get_by_role("textbox", name="Email").fill(EMAIL)
        reader.get_by_role("button", name="Post Comment").click()

        expect(reader.get_by_role("alert")).to_contain_text("Your comment was not posted.")
        expect(form).to_contain_text("We could not check this form, please post again")
        expect(form.get_by_role("textbox", name="Comment")).to_have_value(COMMENT)
        self.screenshot(reader, "cached-form-03-no-image-first-try")
        with self.server_paused():
            assert Comment.objects.count() == 0

        reader.get_by_role("button", name="Post Comment").click()

        expect(reader.locator("#comments .message--success")).to_contain_text("awaiting moderation")
        with self.server_paused():
            assert Comment.objects.get().body == COMMENT
