"""Confirming a commenter's address: the offer, the signed link, the proof cookie, and trust."""

import datetime
import re
from unittest import mock

import time_machine
from django.core import mail, signing
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from comments import signals, verification
from comments.models import Comment, CommenterAddress, DiscussionSettings
from comments.privacy import digest
from tests.comments.html import input_value, page_text
from tests.comments.posting import form_extras
from tests.factories import ArticleFactory, CommentFactory

ADDRESS = "confirm.me@private-mail.example"
OFFER_BUTTON = "Email me a confirmation link"


def form_data(**overrides):
    return {
        "name": "Ada Reader",
        "email": ADDRESS,
        "website": "",
        "body": "A first comment.",
        "parent": "",
        **form_extras(),
        **overrides,
    }


class VerificationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def post_comment(self, client=None, **overrides):
        return (client or self.client).post(
            reverse("comments:post", kwargs={"slug": self.article.slug}),
            form_data(**overrides),
            follow=True,
        )

    def ask_for_link(self, client=None):
        """Post a comment, then press the offered button; return the link sent."""
        client = client or self.client
        page = self.post_comment(client).content.decode()
        token = input_value(page, "token")
        with self.captureOnCommitCallbacks(execute=True):
            client.post(reverse("comments:request_confirmation"), {"token": token})
        return re.search(r"https?://\S+/comments/confirm/\S+/", mail.outbox[-1].body).group(0)

    def confirm(self, link, client=None, **extra):
        with self.captureOnCommitCallbacks(execute=True):
            return (client or self.client).post(link, **extra)


