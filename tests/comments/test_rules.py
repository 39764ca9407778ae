"""The moderation rules, one by one: what each decides and the reason it records."""

import datetime
import re
from unittest import mock

import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory, TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import form_check, moderation, signals
from comments.admin.discussion_settings import DiscussionSettingsAdmin, DiscussionSettingsForm
from comments.commenters import verification
from comments.commenters.privacy import digest
from comments.forms import form_token_age
from comments.models import Comment, CommenterAddress, DiscussionSettings
from tests.comments.html import page_text, textarea_text
from tests.comments.posting import form_extras, post_url, prove_address, valid_data
from tests.factories import ArticleFactory, CommentFactory, StaffFactory
from tests.helpers import migrated_to, migrated_to_just_before, migrated_to_the_latest

ADDRESS = "ada.reader@mail.example"


def rules(**changes):
    row = DiscussionSettings.current()
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    return row


def submission(article, *, proven=False, seconds=60.0, honeypot=False, **fields):
    values = {
        "name": "Ada Reader",
        "email": ADDRESS,
        "body": "A fair point about the tariffs.",
        "ip_address": "203.0.113.7",
        "user_agent": "TestBrowser/1.0",
        **fields,
    }
    return moderation.Submission(
        comment=Comment(article=article, **values),
        address_proven=proven,
        seconds_to_post=seconds,
        honeypot_filled=honeypot,
    )


def trusted_address(address=ADDRESS, article=None):
    """An address that is verified and holds an approved comment."""
    CommentFactory(email=address, **({"article": article} if article else {}))
    return CommenterAddress.objects.create(email=address, verified_at=timezone.now())


class ReviewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def review(self, **kwargs):
        return moderation.review(submission(self.article, **kwargs), DiscussionSettings.current())


class ModeTests(ReviewTestCase):
    def test_approve_all_approves_a_comment_that_passes_every_rule(self):
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL)

        decision = self.review()

        assert decision.status == Comment.Status.APPROVED
        assert decision.reasons == ["approved: every comment is approved"]
        assert decision.rule == "approve_all"

    def test_hold_all_holds_even_a_trusted_commenter_in_their_browser(self):
        rules(mode=DiscussionSettings.Mode.HOLD_ALL)
        trusted_address()

        decision = self.review(proven=True)

        assert decision.status == Comment.Status.PENDING
        assert decision.held_reason == "held: every comment is reviewed before it appears"
        assert decision.rule == "hold_all"

    def test_trusted_mode_holds_a_first_comment(self):
        decision = self.review()

        assert decision.status == Comment.Status.PENDING
        assert decision.held_reason == "held: first comment from this address"
        assert decision.rule == "first_comment"

    def test_an_approved_but_unconfirmed_address_is_held(self):
        CommentFactory(email=ADDRESS)
        CommenterAddress.objects.create(email=ADDRESS)

        decision = self.review(proven=True)

        assert decision.status == Comment.Status.PENDING
        assert decision.held_reason == "held: address not confirmed yet"
        assert decision.rule == "unconfirmed"

    def test_a_confirmed_address_without_an_approved_comment_is_held_as_a_first_comment(self):
        CommenterAddress.objects.create(email=ADDRESS, verified_at=timezone.now())
        CommentFactory(email=ADDRESS, status=Comment.Status.PENDING)

        decision = self.review(proven=True)

        assert decision.rule == "first_comment"

    def test_a_trusted_address_proven_by_this_browser_is_approved(self):
        trusted_address()

        decision = self.review(proven=True, email="  Ada.Reader@MAIL.example ")

        assert decision.status == Comment.Status.APPROVED
        assert decision.held_reason == "approved: trusted commenter"
        assert decision.rule == "trusted"

    def test_someone_typing_a_trusted_address_without_the_proof_is_held(self):
        # WordPress would approve this: anyone who knows a regular's address passes as them.
        trusted_address()

        decision = self.review(proven=False, name="Impostor")

        assert decision.status == Comment.Status.PENDING
        assert decision.held_reason == "held: unverified comment under a trusted address"
        assert decision.rule == "unproven"

    def test_an_address_marked_as_spam_since_is_no_longer_trusted(self):
        address = trusted_address()
        address.distrusted_at = timezone.now()
        address.save()

        decision = self.review(proven=True)

        assert decision.status == Comment.Status.PENDING
        assert decision.held_reason == "held: a comment from this address was marked as spam"
        assert decision.rule == "distrusted"

    def test_confirming_and_posting_agree_on_whether_an_address_is_trusted(self):
        address = CommenterAddress.objects.create(email=ADDRESS)
        states = {
            "first_comment": {},
            "unconfirmed": {"approved": True},
            "trusted": {"approved": True, "verified_at": timezone.now()},
            "distrusted": {"verified_at": timezone.now(), "distrusted_at": timezone.now()},
        }
        for rule, state in states.items():
            Comment.objects.from_address(ADDRESS).delete()
            if state.get("approved"):
                CommentFactory(article=self.article, email=ADDRESS)
            address.verified_at = state.get("verified_at")
            address.distrusted_at = state.get("distrusted_at")
            address.save()

            finding = moderation.trust_finding(address.email_digest, address_proven=True)

            assert finding.rule == rule
            assert moderation.is_trusted(address) == (rule == "trusted"), rule

    def test_staff_comments_are_approved_whatever_the_rules(self):
        rules(mode=DiscussionSettings.Mode.HOLD_ALL, disallowed_words="casino", max_links=0)

        decision = self.review(
            staff_user=StaffFactory(), body="Casino https://a.example https://b.example"
        )

        assert decision.status == Comment.Status.APPROVED
        assert decision.reasons == ["approved: written by staff"]
        assert decision.rule == "staff"


