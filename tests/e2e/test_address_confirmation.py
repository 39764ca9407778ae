"""Someone types a regular's address in their own browser; the owner confirms it in theirs.

In Chromium, two browsers (two contexts, each with its own cookies): the impostor's comment stays
held when the owner follows the confirmation link, even though the impostor had the link sent;
the owner's own held comment is published; the link works once. Screenshots go to
tests/e2e/screenshots/ (gitignored).
"""

import re

import pytest
from django.core import mail
from django.test import override_settings
from playwright.sync_api import expect

from comments.commenters import verification
from comments.models import Comment
from tests.factories import ArticleFactory

from .browser import BrowserTestCase

EMAIL = "regular.reader@mail.example"
FIRST = "The figures for cocoa exports in the second chart are from 2022, not 2023."
IMPOSTOR = "I take back everything I wrote about cocoa: the article is right."
SECOND = "A correction to my earlier comment: the 2023 figures are out in March."


@pytest.mark.e2e
class AddressConfirmationTests(BrowserTestCase):
    def setUp(self):
        self.enterContext(override_settings(SITE_URL=self.live_server_url))
        self.allow_instant_posting()
        self.article = ArticleFactory(title="Cocoa and the new tariffs", slug="cocoa-tariffs")
        mail.outbox = []

    def post_comment(self, page, name, body):
        page.goto(self.url(self.article.get_absolute_url()))
        form = page.locator("#comment-form")
        form.get_by_role("textbox", name="Comment").fill(body)
        form.get_by_role("textbox", name="Name").fill(name)
        form.get_by_role("textbox", name="Email").fill(EMAIL)
        page.get_by_role("button", name="Post Comment").click()
        expect(page.locator("#comments .message--success")).to_contain_text("awaiting moderation")

    def status_of(self, body):
        with self.server_paused():
            return Comment.objects.get(body=body).status

    def test_confirming_publishes_only_what_the_owners_browser_wrote(self):
        owner = self.new_page()
        impostor = self.new_page()

        # The owner's first comment is approved by a moderator.
        self.post_comment(owner, "Efua Mensah", FIRST)
        with self.server_paused():
            Comment.objects.get(body=FIRST).approve()

        # Someone else comments under the owner's address, and even has the link sent.
        self.post_comment(impostor, "Efua Mensah", IMPOSTOR)
        impostor.get_by_role("button", name="Email me a confirmation link").click()
        expect(impostor.locator("#comments")).to_contain_text("We have sent you a confirmation")
        [message] = mail.outbox
        assert message.to == [EMAIL]
        link = re.search(r"https?://\S+/comments/confirm/\S+/", message.body)[0]
        assert link.startswith(self.live_server_url)

        # The owner comments again, then follows the link from their mailbox in their browser.
        self.post_comment(owner, "Efua Mensah", SECOND)
        owner.goto(link)
        owner.get_by_role("button", name="Confirm my address").click()
        expect(owner.locator("h1")).to_have_text("Your address is confirmed")
        confirmation = owner.locator(".error-page")
        expect(confirmation).to_contain_text("1 comment you posted from this browser is now")
        expect(confirmation).to_contain_text(
            "1 comment under your address, posted from another browser, still waits for a "
            "moderator."
        )
        expect(confirmation).not_to_contain_text(IMPOSTOR)
        self.screenshot(owner, "address-confirmed")

        assert self.status_of(SECOND) == Comment.Status.APPROVED
        assert self.status_of(IMPOSTOR) == Comment.Status.PENDING
        owner.goto(self.url(self.article.get_absolute_url()))
        expect(owner.locator("#comments")).to_contain_text(SECOND)
        expect(owner.locator("#comments")).not_to_contain_text(IMPOSTOR)

        # The link works once, in any browser.
        for page in (owner, impostor):
            response = page.goto(link)
            assert response.status == 400
            expect(page.locator("h1")).to_have_text("This link has already been used")
        assert self.status_of(IMPOSTOR) == Comment.Status.PENDING

        # The browser id is out of scripts' reach, and names no address.
        [browser_cookie] = [
            cookie
            for cookie in owner.context.cookies()
            if cookie["name"] == verification.BROWSER_COOKIE
        ]
        assert browser_cookie["httpOnly"]
        assert browser_cookie["sameSite"] == "Lax"
        assert EMAIL not in browser_cookie["value"]
        assert verification.BROWSER_COOKIE not in owner.evaluate("document.cookie")
