"""The "save my details" cookie: opt-in, signed, private to the browser that holds it."""

import datetime
import re

import time_machine
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments import form_check
from comments.commenters.remember import COOKIE_NAME
from comments.commenters.verification import BROWSER_COOKIE
from tests.comments.html import input_value
from tests.comments.posting import valid_data
from tests.factories import ArticleFactory

ADDRESS = "remember.me@private-mail.example"
LABEL = "Save my name, email, and website in this browser for the next time I comment."


def post_data(**overrides):
    return valid_data(
        **{
            "email": ADDRESS,
            "website": "https://ada.example/",
            "body": "A comment worth keeping my details for.",
            **overrides,
        }
    )


def checkbox(content):
    match = re.search(r'<input[^>]*\bname="remember"[^>]*>', content)
    assert match, "no remember checkbox on the page"
    return match.group(0)


class RememberCheckboxTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.post_url = reverse("comments:post", kwargs={"slug": cls.article.slug})

    def page(self, client=None):
        return (client or self.client).get(self.article.get_absolute_url())

    def post(self, client=None, **overrides):
        return (client or self.client).post(self.post_url, post_data(**overrides))

    def test_the_box_is_offered_unticked_with_the_wordpress_wording(self):
        content = self.page().content.decode()

        assert LABEL in content
        assert 'type="checkbox"' in checkbox(content)
        assert "checked" not in checkbox(content)

    def test_without_consent_no_cookie_is_set(self):
        response = self.post()

        assert response.status_code == 302
        assert COOKIE_NAME not in response.cookies
        # The browser id (comments/commenters/verification.py) and the next form's time token
        # (comments/form_check.py) are random and hold no detail typed in.
        assert set(response.cookies) <= {"messages", BROWSER_COOKIE, form_check.COOKIE_NAME}
        assert COOKIE_NAME not in self.client.cookies
        content = self.page().content.decode()
        assert input_value(content, "email") is None
        assert input_value(content, "name") is None

    @override_settings(SESSION_COOKIE_SECURE=False)
    def test_with_consent_a_signed_http_only_lax_cookie_is_set_for_a_year(self):
        response = self.post(remember="on")

        cookie = response.cookies[COOKIE_NAME]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert 364 * 86400 <= int(cookie["max-age"]) <= 366 * 86400
        assert not cookie["secure"]  # plain HTTP, on a site without secure cookies
        assert ADDRESS not in cookie.value
        assert "remember.me" not in cookie.value

    @override_settings(SESSION_COOKIE_SECURE=False)
    def test_the_cookie_is_secure_over_https(self):
        response = self.client.post(self.post_url, post_data(remember="on"), secure=True)

        assert response.cookies[COOKIE_NAME]["secure"]

    @override_settings(SESSION_COOKIE_SECURE=True)
    def test_the_cookie_is_secure_wherever_the_session_cookie_is(self):
        response = self.post(remember="on")

        assert response.cookies[COOKIE_NAME]["secure"]

    def test_the_next_form_is_prefilled_and_the_box_ticked(self):
        self.post(remember="on")

        content = self.page().content.decode()

        assert input_value(content, "name") == "Ada Reader"
        assert input_value(content, "email") == ADDRESS
        assert input_value(content, "website") == "https://ada.example/"
        assert "checked" in checkbox(content)

    def test_a_page_with_saved_details_is_kept_out_of_shared_caches(self):
        self.post(remember="on")

        response = self.page()

        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control
        assert "public" not in cache_control
        assert "Cookie" in [part.strip() for part in response["Vary"].split(",")]
        # Every page that browser gets, not only article pages.
        home = self.client.get("/")
        assert "no-store" in home["Cache-Control"]

    def test_the_response_that_sets_the_cookie_is_private_too(self):
        response = self.post(remember="on")

        assert "no-store" in response["Cache-Control"]

    def test_another_browser_sees_no_saved_details(self):
        self.post(remember="on")

        content = self.page(Client()).content.decode()

        assert ADDRESS not in content
        assert input_value(content, "email") is None

    def test_posting_with_the_box_unticked_clears_the_cookie(self):
        self.post(remember="on")

        response = self.post(body="Another comment, details not to be kept.")

        assert response.cookies[COOKIE_NAME].value == ""
        assert int(response.cookies[COOKIE_NAME]["max-age"]) == 0
        assert input_value(self.page().content.decode(), "email") is None

    def test_unticking_clears_the_cookie_even_when_the_comment_is_refused(self):
        self.post(remember="on")

        response = self.post(body="")

        assert response.status_code == 400
        assert response.cookies[COOKIE_NAME].value == ""

    def test_a_refused_comment_with_the_box_ticked_saves_nothing(self):
        response = self.post(remember="on", email="not-an-address")

        assert response.status_code == 400
        assert COOKIE_NAME not in response.cookies

    def test_a_forged_cookie_prefills_nothing(self):
        self.post(remember="on")
        value = self.client.cookies[COOKIE_NAME].value
        self.client.cookies[COOKIE_NAME] = value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB")

        content = self.page().content.decode()

        assert input_value(content, "name") is None
        assert "checked" not in checkbox(content)

    def test_the_saved_details_expire_after_a_year(self):
        self.post(remember="on")
        now = timezone.now()

        with time_machine.travel(now + datetime.timedelta(days=364)):
            assert input_value(self.page().content.decode(), "email") == ADDRESS
        with time_machine.travel(now + datetime.timedelta(days=366)):
            assert input_value(self.page().content.decode(), "email") is None