class SpamRuleTests(ReviewTestCase):
    def setUp(self):
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL)

    def assert_spam(self, decision, reason, rule):
        assert decision.status == Comment.Status.SPAM
        assert decision.reasons == [reason]
        assert decision.rule == rule

    def test_a_filled_honeypot_is_spam(self):
        self.assert_spam(
            self.review(honeypot=True), "spam: filled in the field people cannot see", "honeypot"
        )

    def test_posting_faster_than_the_minimum_is_spam_with_the_seconds(self):
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL, min_seconds_to_post=3)

        self.assert_spam(
            self.review(seconds=1.23), "spam: posted 1.2 s after the page loaded", "too_fast"
        )
        assert self.review(seconds=3.0).status == Comment.Status.APPROVED

    def test_a_disallowed_ip_is_spam(self):
        rules(disallowed_ips="198.51.100.9\n203.0.113.7")

        self.assert_spam(self.review(), "spam: IP on the disallowed list", "disallowed_ip")

    def test_an_ip_inside_a_disallowed_network_is_spam(self):
        rules(disallowed_ips="203.0.113.0/24\n2001:db8::/32")

        self.assert_spam(self.review(), "spam: IP on the disallowed list", "disallowed_ip")
        self.assert_spam(
            self.review(ip_address="2001:db8::1"),
            "spam: IP on the disallowed list",
            "disallowed_ip",
        )
        assert self.review(ip_address="198.51.100.1").status == Comment.Status.APPROVED

    def test_a_disallowed_address_is_spam_whatever_its_case(self):
        rules(disallowed_email_digests=[digest(ADDRESS)])

        decision = self.review(email="ADA.Reader@mail.example")

        self.assert_spam(decision, "spam: address on the disallowed list", "disallowed_address")
        assert ADDRESS not in decision.held_reason

    def test_a_disallowed_word_is_spam_matched_whole_and_in_any_case(self):
        rules(disallowed_words="casino\ncheap pills")

        self.assert_spam(
            self.review(body="Visit our CASINO today."),
            "spam: matched disallowed word 'casino'",
            "disallowed_word",
        )
        self.assert_spam(
            self.review(body="Buy Cheap Pills now"),
            "spam: matched disallowed word 'cheap pills'",
            "disallowed_word",
        )
        assert self.review(body="Casinos and casinoish words").status == Comment.Status.APPROVED

    def test_disallowed_words_are_looked_for_in_the_name_and_website_too(self):
        rules(disallowed_words="casino")

        assert self.review(name="Casino Bob").status == Comment.Status.SPAM
        assert self.review(website="https://casino.example/").status == Comment.Status.SPAM

    def test_spam_wins_over_holds(self):
        rules(disallowed_words="casino", moderation_words="tariff", max_links=0)

        decision = self.review(body="casino tariff https://a.example")

        self.assert_spam(decision, "spam: matched disallowed word 'casino'", "disallowed_word")


