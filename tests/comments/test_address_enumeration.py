"""Posting a comment never tells whether Byline knows an address (issue 10, hole 1).

The duplicate check used to answer "You have already posted this comment on this article" to
whoever posted a public comment's text under its author's address, even with the name left
empty and nothing stored: about thirty guesses found the address, well under the flood limit.
These tests post the same submissions under an address Byline knows and under one it does
not, each from a fresh browser on the same data, and compare every answer byte for byte once
the per-request tokens (CSRF, the form's time token, the confirmation offer) and the echoed
address are masked.
"""

import datetime
import re

import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from comments import form_check
from comments.commenters import verification
from comments.commenters.avatars import avatar_svg
from comments.commenters.privacy import digest
from comments.models import Comment, CommenterAddress, DiscussionSettings
from tests.comments.html import input_value, page_text
from tests.comments.posting import valid_data
from tests.factories import ArticleFactory, CommentFactory

KNOWN = "owner@private-mail.example"
UNKNOWN = "guess@private-mail.example"
PUBLIC_TEXT = "The tariff figures in the second paragraph are from 2019, not 2023."

TOKEN_INPUT = re.compile(
    r'(<input[^>]*\bname="(?:csrfmiddlewaretoken|timestamp|token)"[^>]*\bvalue=")[^"]*(")'
)
#: Cookies whose value is a token: CSRF, the flash messages (they carry the offer token), the
#: browser's random id (verification.BROWSER_COOKIE) and the form check's time token.
TOKEN_COOKIES = {"csrftoken", "messages", verification.BROWSER_COOKIE, form_check.COOKIE_NAME}
#: Content-Length follows from the body, which is compared masked; X-Request-ID is new for
#: every request (config/logs.py).
UNCOMPARED_HEADERS = {"Content-Length", "X-Request-ID"}
AVATAR = re.compile(r'<svg class="comment__avatar".*?</svg>', re.S)


def masked_content(content, address):
    content = TOKEN_INPUT.sub(r"\1TOKEN\2", content)
    return content.replace(address, "ADDRESS")


def snapshot(response, address):
    """Everything a browser receives, with tokens and the echoed address masked."""
    headers = {
        name: masked_content(value, address)
        for name, value in response.headers.items()
        if name not in UNCOMPARED_HEADERS
    }
    cookies = {}
    for name, morsel in response.cookies.items():
        value = "TOKEN" if name in TOKEN_COOKIES and morsel.value else morsel.value
        attributes = {key: morsel[key] for key in morsel}
        cookies[name] = (value, sorted(attributes.items()))
    return {
        "status": response.status_code,
        "headers": headers,
        "cookies": cookies,
        "body": masked_content(response.content.decode(), address),
    }


def avatar_beside(content, pk):
    """The avatar drawn beside comment `pk` on a page."""
    return AVATAR.search(content.split(f'id="comment-{pk}"', 1)[1]).group(0)


def rules(**changes):
    DiscussionSettings.objects.filter(pk=DiscussionSettings.current().pk).update(**changes)


def ten_seconds_into_a_minute():
    return timezone.now().replace(second=10, microsecond=0) + datetime.timedelta(minutes=1)