class OfferTests(VerificationTestCase):
    def test_after_a_first_comment_the_thank_you_offers_a_confirmation_link(self):
        response = self.post_comment()

        content = response.content.decode()
        form = re.search(r'<form class="confirm-offer".*?</form>', content, re.S).group(0)
        assert 'method="post"' in form
        assert f'action="{reverse("comments:request_confirmation")}"' in form
        assert OFFER_BUTTON in form
        assert 'name="csrfmiddlewaretoken"' in form
        assert ADDRESS not in content
        assert digest(ADDRESS) not in content

    def test_the_button_emails_a_link_to_the_address_and_says_so(self):
        page = self.post_comment().content.decode()

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("comments:request_confirmation"),
                {"token": input_value(page, "token")},
                follow=True,
            )

        assert "We have sent you a confirmation link." in page_text(response.content.decode())
        [message] = mail.outbox
        assert message.to == [ADDRESS]
        assert "Confirm your address" in message.subject
        assert "/comments/confirm/" in message.body
        assert "works for 7 days" in message.body

    def test_the_queued_task_holds_no_address(self):
        page = self.post_comment().content.decode()

        with (
            mock.patch.object(verification, "send_confirmation") as task,
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.client.post(
                reverse("comments:request_confirmation"), {"token": input_value(page, "token")}
            )

        [call] = task.enqueue.call_args_list
        assert call.args[0] == CommenterAddress.objects.get().pk
        assert ADDRESS not in repr(call)
        assert digest(ADDRESS) not in repr(call)

    def test_asking_again_within_minutes_sends_no_second_message(self):
        self.ask_for_link()
        page = self.post_comment(body="Second").content.decode()

        response = self.client.post(
            reverse("comments:request_confirmation"),
            {"token": input_value(page, "token")},
            follow=True,
        )

        assert len(mail.outbox) == 1
        assert "was sent to your address a few minutes ago" in page_text(response.content.decode())

    def test_a_forged_button_token_is_refused_clearly(self):
        forged = signing.dumps(1, salt="another-salt")

        response = self.client.post(reverse("comments:request_confirmation"), {"token": forged})

        assert response.status_code == 400
        assert "This button has expired" in page_text(response.content.decode())
        assert mail.outbox == []

    def test_spam_gets_no_offer(self):
        response = self.post_comment(subject="bot")

        assert OFFER_BUTTON not in response.content.decode()


class ConfirmationLinkTests(VerificationTestCase):
    def test_opening_the_link_confirms_nothing_until_the_button_is_pressed(self):
        link = self.ask_for_link()

        response = self.client.get(link)

        assert response.status_code == 200
        assert "Confirm my address" in response.content.decode()
        assert CommenterAddress.objects.get().verified_at is None
        assert verification.PROOF_COOKIE not in response.cookies

    def test_pressing_the_button_verifies_the_address_and_sets_the_proof_cookie(self):
        link = self.ask_for_link()

        response = self.confirm(link, secure=True)

        assert response.status_code == 200
        assert "Your address is confirmed" in response.content.decode()
        address = CommenterAddress.objects.get()
        assert address.verified_at is not None
        cookie = response.cookies[verification.PROOF_COOKIE]
        assert cookie["httponly"]
        assert cookie["secure"]
        assert cookie["samesite"] == "Lax"
        assert ADDRESS not in cookie.value
        assert digest(ADDRESS) not in cookie.value
        assert cookie.value.split(":")[0] == str(address.pk)

    def test_the_cookie_is_not_secure_over_plain_http(self):
        response = self.confirm(self.ask_for_link())

        assert not response.cookies[verification.PROOF_COOKIE]["secure"]

    def test_an_expired_link_gets_a_clear_page(self):
        link = self.ask_for_link()

        with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
            response = self.confirm(link)

        assert response.status_code == 400
        assert "This confirmation link has expired." in page_text(response.content.decode())
        assert CommenterAddress.objects.get().verified_at is None

    def test_a_tampered_link_gets_a_clear_page(self):
        link = self.ask_for_link()

        response = self.client.get(link[:-3] + "xx/")

        assert response.status_code == 400
        assert "This confirmation link is not valid." in page_text(response.content.decode())

    def test_a_link_for_an_erased_address_gets_a_clear_page(self):
        link = self.ask_for_link()
        CommenterAddress.objects.all().delete()

        response = self.confirm(link)

        assert response.status_code == 400
        assert "an address we no longer hold" in page_text(response.content.decode())

    def test_confirming_sends_address_confirmed(self):
        heard = []

        def receiver(sender, commenter_address, **kwargs):
            heard.append(commenter_address)

        signals.address_confirmed.connect(receiver)
        self.addCleanup(signals.address_confirmed.disconnect, receiver)

        self.confirm(self.ask_for_link())

        assert heard == [CommenterAddress.objects.get()]


class TrustTests(VerificationTestCase):
    def trusted_browser(self):
        """This browser confirmed the address, and a moderator approved its first comment."""
        link = self.ask_for_link()
        Comment.objects.get(body="A first comment.").approve()
        self.confirm(link)

    def test_a_trusted_commenter_is_approved_from_the_confirmed_browser(self):
        self.trusted_browser()

        self.post_comment(body="Now trusted.")

        comment = Comment.objects.get(body="Now trusted.")
        assert comment.status == Comment.Status.APPROVED
        assert comment.held_reason == "approved: trusted commenter"

    def test_someone_else_typing_the_trusted_address_is_held(self):
        self.trusted_browser()

        self.post_comment(Client(), name="Impostor", body="Pretending.")

        comment = Comment.objects.get(body="Pretending.")
        assert comment.status == Comment.Status.PENDING
        assert comment.held_reason == "held: unverified comment under a trusted address"

    def test_the_cookie_proves_only_its_own_address(self):
        self.trusted_browser()
        CommentFactory(email="other@mail.example")
        CommenterAddress.objects.create(email="other@mail.example", verified_at=timezone.now())

        self.post_comment(email="other@mail.example", body="Other address.")

        assert Comment.objects.get(body="Other address.").moderation_rule == "unproven"

    def test_a_forged_proof_cookie_proves_nothing(self):
        CommentFactory(email=ADDRESS)
        address = CommenterAddress.objects.create(email=ADDRESS, verified_at=timezone.now())
        self.client.cookies[verification.PROOF_COOKIE] = str(address.pk)

        self.post_comment(body="Forged.")

        assert Comment.objects.get(body="Forged.").moderation_rule == "unproven"

    def test_confirming_approves_comments_held_only_for_lack_of_proof(self):
        CommentFactory(email=ADDRESS, body="Approved earlier.")
        CommenterAddress.objects.create(email=ADDRESS, verified_at=timezone.now())
        DiscussionSettings.objects.update(max_links=0)
        held_for_proof = CommentFactory(
            email=ADDRESS, status=Comment.Status.PENDING, moderation_rule="unproven"
        )
        held_for_links = CommentFactory(
            email=ADDRESS, status=Comment.Status.PENDING, moderation_rule="links"
        )
        approved = []

        def receiver(sender, comment, **kwargs):
            approved.append(comment.pk)

        signals.comment_approved.connect(receiver)
        self.addCleanup(signals.comment_approved.disconnect, receiver)
        link = self.ask_for_link()

        response = self.confirm(link)

        held_for_proof.refresh_from_db()
        held_for_links.refresh_from_db()
        # The comment posted to ask for the link was held for the same reason.
        just_posted = Comment.objects.get(body="A first comment.")
        assert held_for_proof.status == just_posted.status == Comment.Status.APPROVED
        assert held_for_proof.moderation_rule == "trusted"
        assert held_for_links.status == Comment.Status.PENDING
        assert sorted(approved) == sorted([held_for_proof.pk, just_posted.pk])
        assert "2 comments waiting for this confirmation are now published." in page_text(
            response.content.decode()
        )

    def test_a_distrusted_address_is_not_trusted_even_when_proven(self):
        self.trusted_browser()
        CommenterAddress.objects.update(distrusted_at=timezone.now())

        self.post_comment(body="After spam.")

        assert Comment.objects.get(body="After spam.").moderation_rule == "distrusted"