class HoldRuleTests(ReviewTestCase):
    def setUp(self):
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL, max_links=2)

    def test_more_links_than_the_limit_is_held_with_the_count(self):
        body = "See https://a.example, http://b.example/x and www.c.example."

        decision = self.review(body=body)

        assert decision.status == Comment.Status.PENDING
        assert decision.reasons == ["held: 3 links, limit 2"]
        assert decision.rule == "links"

    def test_links_up_to_the_limit_pass(self):
        assert self.review(body="https://a.example and https://b.example").status == (
            Comment.Status.APPROVED
        )

    def test_a_moderation_word_holds_the_comment(self):
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL, moderation_words="Lawsuit")

        decision = self.review(body="This deserves a lawsuit.")

        assert decision.status == Comment.Status.PENDING
        assert decision.reasons == ["held: matched moderation word 'Lawsuit'"]
        assert decision.rule == "moderation_word"

    def test_every_hold_reason_is_recorded_the_first_rule_names_the_hold(self):
        rules(mode=DiscussionSettings.Mode.TRUSTED, moderation_words="lawsuit", max_links=0)

        decision = self.review(body="A lawsuit: https://a.example")

        assert decision.status == Comment.Status.PENDING
        assert decision.held_reason == (
            "held: 1 links, limit 0; held: matched moderation word 'lawsuit'; "
            "held: first comment from this address"
        )
        assert decision.rule == "links"


class ClosingTests(TestCase):
    def test_an_article_closed_by_hand_is_closed(self):
        assert not moderation.comments_open(ArticleFactory(comments_open=False))

    def test_comments_stay_open_without_a_closing_delay(self):
        rules(close_after_days=None)
        article = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=3000))

        assert moderation.comments_open(article)

    def test_comments_close_the_set_number_of_days_after_publication(self):
        rules(close_after_days=14)
        published = timezone.now() - datetime.timedelta(days=1)
        article = ArticleFactory(published_at=published)

        with time_machine.travel(published + datetime.timedelta(days=14, seconds=-1)):
            assert moderation.comments_open(article)
        with time_machine.travel(published + datetime.timedelta(days=14)):
            assert not moderation.comments_open(article)

    def test_an_article_overrides_the_closing_delay_either_way(self):
        rules(close_after_days=14)
        published = timezone.now() - datetime.timedelta(days=30)
        longer = ArticleFactory(published_at=published, comments_close_after_days=60)
        shorter = ArticleFactory(
            published_at=timezone.now() - datetime.timedelta(days=2), comments_close_after_days=1
        )

        assert moderation.comments_open(longer)
        assert not moderation.comments_open(shorter)

    def test_an_automatically_closed_article_shows_no_form_and_refuses_posts(self):
        rules(close_after_days=7)
        article = ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=8))
        CommentFactory(article=article, body="Posted in time.")

        page = self.client.get(article.get_absolute_url()).content.decode()
        response = self.client.post(post_url(article), form_data(body="Too late."))

        assert "Posted in time." in page
        assert "Comments are closed on this article." in page
        assert 'id="comment-form"' not in page
        assert "?replyto=" not in page
        assert response.status_code == 400
        assert "Comments are closed on this article." in page_text(response.content.decode())
        assert not Comment.objects.filter(body="Too late.").exists()


def form_data(**overrides):
    return valid_data(**{"email": ADDRESS, "body": "A fair point about the tariffs.", **overrides})


class PostingTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def post(self, article=None, ip="203.0.113.7", **overrides):
        return self.client.post(
            post_url(article or self.article), form_data(**overrides), REMOTE_ADDR=ip
        )


class FormDefenceMarkupTests(TestCase):
    def test_the_honeypot_is_hidden_from_people_and_the_form_check_gives_a_fresh_time_token(self):
        article = ArticleFactory()
        content = self.client.get(article.get_absolute_url()).content.decode()

        wrapper = re.search(
            r'<div\s+class="visually-hidden"\s+aria-hidden="true">(.*?)</div>\s*</div>',
            content,
            re.S,
        )
        assert wrapper
        assert "Leave this field empty" in wrapper.group(1)
        field = re.search(r'<input[^>]*name="subject"[^>]*>', wrapper.group(1)).group(0)
        assert 'tabindex="-1"' in field
        assert 'autocomplete="off"' in field
        assert "required" not in field
        # The shared page carries no token; the form check inside the form gives it.
        assert 'name="timestamp"' not in content
        check = re.search(r'<img[^>]*class="comment-form-check"[^>]*>', content).group(0)
        src = re.search(r'src="([^"]+)"', check).group(1)
        cookie = self.client.get(src).cookies[form_check.COOKIE_NAME]
        assert 0 <= form_token_age(cookie.value) < 5

    def test_the_body_carries_the_configured_maximum_length(self):
        rules(max_length=800)
        content = self.client.get(ArticleFactory().get_absolute_url()).content.decode()

        assert re.search(r'<textarea[^>]*name="body"[^>]*maxlength="800"', content)


