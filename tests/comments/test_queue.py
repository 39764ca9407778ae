"""The moderation queue: one-click decisions per row, reasons, filters, replies as staff, the
pending badge, the history it leaves, and what marking spam teaches the trusted rule."""

import datetime
import re
from unittest.mock import ANY
from urllib.parse import parse_qs, urlsplit

import time_machine
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import moderation, signals, staff_replies
from comments.models import Comment, CommenterAddress, DiscussionSettings
from tests.admin_forms import SignedInModeratorTestCase
from tests.comments.html import comment_heading, page_text
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    HeldCommentFactory,
    StaffFactory,
)

CHANGELIST = reverse("admin:comments_comment_changelist")
INDEX = reverse("admin:index")
SECRET_EMAIL = "regular.reader@private-mail.example"


def moderate_url(comment, **filters):
    url = reverse("admin:comments_comment_moderate", args=[comment.pk])
    if filters:
        from urllib.parse import urlencode

        url += "?" + urlencode({"_changelist_filters": urlencode(filters)})
    return url


def reply_url(comment):
    return reverse("admin:comments_comment_reply", args=[comment.pk])


def history_url(comment):
    return reverse("admin:comments_comment_history", args=[comment.pk])


def log_messages(comment):
    return list(
        LogEntry.objects.filter(object_id=str(comment.pk), content_type__model="comment")
        .order_by("pk")
        .values_list("user__username", "action_flag", "change_message")
    )


def row_buttons(content, comment):
    """The decisions offered by one row's buttons, and whether it has a Reply link."""
    row = re.search(
        rf'<tr[^>]*>(?:(?!</tr>).)*?value="{comment.pk}"(?:(?!</tr>).)*</tr>', content, re.S
    )
    assert row, f"no row for comment {comment.pk}"
    decisions = re.findall(r'<button[^>]*form="moderate-row"[^>]*value="(\w+)"', row.group(0))
    return decisions, f'href="{reply_url(comment)}' in row.group(0)


class Listener:
    """Collects the comments a signal was sent for."""

    def __init__(self, signal):
        self.heard = []
        signal.connect(self.hear, sender=Comment)
        self.disconnect = lambda: signal.disconnect(self.hear, sender=Comment)

    def hear(self, sender, comment, **kwargs):
        self.heard.append(comment.pk)


class QueueRowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(username="mona", role="Moderator")
        cls.article = ArticleFactory(title="Talks in Geneva")
        cls.pending = HeldCommentFactory(
            article=cls.article,
            name="Piet",
            email=SECRET_EMAIL,
            held_reason="held: 3 links, limit 2",
            moderation_rule="links",
        )
        cls.approved = CommentFactory(article=cls.article, name="Olga")
        cls.spam = CommentFactory(
            article=cls.article,
            name="Spammer",
            status=Comment.Status.SPAM,
            held_reason="spam: matched disallowed word 'casino'",
            moderation_rule="disallowed_word",
        )

    def setUp(self):
        self.client.force_login(self.moderator)

    def test_each_row_offers_the_decisions_it_does_not_already_have(self):
        content = self.client.get(CHANGELIST).content.decode()

        assert row_buttons(content, self.pending) == (["approved", "spam", "removed"], True)
        assert row_buttons(content, self.approved) == (["spam", "removed"], True)
        assert row_buttons(content, self.spam) == (["approved", "removed"], False)
        assert 'aria-label="Approve the comment by Piet"' in content

    def test_the_buttons_post_a_form_with_a_csrf_token_outside_the_changelist_form(self):
        content = self.client.get(CHANGELIST).content.decode()

        form = re.search(r'<form id="moderate-row" method="post"[^>]*>(.*?)</form>', content, re.S)
        assert form and 'name="csrfmiddlewaretoken"' in form.group(1)
        changelist_form = re.search(r'<form id="changelist-form".*?</form>', content, re.S)
        assert 'id="moderate-row"' not in changelist_form.group(0)

    def test_rows_show_reason_article_name_excerpt_and_age(self):
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=3, minutes=5)):
            content = self.client.get(CHANGELIST).content.decode()

        text = page_text(content)
        assert "held: 3 links, limit 2" in text
        assert "spam: matched disallowed word 'casino'" in text
        assert "Talks in Geneva" in text
        assert "Piet" in text
        assert "3 hours ago" in text

    def test_long_text_is_clipped_with_the_whole_on_hover(self):
        """The moderator reads more of a comment, the whole article title and a long name on
        hover; static/css/admin.css clips each cell to two lines."""
        title = "Between two capitals: what the energy contracts tell us about the next decade"
        body = "I have followed these talks since 2019 and the piece misses the point. " * 3
        HeldCommentFactory(
            article=ArticleFactory(title=title), name="Maximilian von Hohenberg", body=body
        )
        essay = HeldCommentFactory(article=self.article, body="word " * 100)

        content = self.client.get(CHANGELIST).content.decode()

        assert f'<span class="clipped" title="{body.strip()}">' in content
        assert f'<span class="clipped" title="{title}">{title}</span>' in content
        assert (
            '<span class="clipped" title="Maximilian von Hohenberg">Maximilian von Hohenberg</span>'
            in content
        )
        # A long comment's beginning, not a page of tooltip: its own page shows the whole.
        hover = re.search(
            rf'href="[^"]*/{essay.pk}/change/[^"]*"><span class="clipped" title="([^"]*)"', content
        )
        assert hover.group(1) == ("word " * 60)[:299] + "…"

    def test_approve_in_one_click_records_logs_and_announces(self):
        listener = Listener(signals.comment_approved)
        self.addCleanup(listener.disconnect)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(moderate_url(self.pending), {"decision": "approved"})

        assert response.status_code == 302
        self.pending.refresh_from_db()
        assert self.pending.status == Comment.Status.APPROVED
        assert self.pending.moderated_by == self.moderator
        assert self.pending.moderated_at is not None
        assert log_messages(self.pending) == [("mona", CHANGE, "Approved the comment.")]
        assert listener.heard == [self.pending.pk]

    def test_a_decision_returns_to_the_same_filtered_page(self):
        filters = {"status__exact": "pending", "article__id__exact": str(self.article.pk)}

        response = self.client.post(
            moderate_url(self.pending, **filters), {"decision": "removed"}, follow=False
        )

        location = urlsplit(response["Location"])
        assert location.path == CHANGELIST
        assert {key: value[0] for key, value in parse_qs(location.query).items()} == filters
        followed = self.client.get(response["Location"])
        assert "Piet’s comment: removed." in [str(m) for m in followed.context["messages"]]

    def test_spam_and_remove_in_one_click(self):
        self.client.post(moderate_url(self.pending), {"decision": "spam"})
        self.client.post(moderate_url(self.approved), {"decision": "removed"})

        assert Comment.objects.get(pk=self.pending.pk).status == Comment.Status.SPAM
        assert Comment.objects.get(pk=self.approved.pk).status == Comment.Status.REMOVED
        assert log_messages(self.pending) == [("mona", CHANGE, "Marked as spam the comment.")]
        assert log_messages(self.approved) == [("mona", CHANGE, "Removed the comment.")]

    def test_deciding_what_is_already_decided_changes_and_logs_nothing(self):
        response = self.client.post(
            moderate_url(self.approved), {"decision": "approved"}, follow=True
        )

        assert "Olga’s comment was already approved." in [
            str(m) for m in response.context["messages"]
        ]
        assert log_messages(self.approved) == []

    def test_a_get_request_decides_nothing(self):
        response = self.client.get(moderate_url(self.pending), {"decision": "approved"})

        assert response.status_code == 405
        assert Comment.objects.get(pk=self.pending.pk).status == Comment.Status.PENDING

    def test_an_unknown_decision_is_refused(self):
        for decision in ("pending", "withdrawn", "", "delete"):
            with self.subTest(decision):
                response = self.client.post(moderate_url(self.pending), {"decision": decision})

                assert response.status_code == 400
        assert Comment.objects.get(pk=self.pending.pk).status == Comment.Status.PENDING

    def test_a_post_without_the_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.moderator)

        response = client.post(moderate_url(self.pending), {"decision": "approved"})

        assert response.status_code == 403
        assert Comment.objects.get(pk=self.pending.pk).status == Comment.Status.PENDING

    def test_a_deleted_comment_is_reported_not_an_error(self):
        url = moderate_url(self.pending)
        self.pending.delete()

        response = self.client.post(url, {"decision": "approved"}, follow=True)

        assert response.status_code == 200
        assert "That comment no longer exists." in [str(m) for m in response.context["messages"]]

    def test_the_queue_never_shows_the_address(self):
        content = self.client.get(CHANGELIST).content.decode()

        assert SECRET_EMAIL not in content
        assert "private-mail.example" not in content


class PermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pending = HeldCommentFactory(name="Piet")
        cls.editor = StaffFactory(role="Editor")
        cls.viewer = StaffFactory(role="Editor")
        cls.viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))

    def test_staff_without_the_change_permission_cannot_decide_or_reply(self):
        for user in (self.editor, self.viewer):
            self.client.force_login(user)
            with self.subTest(user.username):
                assert (
                    self.client.post(
                        moderate_url(self.pending), {"decision": "approved"}
                    ).status_code
                    == 403
                )
                assert self.client.get(reply_url(self.pending)).status_code == 403
                assert (
                    self.client.post(reply_url(self.pending), {"body": "Hello"}).status_code == 403
                )
        assert Comment.objects.get().status == Comment.Status.PENDING
        assert not LogEntry.objects.exists()

    def test_staff_who_may_only_view_comments_get_no_buttons(self):
        self.client.force_login(self.viewer)

        content = self.client.get(CHANGELIST).content.decode()

        assert "Piet" in content
        assert 'form="moderate-row"' not in content
        assert reply_url(self.pending) not in content


class SpamTeachesTheTrustedRuleTests(SignedInModeratorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = ArticleFactory()
        cls.regular = CommentFactory(article=cls.article, email=SECRET_EMAIL)
        cls.address = CommenterAddress.objects.create(
            email=SECRET_EMAIL, verified_at=timezone.now()
        )

    def trust(self):
        return moderation.trust_finding(self.regular.email_digest, address_proven=True)

    def test_a_verified_regular_is_trusted_until_a_comment_is_marked_spam(self):
        assert self.trust().rule == "trusted"
        new = HeldCommentFactory(article=self.article, email=SECRET_EMAIL)

        self.client.post(moderate_url(new), {"decision": "spam"})

        self.address.refresh_from_db()
        assert self.address.distrusted_at is not None
        finding = self.trust()
        assert (finding.status, finding.rule) == (Comment.Status.PENDING, "distrusted")

    def test_the_bulk_spam_action_distrusts_too(self):
        self.client.post(CHANGELIST, {"action": "mark_spam", "_selected_action": [self.regular.pk]})

        assert self.trust().rule == "distrusted"

    def test_marking_spam_records_an_address_byline_did_not_know(self):
        stranger = HeldCommentFactory(article=self.article, email="stranger@mail.example")

        self.client.post(moderate_url(stranger), {"decision": "spam"})

        known = CommenterAddress.objects.get(email_digest=stranger.email_digest)
        assert known.distrusted_at is not None
        assert known.email == "stranger@mail.example"

    def test_spam_chosen_on_the_change_form_distrusts_and_approval_announces(self):
        listener = Listener(signals.comment_approved)
        self.addCleanup(listener.disconnect)
        change = reverse("admin:comments_comment_change", args=[self.regular.pk])

        self.client.post(change, {"body": self.regular.body, "status": "spam"})
        assert self.trust().rule == "distrusted"

        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(change, {"body": self.regular.body, "status": "approved"})
        assert listener.heard == [self.regular.pk]
        assert self.trust().rule == "trusted"  # spam by mistake, put right

    def test_approving_one_of_two_spam_comments_keeps_the_address_distrusted(self):
        first = CommentFactory(article=self.article, email=SECRET_EMAIL)
        second = CommentFactory(article=self.article, email=SECRET_EMAIL)
        moderation.moderate([first, second], Comment.Status.SPAM, self.moderator)

        moderation.moderate([first], Comment.Status.APPROVED, self.moderator)

        assert self.trust().rule == "distrusted"


class ReasonFilterTests(SignedInModeratorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.links = HeldCommentFactory(
            moderation_rule="links", held_reason="held: 3 links, limit 2"
        )
        cls.first = HeldCommentFactory(
            moderation_rule="first_comment", held_reason="held: first comment from this address"
        )
        cls.casino = CommentFactory(
            status=Comment.Status.SPAM,
            moderation_rule="disallowed_word",
            held_reason="spam: matched disallowed word 'casino'",
        )

    def test_the_filter_offers_the_reasons_present_by_name(self):
        content = self.client.get(CHANGELIST).content.decode()

        filters = re.search(r'id="changelist-filter".*?</nav>', content, re.S).group(0)
        for label in ("Too many links", "First comment from the address", "Disallowed word"):
            assert label in filters
        assert "Moderation word" not in filters

    def test_filter_by_reason(self):
        response = self.client.get(CHANGELIST, {"reason": "links"})

        assert [c.pk for c in response.context["cl"].result_list] == [self.links.pk]

    def test_reason_and_status_filters_combine(self):
        response = self.client.get(
            CHANGELIST, {"reason": "disallowed_word", "status__exact": "spam"}
        )

        assert [c.pk for c in response.context["cl"].result_list] == [self.casino.pk]


class StaffReplyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(
            username="mona", first_name="Mona", last_name="Desk", role="Moderator"
        )
        cls.author_account = StaffFactory(username="nadia", role="Moderator")
        cls.author = AuthorFactory(name="Nadia Author", user=cls.author_account)
        cls.article = ArticleFactory(title="Talks in Geneva", authors=[cls.author])
        cls.question = CommentFactory(article=cls.article, name="Piet", body="Which talks?")
        cls.pending = HeldCommentFactory(article=cls.article, name="Hal", body="Held question.")

    def setUp(self):
        self.client.force_login(self.moderator)

    def test_the_reply_page_shows_the_comment_and_the_form(self):
        content = self.client.get(reply_url(self.question)).content.decode()

        text = page_text(content)
        assert "Which talks?" in text
        assert "Talks in Geneva" in text
        assert "Published at once as Mona Desk Staff" in text
        assert 'name="body"' in content

    def test_a_reply_is_published_at_once_badged_and_logged(self):
        received, approved = Listener(signals.comment_received), Listener(signals.comment_approved)
        self.addCleanup(received.disconnect)
        self.addCleanup(approved.disconnect)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reply_url(self.question), {"body": "The Geneva round."})

        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == CHANGELIST
        reply = Comment.objects.get(body="The Geneva round.")
        assert reply.parent == self.question
        assert reply.article == self.article
        assert reply.status == Comment.Status.APPROVED
        assert reply.staff_user == self.moderator
        assert reply.name == "Mona Desk"
        assert reply.moderation_rule == "staff"
        assert received.heard == approved.heard == [reply.pk]
        assert log_messages(reply) == [
            ("mona", ADDITION, f"Replied as staff to comment #{self.question.pk}.")
        ]
        assert log_messages(self.question) == [
            ("mona", CHANGE, f"Replied as staff (comment #{reply.pk}).")
        ]
        page = self.client.get(self.article.get_absolute_url()).content.decode()
        assert comment_heading(page, reply) == (4, ANY)
        assert page_text(comment_heading(page, reply)[1]) == "Mona Desk Staff"

    def test_an_article_author_replies_under_their_author_name_with_the_author_badge(self):
        self.client.force_login(self.author_account)

        self.client.post(reply_url(self.question), {"body": "I wrote about that."})

        reply = Comment.objects.get(body="I wrote about that.")
        assert reply.name == "Nadia Author"
        page = self.client.get(self.article.get_absolute_url()).content.decode()
        assert comment_heading(page, reply) == (4, ANY)
        assert page_text(comment_heading(page, reply)[1]) == "Nadia Author Author"

    def test_staff_without_a_name_reply_as_the_publication_not_their_login(self):
        nameless = StaffFactory(username="ops-login-7", role="Moderator")
        self.client.force_login(nameless)

        self.client.post(reply_url(self.question), {"body": "Thanks for reading."})

        reply = Comment.objects.get(body="Thanks for reading.")
        assert reply.name == staff_replies.staff_name(nameless) == "Byline"
        assert (
            "ops-login-7" not in self.client.get(self.article.get_absolute_url()).content.decode()
        )

    def test_replying_to_a_pending_comment_approves_it_and_logs_both(self):
        approved = Listener(signals.comment_approved)
        self.addCleanup(approved.disconnect)
        form = self.client.get(reply_url(self.pending)).content.decode()
        assert "Approve and reply" in form

        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reply_url(self.pending), {"body": "Answering."})

        self.pending.refresh_from_db()
        reply = Comment.objects.get(body="Answering.")
        assert self.pending.status == Comment.Status.APPROVED
        assert self.pending.moderated_by == self.moderator
        assert approved.heard == [self.pending.pk, reply.pk]
        assert [message for _user, _flag, message in log_messages(self.pending)] == [
            "Approved the comment.",
            f"Replied as staff (comment #{reply.pk}).",
        ]

    def test_a_comment_marked_spam_cannot_take_a_reply(self):
        spam = CommentFactory(article=self.article, name="Spammer", status=Comment.Status.SPAM)

        response = self.client.post(reply_url(spam), {"body": "Go away."})

        assert response.status_code == 400
        assert "approve it before replying" in page_text(response.content.decode())
        assert not Comment.objects.filter(body="Go away.").exists()

    def test_the_deepest_comment_cannot_take_a_staff_reply_either(self):
        reply = CommentFactory(article=self.article, parent=self.question)
        deepest = CommentFactory(article=self.article, parent=reply, name="Deep")

        response = self.client.get(reply_url(deepest))

        assert "Replies go at most 3 levels deep, so Deep’s comment cannot take another reply." in (
            page_text(response.content.decode())
        )
        self.client.post(reply_url(deepest), {"body": "Too deep."})
        assert not Comment.objects.filter(body="Too deep.").exists()

    def test_a_pending_comment_too_deep_for_a_reply_is_not_approved_by_trying(self):
        settings_row = DiscussionSettings.current()
        settings_row.thread_depth = 1
        settings_row.save()

        self.client.post(reply_url(self.pending), {"body": "No threads."})

        assert Comment.objects.get(pk=self.pending.pk).status == Comment.Status.PENDING
        assert not Comment.objects.filter(body="No threads.").exists()
        assert log_messages(self.pending) == []

    def test_an_empty_or_too_long_reply_is_refused_with_a_message(self):
        for body, message in (
            ("   ", "Please write a reply."),
            ("x" * 5001, "Ensure this value has at most 5000 characters"),
        ):
            with self.subTest(message):
                response = self.client.post(reply_url(self.question), {"body": body})

                assert response.status_code == 400
                assert message in page_text(response.content.decode())
        assert Comment.objects.filter(parent=self.question).count() == 0

    def test_the_reply_returns_to_the_filtered_queue(self):
        url = reply_url(self.question) + "?_changelist_filters=status__exact%3Dpending"

        response = self.client.post(url, {"body": "Back to where I was."})

        assert response["Location"] == f"{CHANGELIST}?status__exact=pending"


class PendingBadgeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(role="Moderator")
        cls.editor = StaffFactory(role="Editor")
        HeldCommentFactory.create_batch(3)
        CommentFactory()

    def badge(self, content):
        match = re.search(
            r'id="pending-comments-link"[^>]*>Moderation queue '
            r'<span class="pending-badge[^"]*">(\d+)</span>',
            content,
        )
        return int(match.group(1)) if match else None

    def test_moderators_see_the_pending_count_on_every_admin_page(self):
        self.client.force_login(self.moderator)

        comment = Comment.objects.first()
        pages = (INDEX, CHANGELIST, reverse("admin:comments_comment_change", args=[comment.pk]))
        for url in (*pages, history_url(comment), reply_url(comment)):
            with self.subTest(url):
                assert self.badge(self.client.get(url).content.decode()) == 3

    def test_the_badge_links_to_the_pending_comments(self):
        self.client.force_login(self.moderator)

        content = self.client.get(INDEX).content.decode()

        assert f'href="{CHANGELIST}?status__exact=pending" id="pending-comments-link"' in content

    def test_the_count_follows_decisions(self):
        self.client.force_login(self.moderator)
        moderation.moderate(Comment.objects.pending()[:2], Comment.Status.APPROVED, None)

        assert self.badge(self.client.get(CHANGELIST).content.decode()) == 1

    def test_staff_who_cannot_see_comments_get_no_badge_and_pay_no_query(self):
        self.client.force_login(self.editor)

        with CaptureQueriesContext(connection) as queries:
            content = self.client.get(INDEX).content.decode()

        assert "pending-comments-link" not in content
        assert not any("comments_comment" in query["sql"] for query in queries)

    def test_the_count_costs_one_query_and_the_index_reuses_the_dashboards(self):
        self.client.force_login(self.moderator)

        for url in (INDEX, history_url(Comment.objects.first())):
            with self.subTest(url), CaptureQueriesContext(connection) as queries:
                self.client.get(url)

            pending_counts = [
                query
                for query in queries
                if "COUNT(" in query["sql"].upper()
                and "comments_comment" in query["sql"]
                and "pending" in query["sql"]
            ]
            assert len(pending_counts) == 1


class HistoryTests(TestCase):
    def test_every_moderation_step_shows_in_the_comments_history_with_who(self):
        moderator = StaffFactory(username="mona", role="Moderator")
        other = StaffFactory(username="omar", role="Moderator")
        comment = HeldCommentFactory(email=SECRET_EMAIL)
        self.client.force_login(moderator)
        self.client.post(moderate_url(comment), {"decision": "approved"})
        self.client.force_login(other)
        self.client.post(moderate_url(comment), {"decision": "spam"})
        self.client.post(reply_url(comment), {"body": "Not possible: spam."})

        content = self.client.get(history_url(comment)).content.decode()

        text = page_text(content)
        assert "mona" in text and "Approved the comment." in text
        assert "omar" in text and "Marked as spam the comment." in text
        assert SECRET_EMAIL not in content
