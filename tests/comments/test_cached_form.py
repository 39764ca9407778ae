"""The comment form on a shared (cached) page (issue 13): comments/form_check.py.

An anonymous reader's article page is the same bytes for every reader; the form check inside
its form (a 1×1 image) sets the SameSite=Strict cookie that stands for the CSRF and time
tokens; anonymous postings must come from this site (Origin/Referer) with that cookie, while a
moderator's keep Django's CSRF check. The bad-input catalogue (test_bad_input.py) runs through
the same view.
"""

import datetime
import re
import time
from unittest import mock

import time_machine
from django.core import signing
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments import form_check, forms
from comments.commenters import remember
from comments.forms import BAD_TOKEN_MESSAGE, EXPIRED_MESSAGE, FORM_TOKEN_SALT, form_token
from comments.models import Comment
from tests.comments.html import input_value, page_text, textarea_text
from tests.comments.posting import BODY, post_url, submit_comment, valid_data
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

ADDRESS = "ada.reader@mail.example"


def reader_data(**overrides):
    """What the shared page's form posts: the fields typed, no token (None drops a field)."""
    return valid_data(**{"timestamp": None, **overrides})


def checked_client(seconds_ago=60):
    """A browser that enforces Django's checks and loaded the form check `seconds_ago`."""
    client = Client(enforce_csrf_checks=True)
    client.cookies[form_check.COOKIE_NAME] = form_token(time.time() - seconds_ago)
    return client


def form_check_url(content):
    tag = re.search(r'<form[^>]*id="comment-form".*?</form>', content, re.S).group(0)
    image = re.search(r'<img[^>]*class="comment-form-check"[^>]*>', tag).group(0)
    return re.search(r'src="([^"]+)"', image).group(1)


class SharedPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.reply_to = CommentFactory(article=cls.article)

    def test_two_anonymous_readers_get_byte_identical_article_pages_with_an_open_form(self):
        for query in ({}, {"replyto": self.reply_to.pk}):
            first = Client().get(self.article.get_absolute_url(), query)
            second = Client().get(self.article.get_absolute_url(), query)

            assert first.status_code == second.status_code == 200
            assert 'id="comment-form"' in first.content.decode()
            assert first.content == second.content, query
            assert not first.cookies and not second.cookies
            assert "Cookie" not in first.get("Vary", "")

    def test_the_shared_form_carries_no_per_reader_value_and_a_form_check_image(self):
        content = Client().get(self.article.get_absolute_url()).content.decode()

        assert "csrfmiddlewaretoken" not in content
        assert 'name="timestamp"' not in content
        image = re.search(r'<img[^>]*class="comment-form-check"[^>]*>', content).group(0)
        assert 'alt=""' in image and 'width="1"' in image and 'height="1"' in image
        assert form_check_url(content) == reverse(
            "comments:form_check", kwargs={"slug": self.article.slug}
        )

    def test_the_form_fields_are_rendered_once_per_process(self):
        forms._shared_fields.clear()
        with mock.patch.object(forms, "render_to_string", wraps=forms.render_to_string) as render:
            Client().get(self.article.get_absolute_url())
            Client().get(self.article.get_absolute_url(), {"replyto": self.reply_to.pk})
            Client().get(ArticleFactory().get_absolute_url())

        assert render.call_count == 1

    def test_a_reply_page_names_its_parent_in_the_hidden_field(self):
        content = (
            Client()
            .get(self.article.get_absolute_url(), {"replyto": self.reply_to.pk})
            .content.decode()
        )

        assert input_value(content, "parent") == str(self.reply_to.pk)

    def test_a_reader_with_saved_details_gets_a_form_of_their_own_with_a_time_token(self):
        client = Client()
        response = client.post(post_url(self.article), valid_data(remember="on"))
        assert remember.COOKIE_NAME in response.cookies

        page = client.get(self.article.get_absolute_url())

        content = page.content.decode()
        assert input_value(content, "email") == ADDRESS
        assert form_check.form_token_age(input_value(content, "timestamp")) < 5
        assert "no-store" in page["Cache-Control"]


class FormCheckTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def check(self, **extra):
        url = reverse("comments:form_check", kwargs={"slug": self.article.slug})
        return Client().get(url, **extra)

    def test_it_answers_a_1x1_gif_that_is_never_cached_without_a_query(self):
        with self.assertNumQueries(0):
            response = self.check()

        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert response.content == form_check.PIXEL
        assert response["Cache-Control"] == "no-store, private"

    @override_settings(SESSION_COOKIE_SECURE=False)
    def test_its_cookie_is_a_fresh_signed_token_scoped_to_posting(self):
        cookie = self.check().cookies[form_check.COOKIE_NAME]

        assert 0 <= forms.form_token_age(cookie.value) < 5
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"
        assert cookie["path"] == post_url(self.article)
        assert cookie["max-age"] == int(form_check.COOKIE_MAX_AGE.total_seconds())
        assert not cookie["secure"]
        assert self.check(secure=True).cookies[form_check.COOKIE_NAME]["secure"] is True

    def test_its_cookie_holds_a_time_and_a_random_value_only(self):
        first = self.check().cookies[form_check.COOKIE_NAME].value
        second = self.check().cookies[form_check.COOKIE_NAME].value

        value = signing.loads(first, salt=FORM_TOKEN_SALT)
        assert set(value) == {"t", "n"}
        assert first != second

    def test_only_get_is_answered(self):
        url = reverse("comments:form_check", kwargs={"slug": self.article.slug})
        assert Client().post(url).status_code == 405


class AnonymousPostingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def test_a_reader_posting_like_a_browser_is_taken(self):
        client = Client(enforce_csrf_checks=True)

        comment = submit_comment(
            client,
            self.article,
            "203.0.113.9",
            name="Ada",
            email=ADDRESS,
            body="Through the check.",
        )

        assert comment.body == "Through the check."
        assert comment.status != Comment.Status.SPAM

    def test_without_the_cookie_the_form_comes_back_with_a_token_then_posting_again_works(self):
        client = Client(enforce_csrf_checks=True)

        refused = client.post(post_url(self.article), reader_data())

        assert refused.status_code == 400
        content = refused.content.decode()
        assert BAD_TOKEN_MESSAGE in page_text(content)
        assert textarea_text(content) == BODY
        field_token = input_value(content, "timestamp")
        assert forms.form_token_age(field_token) < 5
        assert client.cookies[form_check.COOKIE_NAME].value == field_token
        assert Comment.objects.count() == 0

        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=30)):
            again = client.post(post_url(self.article), reader_data(timestamp=field_token))

        assert again.status_code == 302
        assert Comment.objects.get().body == BODY

    def test_a_hidden_token_without_the_cookie_is_not_enough(self):
        client = Client(enforce_csrf_checks=True)

        response = client.post(post_url(self.article), valid_data())

        assert response.status_code == 400
        assert BAD_TOKEN_MESSAGE in page_text(response.content.decode())
        assert Comment.objects.count() == 0

    def test_a_forged_cookie_is_no_cookie(self):
        client = checked_client()
        client.cookies[form_check.COOKIE_NAME] = form_token().replace(":", ":x", 1)

        response = client.post(post_url(self.article), reader_data())

        assert response.status_code == 400
        assert Comment.objects.count() == 0

    def test_a_posting_from_another_site_is_refused_with_403(self):
        response = checked_client().post(
            post_url(self.article), reader_data(), HTTP_ORIGIN="https://evil.example"
        )

        assert response.status_code == 403
        assert "sent from a page on another site" in page_text(response.content.decode())
        assert "no-store" in response["Cache-Control"]
        assert Comment.objects.count() == 0

    def test_an_opaque_null_origin_is_refused_too(self):
        response = checked_client().post(post_url(self.article), reader_data(), HTTP_ORIGIN="null")

        assert response.status_code == 403

    def test_a_posting_from_this_site_passes_the_origin_check(self):
        response = checked_client().post(
            post_url(self.article), reader_data(), HTTP_ORIGIN="http://testserver"
        )

        assert response.status_code == 302
        assert Comment.objects.count() == 1

    @override_settings(CSRF_TRUSTED_ORIGINS=["https://admin.news.example"])
    def test_an_origin_in_csrf_trusted_origins_may_post(self):
        response = checked_client().post(
            post_url(self.article), reader_data(), HTTP_ORIGIN="https://admin.news.example"
        )

        assert response.status_code == 302

    def test_over_https_without_origin_the_referer_must_be_this_site(self):
        url = post_url(self.article)
        page = f"https://testserver{self.article.get_absolute_url()}"

        missing = checked_client().post(url, reader_data(), secure=True)
        elsewhere = checked_client().post(
            url, reader_data(), secure=True, HTTP_REFERER="https://evil.example/"
        )
        here = checked_client().post(url, reader_data(), secure=True, HTTP_REFERER=page)

        assert missing.status_code == elsewhere.status_code == 403
        assert here.status_code == 302
        assert Comment.objects.count() == 1

    def test_a_cookie_loaded_a_second_ago_is_too_fast_and_marked_as_spam(self):
        response = checked_client(seconds_ago=1).post(post_url(self.article), reader_data())

        assert response.status_code == 302
        comment = Comment.objects.get()
        assert comment.status == Comment.Status.SPAM
        assert comment.moderation_rule == "too_fast"

    def test_an_expired_cookie_gets_the_expired_message_with_the_text_kept(self):
        response = checked_client(seconds_ago=25 * 3600).post(post_url(self.article), reader_data())

        assert response.status_code == 400
        content = response.content.decode()
        assert EXPIRED_MESSAGE.format(hours=24) in page_text(content)
        assert textarea_text(content) == BODY
        assert Comment.objects.count() == 0

    def test_a_successful_posting_gives_a_fresh_cookie(self):
        client = checked_client()
        old = client.cookies[form_check.COOKIE_NAME].value

        response = client.post(post_url(self.article), reader_data())

        assert response.status_code == 302
        new = response.cookies[form_check.COOKIE_NAME].value
        assert new != old
        assert forms.form_token_age(new) < 5

    def test_the_same_served_form_posted_twice_is_stored_once(self):
        client = checked_client()
        cookie = client.cookies[form_check.COOKIE_NAME].value

        client.post(post_url(self.article), reader_data())
        client.cookies[form_check.COOKIE_NAME] = cookie  # a double-click: both carry the first
        again = client.post(post_url(self.article), reader_data())

        assert again.status_code == 302
        assert Comment.objects.count() == 1

    def test_nothing_about_the_address_is_in_the_cookie_or_the_image_url(self):
        client = Client(enforce_csrf_checks=True)
        submit_comment(client, self.article, "203.0.113.9", name="Ada", email=ADDRESS, body="Hi.")
        page = client.get(self.article.get_absolute_url()).content.decode()
        response = client.get(form_check_url(page))

        value = response.cookies[form_check.COOKIE_NAME].value
        assert set(signing.loads(value, salt=FORM_TOKEN_SALT)) == {"t", "n"}
        assert form_check_url(page) == reverse(
            "comments:form_check", kwargs={"slug": self.article.slug}
        )
        assert ADDRESS.encode() not in response.serialize()


class StaffPostingTests(TestCase):
    """A moderator's form is theirs alone and keeps Django's full CSRF check."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.moderator = StaffFactory(username="mod", first_name="Mira", role="Moderator")

    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(self.moderator)

    def test_a_moderators_form_carries_the_csrf_token_and_a_time_token(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode()

        assert input_value(content, "csrfmiddlewaretoken")
        assert forms.form_token_age(input_value(content, "timestamp")) < 5

    def test_without_the_csrf_token_a_moderators_posting_is_refused(self):
        client = self.client
        client.cookies[form_check.COOKIE_NAME] = form_token(time.time() - 60)

        response = client.post(post_url(self.article), valid_data())

        assert response.status_code == 403
        assert Comment.objects.count() == 0

    def test_with_the_csrf_token_from_the_page_a_moderator_posts(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode()
        token = input_value(content, "csrfmiddlewaretoken")

        response = self.client.post(
            post_url(self.article),
            valid_data(csrfmiddlewaretoken=token, timestamp=input_value(content, "timestamp")),
        )

        assert response.status_code == 302
        assert Comment.objects.get().staff_user == self.moderator
