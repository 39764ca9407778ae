"""Confirming a commenter's address: the offer, the signed link, the proof cookie, and trust."""

import datetime
import re
from unittest import mock

import time_machine
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments import signals
from comments.commenters import verification
from comments.commenters.privacy import digest
from comments.commenters.signed_links import InvalidLink
from comments.models import Comment, CommenterAddress, DiscussionSettings
from tests.comments.html import input_value, page_text
from tests.comments.posting import valid_data
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

ADDRESS = "confirm.me@private-mail.example"
OFFER_BUTTON = "Email me a confirmation link"


def form_data(**overrides):
    return valid_data(**{"email": ADDRESS, "body": "A first comment.", **overrides})


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

    def ask_for_link(self, client=None, **overrides):
        """Post a comment, then press the offered button; return the link sent."""
        client = client or self.client
        page = self.post_comment(client, **overrides).content.decode()
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
        assert "The link works once, for 7 days." in " ".join(message.body.split())

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
        # Answered as the first time: the owner's earlier request must not show (issue 10).
        text = page_text(response.content.decode())
        assert "We have sent you a confirmation link." in text
        assert "at most one every few minutes" in text

    def test_a_forged_button_token_is_refused_clearly(self):
        forged = signing.dumps(1, salt="another-salt")

        response = self.client.post(reverse("comments:request_confirmation"), {"token": forged})

        assert response.status_code == 400
        assert "This button has expired" in page_text(response.content.decode())
        assert mail.outbox == []

    def test_spam_is_offered_the_button_like_a_held_comment_and_pressing_it_sends_nothing(self):
        """A disallowed address is marked as spam: were spam answered differently from a held
        first comment, the answer would tell whether an address is on the list (issue 10)."""
        held = self.post_comment(Client(), email="held@mail.example").content.decode()
        spam = self.post_comment(subject="bot").content.decode()

        with self.captureOnCommitCallbacks(execute=True):
            pressed = self.client.post(
                reverse("comments:request_confirmation"),
                {"token": input_value(spam, "token")},
                follow=True,
            )

        assert OFFER_BUTTON in held
        assert OFFER_BUTTON in spam
        assert pressed.status_code == 200
        assert "We have sent you a confirmation link." in page_text(pressed.content.decode())
        assert mail.outbox == []


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

    def test_confirming_approves_this_browsers_comments_held_only_for_lack_of_proof(self):
        CommentFactory(email=ADDRESS, body="Approved earlier.")
        CommenterAddress.objects.create(email=ADDRESS, verified_at=timezone.now())
        DiscussionSettings.objects.update(max_links=0)
        self.post_comment(body="Held for proof.")
        self.post_comment(body="Held for its link: https://example.com/")
        approved = []

        def receiver(sender, comment, **kwargs):
            approved.append(comment.pk)

        signals.comment_approved.connect(receiver)
        self.addCleanup(signals.comment_approved.disconnect, receiver)
        link = self.ask_for_link()

        response = self.confirm(link)

        held_for_proof = Comment.objects.get(body="Held for proof.")
        held_for_links = Comment.objects.get(body__startswith="Held for its link")
        # The comment posted to ask for the link was held for the same reason.
        just_posted = Comment.objects.get(body="A first comment.")
        assert held_for_proof.status == just_posted.status == Comment.Status.APPROVED
        assert held_for_proof.moderation_rule == "trusted"
        assert held_for_links.status == Comment.Status.PENDING
        assert sorted(approved) == sorted([held_for_proof.pk, just_posted.pk])
        assert "2 comments you posted from this browser are now published." in page_text(
            response.content.decode()
        )

    def test_a_distrusted_address_is_not_trusted_even_when_proven(self):
        self.trusted_browser()
        CommenterAddress.objects.update(distrusted_at=timezone.now())

        self.post_comment(body="After spam.")

        assert Comment.objects.get(body="After spam.").moderation_rule == "distrusted"


