"""The shared set-up for browser tests: a live server with static files and Debian's Chromium.

Playwright drives `/usr/bin/chromium` (installed with `apt-get install chromium`); the
browsers Playwright can download are never used. Without Chromium the tests are skipped, but
on CI (`CI=true`) they fail, so a broken CI image cannot pass silently.
"""

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
TIMEOUT_MS = 10_000
#: The laptop screen the admin and the writing space must fit.
LAPTOP = {"width": 1280, "height": 800}
#: The password of every staff account the browser tests make.
PASSWORD = "correct horse battery staple"


# Held while the live server handles a request, and by tests while they read the database.
_REQUEST_LOCK = threading.Lock()


class _OneRequestAtATimeServer(ThreadedWSGIServer):
    """A thread per connection, but one request handled at a time.

    On SQLite the tests' in-memory database is one connection shared by every thread; two
    requests at once (a page's background fetch beside a form post) would interleave their
    transactions on it. A thread per connection is kept so that a socket Chromium opens ahead
    of time and leaves idle blocks nobody.
    """

    def set_app(self, application):
        def one_at_a_time(environ, start_response):
            with _REQUEST_LOCK:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


class _LiveServerThread(LiveServerThread):
    server_class = _OneRequestAtATimeServer


def require_chromium():
    """Skip (or, on CI, fail) when Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not found: install it with `apt-get install chromium chromium-driver`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


class BrowserTestCase(StaticLiveServerTestCase):
    """A live server (serving the stylesheet) and one Chromium shared by the class's tests.

    Between tests a transactional test's flush empties the database; the staff roles come back
    at once, because every flush ends with the post_migrate receiver that syncs them
    (config/apps.py). (`serialized_rollback` would restore rows through another connection once
    Playwright's event loop runs, and fails when two browser classes run.)
    """

    server_thread_class = _LiveServerThread

    @classmethod
    def setUpClass(cls):
        require_chromium()
        from playwright.sync_api import sync_playwright

        # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
        # the test's own ORM calls as if they were made from async code.
        cls._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        SCREENSHOTS.mkdir(exist_ok=True)
        cls.playwright = sync_playwright().start()
        try:
            cls.browser = cls.playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
        except Exception:
            cls.playwright.stop()
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        if cls._async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = cls._async_unsafe

    def new_page(self, **context_options):
        """A page in a fresh browser context (its own cookies), closed after the test."""
        context = self.browser.new_context(
            **{"viewport": {"width": 1280, "height": 900}, **context_options}
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.addCleanup(context.close)
        return context.new_page()

    @contextmanager
    def server_paused(self):
        """Read the database from the test while no request is being handled (see above)."""
        with _REQUEST_LOCK:
            yield

    def allow_instant_posting(self):
        """A browser driven by a test posts faster than any reader: without this the discussion
        rules' minimum time before posting would call it a bot (tests/comments/test_rules.py
        covers that rule)."""
        from comments.models import DiscussionSettings

        rules = DiscussionSettings.current()
        rules.min_seconds_to_post = 0
        rules.save()

    def url(self, path):
        return f"{self.live_server_url}{path}"

    def sign_in(self, page, username, start="/admin/"):
        """Sign `page` in to the admin as `username` (whose password is PASSWORD) from the
        sign-in form that `start` leads to."""
        page.goto(self.url(start))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#user-tools")).to_contain_text("Welcome")
        return page

    def signed_in_page(self, username, **context_options):
        """A new page (`new_page`'s options) signed in to the admin as `username`."""
        return self.sign_in(self.new_page(**context_options), username)

    def screenshot(self, page, name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