class SameAnswerTestCase(TestCase):
    """Compare what a fresh browser is answered under a known and an unknown address."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Tariff talks")
        # Posted from the owner's own browser: drawn with the address's avatar.
        cls.public = CommentFactory(
            article=cls.article, name="Owner", email=KNOWN, body=PUBLIC_TEXT, proven=True
        )

    def post_url(self):
        return reverse("comments:post", kwargs={"slug": self.article.slug})

    def answers(self, address, body=PUBLIC_TEXT, before=None):
        """What a fresh browser is answered, in order, posting `body` under `address`.

        First with the name left empty (refused), then complete; then the page it is sent to,
        the "Email me a confirmation link" button's answer (when offered) and the page after
        it. Run on a copy of the data and an empty cache, rolled back afterwards, so that each
        address meets the same site; `before` sets up what the owner did first, if anything.
        """
        with transaction.atomic():
            cache.clear()
            if before:
                before()
            client = Client()
            seen = []

            def keep(response):
                seen.append(snapshot(response, address))
                return response

            keep(client.post(self.post_url(), valid_data(name="", email=address, body=body)))
            posted = keep(client.post(self.post_url(), valid_data(email=address, body=body)))
            if posted.status_code == 302:
                page = keep(client.get(posted["Location"])).content.decode()
                if 'name="token"' in page:
                    pressed = keep(
                        client.post(
                            reverse("comments:request_confirmation"),
                            {"token": input_value(page, "token")},
                        )
                    )
                    if pressed.status_code == 302:
                        keep(client.get(pressed["Location"]))
            transaction.set_rollback(True)
        cache.clear()
        return seen

    def assert_same_answers(self, known, unknown=UNKNOWN, **kwargs):
        with time_machine.travel(ten_seconds_into_a_minute(), tick=False):
            for mode in self.modes:
                with self.subTest(mode=mode):
                    rules(mode=mode)
                    known_answers = self.answers(known, **kwargs)
                    unknown_answers = self.answers(unknown, **kwargs)
                    assert [answer["status"] for answer in known_answers][:2] == [400, 302]
                    assert known_answers == unknown_answers

    modes = [DiscussionSettings.Mode.TRUSTED, DiscussionSettings.Mode.HOLD_ALL]


class KnownAddressAnswersLikeAnyTests(SameAnswerTestCase):
    def test_repeating_a_public_comment_under_its_address_answers_like_a_first_post(self):
        self.assert_same_answers(KNOWN)

    def test_the_address_typed_in_another_case_answers_alike_too(self):
        self.assert_same_answers("Owner@Private-Mail.EXAMPLE")

    def test_repeating_a_held_comment_under_its_address_answers_like_a_first_post(self):
        Comment.objects.filter(pk=self.public.pk).update(status=Comment.Status.PENDING)

        self.assert_same_answers(KNOWN)

    def test_a_trusted_address_typed_in_another_browser_answers_like_a_first_post(self):
        CommenterAddress.objects.create(email=KNOWN, verified_at=timezone.now())

        self.assert_same_answers(KNOWN, body="Another thought on the figures.")

    def test_an_address_marked_as_spam_before_answers_like_a_first_post(self):
        CommenterAddress.objects.create(email=KNOWN, distrusted_at=timezone.now())

        self.assert_same_answers(KNOWN, body="Another thought on the figures.")

    def test_a_disallowed_address_is_answered_like_a_held_first_comment(self):
        rules(disallowed_email_digests=[digest(KNOWN)])

        self.assert_same_answers(KNOWN, body="Another thought on the figures.")

    def test_the_button_answers_alike_when_the_owner_just_asked_for_a_link(self):
        def owner_asks_for_a_link():
            owner = Client()
            owner.post(
                self.post_url(),
                valid_data(email=KNOWN, body="The owner's own comment."),
                REMOTE_ADDR="198.51.100.20",
            )
            page = owner.get(self.article.get_absolute_url()).content.decode()
            owner.post(
                reverse("comments:request_confirmation"), {"token": input_value(page, "token")}
            )

        self.assert_same_answers(
            KNOWN, body="Another thought on the figures.", before=owner_asks_for_a_link
        )


class ApproveEveryCommentAnswersLikeAnyTests(SameAnswerTestCase):
    """With every comment approved on arrival, the posting is published under either address.

    The new comment's id differs between two postings whatever the address, and so does its
    avatar: a comment from a browser that does not prove its address draws an avatar of its
    own (comments/commenters/avatars.py). Both are masked, the avatar only once it is shown not to
    be the owner's: a guessed address never gets the owner's avatar. Every other avatar on the page
    (the owner's) is compared as it is. A disallowed address cannot answer like the others in
    this mode (its comment is not published), so it is not among these cases.
    """

    modes = [DiscussionSettings.Mode.APPROVE_ALL]

    def answers(self, address, **kwargs):
        answers = super().answers(address, **kwargs)
        owners_avatar = avatar_beside(answers[-1]["body"], self.public.pk)
        assert owners_avatar == avatar_svg(self.public)
        checked = 0
        for answer in answers:
            body = answer["body"]
            for pk in {int(pk) for pk in re.findall(r'id="comment-(\d+)"', body)}:
                if pk != self.public.pk:
                    avatar = avatar_beside(body, pk)
                    assert avatar != owners_avatar, f"{address} drew the owner's avatar"
                    body = body.replace(avatar, "NEW COMMENT'S AVATAR")
                    checked += 1
            answer["body"] = body
            for part in ("body", "headers"):
                text = repr(answer[part])
                text = re.sub(r"comment-\d+", "comment-N", text)
                text = re.sub(r"replyto=\d+", "replyto=N", text)
                answer[part] = text
        assert checked  # the new comment was on a page, and its avatar was checked
        return answers

    def test_repeating_a_public_comment_under_its_address_publishes_it_like_a_first_post(self):
        self.assert_same_answers(KNOWN)

    def test_the_address_in_another_case_is_published_like_a_first_post_too(self):
        self.assert_same_answers("Owner@Private-Mail.EXAMPLE", body="Another thought.")

    def test_a_trusted_address_typed_in_another_browser_is_published_like_any(self):
        CommenterAddress.objects.create(email=KNOWN, verified_at=timezone.now())

        self.assert_same_answers(KNOWN, body="Another thought on the figures.")


class GuessingAnAddressTests(TestCase):
    """The attack from the issue: a public comment's text, an empty name, guessed addresses."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.public = CommentFactory(
            article=cls.article, name="Owner", email=KNOWN, body=PUBLIC_TEXT
        )

    def test_thirty_guesses_learn_nothing_and_meet_the_flood_limit(self):
        guesses = [f"guess{n:02}@private-mail.example" for n in range(30)]
        guesses[3] = "OWNER@private-mail.example"
        guesses[4] = KNOWN
        guesses[20] = KNOWN
        url = reverse("comments:post", kwargs={"slug": self.article.slug})
        self.client.get(self.article.get_absolute_url())  # the page, and its CSRF cookie

        with time_machine.travel(ten_seconds_into_a_minute(), tick=False):
            answers = [
                snapshot(
                    self.client.post(url, valid_data(name="", email=guess, body=PUBLIC_TEXT)),
                    guess,
                )
                for guess in guesses
            ]

        limit = DiscussionSettings.current().comments_per_ip_per_minute
        assert [answer["status"] for answer in answers] == [400] * limit + [429] * (30 - limit)
        refused, paused = answers[:limit], answers[limit:]
        assert all(answer == refused[0] for answer in refused)
        assert all(answer == paused[0] for answer in paused)
        assert "already posted" not in page_text(refused[0]["body"])
        assert Comment.objects.count() == 1