class RecordedDecisionTests(PostingTestCase):
    def test_the_decision_is_recorded_on_the_stored_comment(self):
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL, max_links=1)

        self.post(body="https://a.example https://b.example")

        comment = Comment.objects.get()
        assert comment.status == Comment.Status.PENDING
        assert comment.held_reason == "held: 2 links, limit 1"
        assert comment.moderation_rule == "links"

    def test_a_bot_posting_too_fast_is_stored_as_spam_and_thanked_like_anyone(self):
        with time_machine.travel(timezone.now(), tick=False):  # exactly 1.2 s
            response = self.client.post(
                post_url(self.article), form_data(**form_extras(seconds_ago=1.2)), follow=True
            )

        comment = Comment.objects.get()
        assert comment.status == Comment.Status.SPAM
        assert comment.held_reason == "spam: posted 1.2 s after the page loaded"
        assert "awaiting moderation" in page_text(response.content.decode())

    def test_a_filled_honeypot_is_stored_as_spam(self):
        self.post(subject="Great article buy now")

        comment = Comment.objects.get()
        assert comment.status == Comment.Status.SPAM
        assert comment.moderation_rule == "honeypot"

    def test_an_approved_comment_is_published_at_once_and_the_reader_is_told(self):
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL)

        response = self.post()

        comment = Comment.objects.get()
        assert comment.status == Comment.Status.APPROVED
        assert response["Location"] == f"{self.article.get_absolute_url()}#comment-{comment.pk}"
        page = self.client.get(response["Location"]).content.decode()
        assert "Thank you for your comment. It is published below." in page_text(page)
        assert "A fair point about the tariffs." in page

    def test_a_stored_comment_records_its_address_but_spam_does_not(self):
        self.post()
        self.post(email="bot@spam.example", body="Other", subject="filled")

        assert list(CommenterAddress.objects.values_list("email_digest", flat=True)) == [
            digest(ADDRESS)
        ]

    def test_the_settings_are_read_once_per_post(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.post()

        assert response.status_code == 302
        reads = [q for q in queries if 'FROM "comments_discussionsettings"' in q["sql"]]
        assert len(reads) == 1

    def test_the_settings_row_exists_from_the_migration(self):
        assert DiscussionSettings.objects.filter(pk=1).exists()


class SignalTests(PostingTestCase):
    def setUp(self):
        self.received, self.approved = [], []
        signals.comment_received.connect(self.on_received)
        signals.comment_approved.connect(self.on_approved)
        self.addCleanup(signals.comment_received.disconnect, self.on_received)
        self.addCleanup(signals.comment_approved.disconnect, self.on_approved)

    def on_received(self, sender, comment, **kwargs):
        self.received.append(comment)

    def on_approved(self, sender, comment, **kwargs):
        self.approved.append(comment)

    def test_a_held_comment_is_announced_as_received_after_commit_only(self):
        with self.captureOnCommitCallbacks() as callbacks:
            self.post()
        assert self.received == []

        for callback in callbacks:
            callback()

        assert self.received == [Comment.objects.get()]
        assert self.approved == []

    def test_an_auto_approved_comment_is_announced_as_approved_too(self):
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL)

        with self.captureOnCommitCallbacks(execute=True):
            self.post()

        assert self.received == self.approved == [Comment.objects.get()]

    def test_a_refused_comment_is_not_announced(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.post(email="broken")

        assert self.received == []


def ten_seconds_into_next_minute():
    now = timezone.now().replace(second=0, microsecond=0)
    return now + datetime.timedelta(minutes=1, seconds=10)


def ten_seconds_into_next_hour():
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return now + datetime.timedelta(hours=1, seconds=10)


class FloodControlTests(PostingTestCase):
    def test_the_ip_limit_answers_429_with_retry_after_and_keeps_the_text(self):
        rules(comments_per_ip_per_minute=2, comments_per_address_per_hour=0)
        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            for n in range(2):
                assert self.post(email=f"r{n}@mail.example", body=f"Body {n}").status_code == 302

            response = self.post(email="r3@mail.example", body="One too many.")

        assert response.status_code == 429
        assert response["Retry-After"] == "51"
        content = response.content.decode()
        assert "Please wait a moment" in content
        assert textarea_text(content) == "One too many."
        assert Comment.objects.count() == 2

    def test_the_ip_limit_counts_per_minute_and_per_ip(self):
        rules(comments_per_ip_per_minute=1, comments_per_address_per_hour=0)
        with time_machine.travel(ten_seconds_into_next_minute(), tick=False) as clock:
            assert self.post(body="First").status_code == 302
            assert self.post(body="Other IP", ip="198.51.100.2").status_code == 302
            assert self.post(body="Second").status_code == 429
            clock.shift(datetime.timedelta(minutes=1))
            assert self.post(body="Third", **form_extras()).status_code == 302

        assert set(Comment.objects.values_list("body", flat=True)) == {
            "First",
            "Other IP",
            "Third",
        }

    def test_the_address_limit_counts_whatever_the_ip(self):
        rules(comments_per_ip_per_minute=0, comments_per_address_per_hour=2)

        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            assert self.post(body="One", ip="198.51.100.1").status_code == 302
            assert self.post(body="Two", ip="198.51.100.2").status_code == 302
            response = self.post(body="Three", ip="198.51.100.3")

        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 3600
        assert Comment.objects.count() == 2

    def test_refused_forms_count_against_the_ip_limit(self):
        rules(comments_per_ip_per_minute=3, comments_per_address_per_hour=0)

        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            answers = [self.post(name="", body=f"Try {n}").status_code for n in range(3)]
            refused = self.post(name="", body="Try again.")
            valid = self.post(body="Complete at last.")

        assert answers == [400, 400, 400]
        assert refused.status_code == valid.status_code == 429
        assert textarea_text(refused.content.decode()) == "Try again."
        assert not Comment.objects.exists()

    def test_refused_forms_with_a_valid_address_count_against_the_address_limit(self):
        rules(comments_per_ip_per_minute=0, comments_per_address_per_hour=2)

        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            answers = [self.post(name="", ip=f"198.51.100.{n}").status_code for n in range(1, 4)]
            other_address = self.post(email="someone.else@mail.example", ip="198.51.100.9")

        assert answers == [400, 400, 429]
        assert other_address.status_code == 302

    def test_a_posting_the_ip_limit_refuses_is_not_counted_against_the_address(self):
        rules(comments_per_ip_per_minute=2, comments_per_address_per_hour=3)

        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            answers = [self.post(name="").status_code for _ in range(10)]
            from_elsewhere = self.post(ip="198.51.100.2")

        assert answers == [400, 400] + [429] * 8
        assert from_elsewhere.status_code == 302  # the address counted 2 postings, not 10

    def test_nobody_else_can_lock_the_owner_out_of_posting(self):
        """Refused postings under the owner's address from one IP use up the address's hour,
        unseen (nothing is stored): the browser that proves the address still posts."""
        owner = Client()
        prove_address(owner, ADDRESS)
        limits = DiscussionSettings.current()
        per_minute, per_hour = (
            limits.comments_per_ip_per_minute,
            limits.comments_per_address_per_hour,
        )

        with time_machine.travel(ten_seconds_into_next_hour(), tick=False) as clock:
            attack = []
            for _ in range(per_hour):  # as fast as the IP limit lets one IP post
                attack.append(self.post(name="", ip="203.0.113.66").status_code)
                if len(attack) % per_minute == 0:
                    clock.shift(datetime.timedelta(minutes=1))
            stranger = self.post(ip="198.51.100.9", body="Someone else under the address.")
            owners = owner.post(
                post_url(self.article), form_data(body="Still me."), REMOTE_ADDR="192.0.2.44"
            )

        assert attack == [400] * per_hour
        assert stranger.status_code == 429
        assert owners.status_code == 302
        assert Comment.objects.filter(body="Still me.").exists()

    def test_the_browser_proving_the_address_is_still_limited_per_ip(self):
        rules(comments_per_ip_per_minute=2, comments_per_address_per_hour=1)
        prove_address(self.client, ADDRESS)

        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            answers = [self.post(body=f"Mine, {n}.").status_code for n in range(3)]

        assert answers == [302, 302, 429]

    def test_a_proof_of_another_address_does_not_lift_the_address_limit(self):
        rules(comments_per_ip_per_minute=0, comments_per_address_per_hour=1)
        prove_address(self.client, "someone.else@mail.example")

        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            answers = [self.post(body=f"Under {ADDRESS}, {n}.").status_code for n in range(2)]

        assert answers == [302, 429]

    def test_a_malformed_address_is_not_counted_per_address(self):
        rules(comments_per_ip_per_minute=0, comments_per_address_per_hour=1)

        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            answers = [self.post(email="broken").status_code for _ in range(3)]

        assert answers == [400, 400, 400]

    def test_ipv6_addresses_are_limited_per_64_network(self):
        rules(comments_per_ip_per_minute=1, comments_per_address_per_hour=0)

        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            first = self.post(body="One", ip="2001:db8:1:2::1")
            same_network = self.post(body="Two", ip="2001:db8:1:2:ffff:ffff:ffff:fffe")
            next_network = self.post(body="Three", ip="2001:db8:1:3::1")

        assert first.status_code == 302
        assert same_network.status_code == 429
        assert next_network.status_code == 302

    def test_ipv4_addresses_are_still_limited_one_by_one(self):
        rules(comments_per_ip_per_minute=1, comments_per_address_per_hour=0)

        with time_machine.travel(ten_seconds_into_next_minute(), tick=False):
            answers = [
                self.post(body="One", ip="203.0.113.7").status_code,
                self.post(body="Two", ip="203.0.113.8").status_code,
                self.post(body="Three", ip="::ffff:203.0.113.7").status_code,
            ]

        assert answers == [302, 302, 429]

    def test_the_ip_counter_key_is_the_address_for_ipv4_and_the_64_for_ipv6(self):
        assert moderation.flood_network("203.0.113.7") == "203.0.113.7"
        assert moderation.flood_network("::ffff:203.0.113.7") == "203.0.113.7"
        assert moderation.flood_network("2001:DB8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
        assert moderation.flood_network("2001:db8:1:2::9") == "2001:db8:1:2::/64"
        assert moderation.flood_network("not an address") == "not an address"


class RepeatedPostingTests(PostingTestCase):
    """The same posting sent twice is stored once, and answered as the first one was.

    Nothing here depends on the address alone: an address and a text match anyone who copies
    a public comment, so "already posted" would confirm a guessed address (issue 10).
    """

    def test_the_same_form_posted_twice_is_stored_once_and_answered_alike(self):
        data = form_data()

        first = self.client.post(post_url(self.article), data, follow=True)
        again = self.client.post(post_url(self.article), data, follow=True)

        assert Comment.objects.count() == 1
        assert again.redirect_chain == first.redirect_chain
        assert "awaiting moderation" in page_text(again.content.decode())
        assert "already posted" not in page_text(again.content.decode())

    def test_a_repeated_published_comment_leads_to_the_one_published(self):
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL)
        data = form_data()

        first = self.client.post(post_url(self.article), data)
        again = self.client.post(post_url(self.article), data)

        comment = Comment.objects.get()
        assert first["Location"] == again["Location"] == comment.get_absolute_url()

    def test_a_repeat_is_not_stored_or_announced_again(self):
        data = form_data()
        self.client.post(post_url(self.article), data)
        received = []

        def on_received(sender, comment, **kwargs):
            received.append(comment)

        signals.comment_received.connect(on_received)
        self.addCleanup(signals.comment_received.disconnect, on_received)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(post_url(self.article), data)

        assert received == []

    def test_the_same_form_with_another_text_is_another_comment(self):
        data = form_data()
        self.client.post(post_url(self.article), data)

        self.client.post(post_url(self.article), {**data, "body": "And one more thing."})

        assert Comment.objects.count() == 2

    def test_the_same_text_posted_from_a_new_page_is_held_like_any_comment(self):
        self.post()

        response = self.post(name="Ada R.")

        assert response.status_code == 302
        assert Comment.objects.count() == 2
        assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}

    def test_a_concurrent_twin_stored_first_is_answered_like_a_repeat(self):
        data = form_data()
        self.client.post(post_url(self.article), data)
        stored = Comment.objects.get()
        # The twin request checked before the first was stored: it meets the constraint.
        original = moderation.repeated_comment
        calls = []

        def checked_too_early(submission, rules, **options):
            calls.append(submission)
            return None if len(calls) == 1 else original(submission, rules, **options)

        with mock.patch.object(moderation, "repeated_comment", checked_too_early):
            again = self.client.post(post_url(self.article), data)

        assert again.status_code == 302
        assert list(Comment.objects.all()) == [stored]

    def test_the_database_refuses_the_same_submission_twice_on_an_article(self):
        CommentFactory(article=self.article, submission_key="k" * 64)
        CommentFactory(article=ArticleFactory(), submission_key="k" * 64)
        CommentFactory(article=self.article, submission_key="")
        CommentFactory(article=self.article, submission_key="")

        with self.assertRaises(IntegrityError), transaction.atomic():
            CommentFactory(article=self.article, submission_key="k" * 64)