class ImpersonationTests(VerificationTestCase):
    """Someone else types the owner's address in another browser: confirming the address
    publishes only what was written in the browser that confirms it."""

    def setUp(self):
        self.owner = self.client
        self.impostor = Client()
        # A moderator approved the owner's first comment: confirming makes the address trusted.
        self.post_comment(self.owner, body="My first comment.")
        Comment.objects.get(body="My first comment.").approve()

    def test_confirming_in_the_owners_browser_leaves_the_impostors_comment_held(self):
        self.post_comment(self.impostor, name="Impostor", body="Written by someone else.")
        link = self.ask_for_link(self.owner, body="Mine, held until I confirm.")

        response = self.confirm(link, self.owner)

        impostors = Comment.objects.get(body="Written by someone else.")
        owners = Comment.objects.get(body="Mine, held until I confirm.")
        assert owners.status == Comment.Status.APPROVED
        assert impostors.status == Comment.Status.PENDING
        assert impostors.moderation_rule == "unconfirmed"
        assert impostors.held_reason == "held: address not confirmed yet"
        content = response.content.decode()
        text = page_text(content)
        assert "1 comment you posted from this browser is now published." in text
        assert (
            "1 comment under your address, posted from another browser, still waits for a "
            "moderator." in text
        )
        assert "Written by someone else." not in content
        assert "Impostor" not in content

    def test_an_impostor_asking_for_the_link_gets_nothing_of_theirs_published(self):
        self.post_comment(self.owner, body="Mine, held until I confirm.")
        link = self.ask_for_link(self.impostor, name="Impostor", body="Written by someone else.")
        assert mail.outbox[-1].to == [ADDRESS]

        # The owner receives the message and follows it in their own browser.
        self.confirm(link, self.owner)

        assert Comment.objects.get(body="Mine, held until I confirm.").status == (
            Comment.Status.APPROVED
        )
        assert Comment.objects.get(body="Written by someone else.").status == (
            Comment.Status.PENDING
        )

    def test_confirming_in_a_browser_that_never_commented_publishes_nothing(self):
        self.post_comment(self.impostor, name="Impostor", body="Written by someone else.")
        link = self.ask_for_link(self.owner, body="Mine, held until I confirm.")

        response = self.confirm(link, Client())

        assert not Comment.objects.filter(status=Comment.Status.APPROVED).exclude(
            body="My first comment."
        )
        assert CommenterAddress.objects.get().verified_at is not None
        text = page_text(response.content.decode())
        assert "now published" not in text
        assert (
            "2 comments under your address, posted from other browsers, still wait for a "
            "moderator." in text
        )

    def test_the_owner_can_confirm_again_from_another_browser_of_theirs(self):
        first = self.ask_for_link(self.owner, body="From my laptop.")
        self.confirm(first, self.owner)
        phone = Client()
        cache.clear()  # the resend interval
        second = self.ask_for_link(phone, body="From my phone.")

        self.confirm(second, phone)

        assert Comment.objects.get(body="From my phone.").status == Comment.Status.APPROVED


class BrowserIdTests(VerificationTestCase):
    """Each commenting browser gets a random id; comments store a keyed digest of it."""

    def post_once(self, client=None, **extra):
        client = client or self.client
        return client.post(
            reverse("comments:post", kwargs={"slug": self.article.slug}),
            form_data(body=f"Comment {Comment.objects.count()}"),
            **extra,
        )

    def test_posting_gives_the_browser_a_random_httponly_cookie(self):
        response = self.post_once(secure=True)

        cookie = response.cookies[verification.BROWSER_COOKIE]
        assert cookie["httponly"]
        assert cookie["secure"]
        assert cookie["samesite"] == "Lax"
        assert int(cookie["max-age"]) >= 300 * 24 * 3600
        assert len(cookie.value) >= 40
        assert ADDRESS not in cookie.value
        assert digest(ADDRESS) not in cookie.value
        stored = Comment.objects.get().browser_digest
        assert len(stored) == 64
        assert cookie.value not in stored

    def test_the_cookie_is_not_secure_over_plain_http(self):
        response = self.post_once()

        assert not response.cookies[verification.BROWSER_COOKIE]["secure"]

    def test_a_browser_keeps_its_id_and_another_browser_gets_its_own(self):
        first = self.post_once().cookies[verification.BROWSER_COOKIE].value
        again = self.post_once().cookies[verification.BROWSER_COOKIE].value
        other = self.post_once(Client()).cookies[verification.BROWSER_COOKIE].value

        assert first == again != other
        digests = list(Comment.objects.order_by("pk").values_list("browser_digest", flat=True))
        assert digests[0] == digests[1] != digests[2]

    def test_a_malformed_browser_cookie_is_replaced(self):
        self.client.cookies[verification.BROWSER_COOKIE] = "chosen-by-hand"

        cookie = self.post_once().cookies[verification.BROWSER_COOKIE]

        assert cookie.value != "chosen-by-hand"
        assert len(cookie.value) >= 40

    def test_reading_pages_sets_no_id_and_pages_do_not_vary_with_it(self):
        anonymous = self.client.get(self.article.get_absolute_url())
        self.post_comment()  # follows the redirect: the thank-you message is shown and spent
        assert verification.BROWSER_COOKIE in self.client.cookies
        # A reader holding the browser id alone (the posting's other cookies, such as the spent
        # message, make a page the reader's own anyway: config/page_cache.py).
        reader = Client()
        reader.cookies[verification.BROWSER_COOKIE] = self.client.cookies[
            verification.BROWSER_COOKIE
        ].value

        with_id = reader.get(self.article.get_absolute_url())

        assert verification.BROWSER_COOKIE not in anonymous.cookies
        assert verification.BROWSER_COOKIE not in with_id.cookies
        # The same shared page: both may be kept by shared caches, neither varies on Cookie.
        for response in (anonymous, with_id):
            assert response.get("Cache-Control", "").startswith("public")
        assert with_id.get("Vary") == anonymous.get("Vary")


