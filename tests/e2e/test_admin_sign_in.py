"""Signing in to the newsroom admin in Chromium: two-factor set-up and sign-in, and the lockout.

An editor sets up an authenticator app from the page's own secret (the test computes the codes
as the phone would), signs out, and signs in again with a code. With two-factor sign-in required
for editors, one without an app lands on the set-up page straight after the password. Repeated
wrong passwords end on the lockout page. Screenshots of each page go to tests/e2e/screenshots/.
"""

import pytest
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import expect

from tests.authenticator import code_for, key_from_secret
from tests.factories import StaffFactory

from .browser import PASSWORD, BrowserTestCase


@pytest.mark.e2e
class AdminSignInBrowserTests(BrowserTestCase):
    def setUp(self):
        StaffFactory(username="desk-editor", first_name="Dana", role="Editor")

    def sign_in(self, page, password=PASSWORD, code=None):
        page.goto(self.url("/admin/"))
        page.get_by_label("Username").fill("desk-editor")
        page.get_by_label("Password").fill(password)
        if code is not None:
            page.get_by_label("Two-factor code").fill(code)
        page.get_by_role("button", name="Log in").click()

    def set_up_app(self, page):
        """Scan-free set-up: read the key the page shows and confirm with its first code."""
        expect(page.locator(".two-factor-qr svg")).to_be_visible()
        key = key_from_secret(page.locator("#two-factor-secret").inner_text())
        page.get_by_label("Code from the app").fill(code_for(key))
        page.get_by_role("button", name="Turn on two-factor authentication").click()
        return key

    def test_an_editor_sets_up_an_app_and_signs_in_with_its_code(self):
        page = self.new_page()
        self.sign_in(page)
        expect(page.locator("#user-tools")).to_contain_text("Welcome")

        page.locator("#user-tools").get_by_role("link", name="Two-factor authentication").click()
        expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
        self.screenshot(page, "admin-two-factor-set-up")
        key = self.set_up_app(page)
        expect(page.locator(".messagelist")).to_contain_text("Two-factor authentication is on")

        page.get_by_role("button", name="Log out").click()
        self.sign_in(page)
        expect(page.locator(".errornote")).to_contain_text("Enter the six-digit code")
        self.screenshot(page, "admin-sign-in-asks-for-the-code")

        self.sign_in(page, code=code_for(key, steps_ahead=1))
        expect(page.locator("#user-tools")).to_contain_text("Welcome")
        expect(page).to_have_url(self.url("/admin/"))
        page.goto(self.url("/admin/two-factor/"))
        expect(page.locator("#content-main")).to_contain_text("Two-factor authentication is on")
        self.screenshot(page, "admin-two-factor-on")

    @override_settings(OTP_REQUIRED_GROUPS=["Editor"])
    def test_an_editor_obliged_to_use_it_is_sent_to_set_it_up_after_the_password(self):
        page = self.new_page()
        self.sign_in(page)

        expect(page).to_have_url(self.url("/admin/two-factor/?next=%2Fadmin%2F"))
        expect(page.locator(".errornote")).to_contain_text("Your role signs in with two-factor")
        expect(page.locator("#nav-sidebar")).to_have_count(0)
        self.screenshot(page, "admin-two-factor-required")
        page.goto(self.url("/admin/articles/article/"))
        expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()

        self.set_up_app(page)
        expect(page).to_have_url(self.url("/admin/articles/article/"))
        expect(page.locator("#user-tools")).to_contain_text("Welcome")

    def test_repeated_wrong_passwords_end_on_the_lockout_page(self):
        page = self.new_page()
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            self.sign_in(page, password=f"guess-{attempt}")

        expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        expect(page.locator("#content-main")).to_contain_text(f"try again in {minutes} minutes")
        self.screenshot(page, "admin-sign-in-locked-out")
        page.get_by_role("link", name="Back to sign in").click()
        expect(page.get_by_label("Username")).to_be_visible()