class ProvenRepeatTests(TestCase):
    """From the browser that proved the address, the same text again within the window is the
    same comment posted again (the answer depends on the proof cookie, never on the address)."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def setUp(self):
        rules(duplicate_window_minutes=60)
        CommentFactory(article=self.article, email=ADDRESS, body="An approved comment.")
        address = CommenterAddress.objects.create(email=ADDRESS, verified_at=timezone.now())
        response = HttpResponse()
        verification.set_proof_cookie(RequestFactory().get("/"), response, address)
        self.client.cookies[verification.PROOF_COOKIE] = response.cookies[
            verification.PROOF_COOKIE
        ].value

    def post(self, article=None, **overrides):
        return self.client.post(post_url(article or self.article), form_data(**overrides))

    def test_the_same_text_again_from_the_proven_browser_is_stored_once(self):
        first = self.post(body="Published at once.")
        again = self.post(body="Published at once.", name="Ada R.")

        published = Comment.objects.get(body="Published at once.")
        assert published.status == Comment.Status.APPROVED
        assert first["Location"] == again["Location"] == published.get_absolute_url()

    def test_elsewhere_or_after_the_window_it_is_a_new_comment(self):
        self.post()

        assert self.post(article=ArticleFactory()).status_code == 302
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
            assert self.post(**form_extras()).status_code == 302

        assert Comment.objects.filter(body=form_data()["body"]).count() == 3

    def test_the_text_of_a_removed_comment_is_a_new_comment(self):
        self.post()
        Comment.objects.get(body=form_data()["body"]).remove()

        self.post()

        assert Comment.objects.filter(body=form_data()["body"]).count() == 2

    def test_the_same_text_under_the_address_from_another_browser_is_stored(self):
        self.post()

        Client().post(post_url(self.article), form_data())

        assert Comment.objects.filter(body=form_data()["body"]).count() == 2


class DiscussionSettingsAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = StaffFactory(is_superuser=True)
        cls.moderator = StaffFactory(role="Moderator")
        cls.editor = StaffFactory(role="Editor")
        cls.contributor = StaffFactory(role="Contributor")

    def change_url(self):
        return reverse("admin:comments_discussionsettings_change", args=[1])

    def test_every_setting_staff_may_edit_is_on_the_page_once(self):
        editable = {
            field.name
            for field in DiscussionSettings._meta.fields
            if field.editable and not field.primary_key
        }
        on_page = [
            name
            for _title, options in DiscussionSettingsAdmin.fieldsets
            for name in options["fields"]
        ]

        assert sorted(DiscussionSettingsForm.Meta.fields) == sorted(editable)
        assert len(on_page) == len(set(on_page))
        assert editable <= set(on_page)

    def form_data(self, **changes):
        row = DiscussionSettings.current()
        data = {
            name: getattr(row, name)
            for name in DiscussionSettingsForm.Meta.fields
            if name != "spam_check_enabled"
        }
        data.update(close_after_days="", add_disallowed_addresses="")
        data.update(remove_disallowed_addresses="", _save="Save")
        data.update(changes)
        return data

    def test_the_list_opens_the_one_settings_page(self):
        self.client.force_login(self.moderator)

        response = self.client.get(reverse("admin:comments_discussionsettings_changelist"))

        assert response.status_code == 302
        assert response["Location"] == self.change_url()

    def test_there_is_no_add_or_delete(self):
        self.client.force_login(self.superuser)

        assert self.client.get(reverse("admin:comments_discussionsettings_add")).status_code == 403
        delete = reverse("admin:comments_discussionsettings_delete", args=[1])
        assert self.client.get(delete).status_code == 403

    def test_moderators_and_editors_change_the_settings_contributors_cannot(self):
        for user, status in ((self.moderator, 200), (self.editor, 200), (self.contributor, 403)):
            with self.subTest(user.username):
                self.client.force_login(user)
                assert self.client.get(self.change_url()).status_code == status
        assert {"Moderator", "Editor"} <= set(
            Group.objects.filter(permissions__codename="change_discussionsettings").values_list(
                "name", flat=True
            )
        )

    def test_saving_changes_the_rules(self):
        self.client.force_login(self.moderator)

        response = self.client.post(
            self.change_url(),
            self.form_data(mode="hold_all", max_links="5", disallowed_words=" casino \n\n"),
        )

        assert response.status_code == 302
        row = DiscussionSettings.objects.get()
        assert row.mode == "hold_all"
        assert row.max_links == 5
        assert row.disallowed_words == "casino"

    def test_disallowed_addresses_are_stored_as_digests_only(self):
        self.client.force_login(self.moderator)

        self.client.post(
            self.change_url(),
            self.form_data(add_disallowed_addresses="Spammer@Bad.example\nother@bad.example"),
        )
        row = DiscussionSettings.objects.get()
        page = self.client.get(self.change_url()).content.decode()

        assert row.disallowed_email_digests == [
            digest("spammer@bad.example"),
            digest("other@bad.example"),
        ]
        assert "bad.example" not in page
        assert "2 addresses" in page

        self.client.post(
            self.change_url(), self.form_data(remove_disallowed_addresses="other@bad.example")
        )
        assert DiscussionSettings.objects.get().disallowed_email_digests == [
            digest("spammer@bad.example")
        ]

    def test_the_maximum_length_cannot_pass_the_servers_limit(self):
        self.client.force_login(self.moderator)

        response = self.client.post(
            self.change_url(), self.form_data(max_length=settings.COMMENT_MAX_LENGTH + 1)
        )

        assert response.status_code == 200
        assert f"At most {settings.COMMENT_MAX_LENGTH}" in page_text(response.content.decode())

    def test_invalid_ips_and_addresses_are_refused_with_their_values(self):
        self.client.force_login(self.moderator)

        response = self.client.post(
            self.change_url(),
            self.form_data(
                disallowed_ips="203.0.113.0/24\nnot-an-ip", add_disallowed_addresses="x"
            ),
        )

        assert response.status_code == 200
        text = page_text(response.content.decode())
        assert "Not IP addresses or networks: not-an-ip" in text
        assert "Not email addresses: x" in text
        assert DiscussionSettings.objects.get().disallowed_ips == ""

    def test_threaded_replies_need_at_least_one_level(self):
        self.client.force_login(self.moderator)

        for too_shallow in ("0", "-1"):
            with self.subTest(too_shallow):
                response = self.client.post(
                    self.change_url(), self.form_data(thread_depth=too_shallow)
                )

                assert response.status_code == 200
                assert THREAD_DEPTH_TOO_SHALLOW in page_text(response.content.decode())
                assert DiscussionSettings.objects.get().thread_depth == 3

    def test_threaded_replies_go_at_most_ten_levels_deep(self):
        self.client.force_login(self.moderator)

        for too_deep in ("11", "60", "40000"):
            with self.subTest(too_deep):
                response = self.client.post(
                    self.change_url(), self.form_data(thread_depth=too_deep)
                )

                assert response.status_code == 200
                assert THREAD_DEPTH_TOO_DEEP in page_text(response.content.decode())
                assert DiscussionSettings.objects.get().thread_depth == 3

    def test_one_to_ten_levels_are_accepted_and_offered_as_the_fields_range(self):
        self.client.force_login(self.moderator)

        for depth in (1, 10):
            with self.subTest(depth):
                response = self.client.post(self.change_url(), self.form_data(thread_depth=depth))

                assert response.status_code == 302
                assert DiscussionSettings.objects.get().thread_depth == depth
        field = re.search(
            r'<input[^>]*name="thread_depth"[^>]*>',
            self.client.get(self.change_url()).content.decode(),
        ).group(0)
        assert 'min="1"' in field
        assert 'max="10"' in field


THREAD_DEPTH_TOO_SHALLOW = "At least 1 level: 1 shows comments without replies."
THREAD_DEPTH_TOO_DEEP = (
    "At most 10 levels: deeper replies grow too narrow to read, on a phone above all."
)


class ThreadDepthBoundsTests(TestCase):
    def test_the_model_refuses_a_depth_outside_one_to_ten_with_the_admins_messages(self):
        row = DiscussionSettings.current()
        for depth, message in ((0, THREAD_DEPTH_TOO_SHALLOW), (11, THREAD_DEPTH_TOO_DEEP)):
            with self.subTest(depth):
                row.thread_depth = depth
                try:
                    row.full_clean()
                except ValidationError as error:
                    assert error.message_dict["thread_depth"] == [message]
                else:
                    raise AssertionError(f"{depth} levels passed validation")

    def test_the_database_refuses_a_depth_outside_one_to_ten(self):
        for depth in (0, 11, 60):
            with self.subTest(depth), self.assertRaises(IntegrityError), transaction.atomic():
                DiscussionSettings.objects.filter(pk=1).update(thread_depth=depth)

        assert DiscussionSettings.objects.get().thread_depth == 3


class ThreadDepthMigrationTests(TransactionTestCase):
    """The migration adding the bounds first brings stored depths within them."""

    serialized_rollback = True  # keep the rows the migrations created

    def test_stored_depths_outside_the_bounds_are_clamped_before_the_constraint(self):
        old_apps = migrated_to_just_before("comments", "_thread_depth_bounds")
        self.addCleanup(migrated_to_the_latest)
        old_settings = old_apps.get_model("comments", "DiscussionSettings")
        old_settings.objects.filter(pk=1).update(thread_depth=60)
        old_settings.objects.create(pk=2, thread_depth=0)

        # Up to the bounds only: a later migration deletes every settings row but the first.
        bounded_apps = migrated_to("comments", "_thread_depth_bounds")
        bounded_settings = bounded_apps.get_model("comments", "DiscussionSettings")

        assert dict(bounded_settings.objects.values_list("pk", "thread_depth")) == {1: 10, 2: 1}