class SingleUseLinkTests(VerificationTestCase):
    USED = "This confirmation link has already been used."

    def test_a_used_link_cannot_be_used_again(self):
        link = self.ask_for_link()
        assert self.confirm(link).status_code == 200

        again = self.confirm(link)
        opened = self.client.get(link)

        for response in (again, opened):
            assert response.status_code == 400
            assert self.USED in page_text(response.content.decode())

    def test_of_two_presses_checked_at_the_same_moment_only_one_uses_the_link(self):
        token = self.ask_for_link().rstrip("/").rsplit("/", 1)[1]
        first, second = verification.link_from_token(token), verification.link_from_token(token)

        verification.use_link(first)

        with self.assertRaises(InvalidLink) as refused:
            verification.use_link(second)
        assert refused.exception.message.startswith(self.USED)

    def test_a_used_link_publishes_nothing_in_another_browser(self):
        CommentFactory(email=ADDRESS, body="Approved earlier.")
        link = self.ask_for_link()
        self.confirm(link)
        impostor = Client()
        self.post_comment(impostor, name="Impostor", body="Written by someone else.")

        # The used link leaks (a forwarded message): in the impostor's browser it does nothing.
        response = self.confirm(link, impostor)

        assert response.status_code == 400
        assert Comment.objects.get(body="Written by someone else.").status == (
            Comment.Status.PENDING
        )
        assert verification.PROOF_COOKIE not in response.cookies

    def test_asking_again_keeps_earlier_links_working_until_one_is_used(self):
        first = self.ask_for_link()
        cache.clear()  # the resend interval
        second = self.ask_for_link(body="Asking again.")

        assert self.confirm(first).status_code == 200
        assert self.USED in page_text(self.confirm(second).content.decode())

    def test_a_new_link_works_after_the_last_one_was_used(self):
        self.confirm(self.ask_for_link())
        cache.clear()  # the resend interval
        other_browser = Client()

        link = self.ask_for_link(other_browser, body="From another browser.")
        response = self.confirm(link, other_browser)

        assert response.status_code == 200
        assert "Your address is confirmed" in response.content.decode()


class LinkOriginTests(VerificationTestCase):
    """Links in messages point at SITE_URL, whatever Host header the request carried."""

    FORGED = "attacker.example"

    @override_settings(SITE_URL="https://news.example", ALLOWED_HOSTS=["testserver", FORGED])
    def test_the_confirmation_link_is_on_site_url_despite_a_forged_host(self):
        page = self.client.post(
            reverse("comments:post", kwargs={"slug": self.article.slug}),
            form_data(),
            follow=True,
            HTTP_HOST=self.FORGED,
        ).content.decode()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("comments:request_confirmation"),
                {"token": input_value(page, "token")},
                HTTP_HOST=self.FORGED,
            )

        [message] = mail.outbox
        assert self.FORGED not in message.body
        assert re.search(r"^https://news\.example/comments/confirm/\S+/$", message.body, re.M)

    @override_settings(SITE_URL="https://news.example", ALLOWED_HOSTS=["testserver", FORGED])
    def test_every_message_a_forged_host_sets_off_links_only_to_site_url(self):
        StaffFactory(role="Moderator")
        CommentFactory(article=self.article, email=ADDRESS, body="Approved earlier.")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("comments:post", kwargs={"slug": self.article.slug}),
                form_data(notify_replies="on"),
                HTTP_HOST=self.FORGED,
            )
        [confirm_link] = re.findall(r"https?://\S+/comments/confirm/\S+/", mail.outbox[-1].body)
        self.confirm(confirm_link, HTTP_HOST=self.FORGED)

        assert [message.subject for message in mail.outbox] == [
            "[Byline] 1 comment waiting for moderation",
            "[Byline] Confirm reply notifications",
            f"[Byline] Your comment on “{self.article.title}” is published",
        ]
        for message in mail.outbox:
            urls = re.findall(r"https?://\S+", message.body)
            headers = message.extra_headers.values()
            urls += [value.strip("<>") for value in headers if "://" in value]
            assert urls, message.subject
            for url in urls:
                assert url.startswith("https://news.example/"), (message.subject, url)