class AddressLimitAnswersLikeAnyTests(TestCase):
    """An address's used-up hourly allowance is refused alike whether Byline knows the address,
    trusts it and has its owner's browser proving it elsewhere, or has never seen it: only the
    browser holding the proof is exempt, never the address itself."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        CommentFactory(article=cls.article, name="Owner", email=KNOWN, proven=True)
        CommenterAddress.objects.create(email=KNOWN, verified_at=timezone.now())

    def answers(self, address):
        """A fresh browser posts under `address` with the name left empty, from three IPs."""
        url = reverse("comments:post", kwargs={"slug": self.article.slug})
        with transaction.atomic():
            cache.clear()
            client = Client()
            seen = [
                snapshot(
                    client.post(
                        url, valid_data(name="", email=address), REMOTE_ADDR=f"198.51.100.{n}"
                    ),
                    address,
                )
                for n in range(1, 4)
            ]
            transaction.set_rollback(True)
        cache.clear()
        return seen

    def test_a_known_addresss_allowance_runs_out_like_any_other(self):
        rules(comments_per_ip_per_minute=0, comments_per_address_per_hour=2)

        with time_machine.travel(ten_seconds_into_a_minute(), tick=False):
            known, unknown = self.answers(KNOWN), self.answers(UNKNOWN)

        assert [answer["status"] for answer in known] == [400, 400, 429]
        assert known == unknown
