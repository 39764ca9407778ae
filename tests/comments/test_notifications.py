import datetime
import re
import threading
import time
from unittest import mock, skipUnless

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from comments import moderation, signals, staff_replies
from comments.commenters import selfservice, verification
from comments.commenters.privacy import digest
from comments.mail import tasks
from comments.models import Comment, CommenterAddress, DiscussionSettings
from tests.comments.posting import submit_comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    HeldCommentFactory,
    StaffFactory,
    UserFactory,
)
from tests.task_queue import DATABASE_TASKS, run_queued_tasks

NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
READER = "private.reader@mail.example"
URL = re.compile(r"https?://\S+")


def received(comment):
    signals.comment_received.send(sender=Comment, comment=comment)


def approved(comment):
    signals.comment_approved.send(sender=Comment, comment=comment)


def approve_after_hold(comment):
    comment.approve(by=StaffFactory(username="approver", role="Moderator"))
    approved(comment)


def links(message):
    return URL.findall(message.body)


def path_of(url):
    return "/" + url.split("/", 3)[3]


def assert_reveals_no_address(message, address):
    """The address may be in To, and nowhere else: not in a link, a header or the text."""
    secrets = [address, digest(address)]
    exposed = [message.subject, message.body, *message.extra_headers.values()]
    for value in exposed:
        for secret in secrets:
            assert secret not in value


@time_machine.travel(NOW, tick=False)
class ModeratorNotificationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(username="mod", email="mod@staff.example", role="Moderator")
        cls.chief = StaffFactory(username="chief", email="chief@staff.example", is_superuser=True)
        StaffFactory(username="gone", email="gone@staff.example", role="Moderator", is_active=False)
        StaffFactory(username="editor", email="editor@staff.example", role="Editor")
        UserFactory(username="reader", email="reader@example.org")
        cls.article = ArticleFactory(title="Tariff talks")

    @override_settings(SITE_URL="https://news.example")
    def test_held_comment_tells_every_active_moderator_once_with_a_link_to_the_queue(self):
        received(HeldCommentFactory(article=self.article, name="Ada", body="A held thought."))

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == []
        assert sorted(message.bcc) == ["chief@staff.example", "mod@staff.example"]
        assert message.subject == "[Byline] 1 comment waiting for moderation"
        assert "Ada on “Tariff talks”: A held thought." in message.body
        assert "https://news.example/admin/comments/comment/?status__exact=pending" in links(
            message
        )

    def test_queue_link_opens_the_pending_queue_for_a_moderator(self):
        received(HeldCommentFactory(article=self.article, body="Waiting here."))
        self.client.force_login(self.moderator)

        response = self.client.get(path_of(links(mail.outbox[0])[0]))

        assert response.status_code == 200
        assert "Waiting here." in response.content.decode()

    def test_comment_approved_on_arrival_tells_no_moderator(self):
        received(CommentFactory(article=self.article))

        assert mail.outbox == []

    def test_comments_inside_the_window_wait_for_the_next_message(self):
        received(HeldCommentFactory(article=self.article))
        with time_machine.travel(NOW + datetime.timedelta(minutes=29), tick=False):
            received(HeldCommentFactory(article=self.article))
            received(HeldCommentFactory(article=self.article))
        assert len(mail.outbox) == 1

        with time_machine.travel(NOW + datetime.timedelta(minutes=31), tick=False):
            received(HeldCommentFactory(article=self.article))

        assert len(mail.outbox) == 2
        assert mail.outbox[1].subject == "[Byline] 4 comments waiting for moderation"
        assert "(2 new since the last message)" not in mail.outbox[1].body
        assert "(3 new since the last message)" in mail.outbox[1].body

    def test_window_follows_the_discussion_settings(self):
        DiscussionSettings.objects.update_or_create(
            pk=1, defaults={"moderator_notification_minutes": 5}
        )
        received(HeldCommentFactory(article=self.article))
        with time_machine.travel(NOW + datetime.timedelta(minutes=6), tick=False):
            received(HeldCommentFactory(article=self.article))

        assert len(mail.outbox) == 2

    def test_only_one_of_two_concurrent_claims_wins(self):
        rules = DiscussionSettings.current()

        assert tasks._claim_moderator_notification(rules, timezone.now()) is True
        assert tasks._claim_moderator_notification(rules, timezone.now()) is False

    def test_follow_up_at_the_window_end_sends_for_comments_held_inside_it(self):
        received(HeldCommentFactory(article=self.article))
        with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
            received(HeldCommentFactory(article=self.article, body="Arrived in the quiet."))
        assert len(mail.outbox) == 1

        with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
            assert tasks.notify_moderators.call(follow_up=True) == 2

        assert len(mail.outbox) == 2
        assert "Arrived in the quiet." in mail.outbox[1].body

    def test_follow_up_with_nothing_new_sends_nothing(self):
        received(HeldCommentFactory(article=self.article))

        with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
            assert tasks.notify_moderators.call(follow_up=True) == 0

        assert len(mail.outbox) == 1


@override_settings(TASKS=DATABASE_TASKS)
class ModeratorNoticeQueueTests(TestCase):
    """A flood of held comments queues one moderators' notice, not one task row each."""

    @classmethod
    def setUpTestData(cls):
        StaffFactory(username="mod", email="mod@staff.example", role="Moderator")
        cls.article = ArticleFactory()

    def queued_notices(self):
        return DBTaskResult.objects.filter(task_path=tasks.notify_moderators.module_path).count()

    def test_comments_held_before_the_notice_runs_share_it(self):
        for number in range(3):
            received(HeldCommentFactory(article=self.article, body=f"Held {number}."))

        assert self.queued_notices() == 1
        run_queued_tasks()
        [message] = mail.outbox
        assert message.subject == "[Byline] 3 comments waiting for moderation"

    def test_a_comment_held_once_the_notice_started_queues_another(self):
        received(HeldCommentFactory(article=self.article))
        run_queued_tasks()

        received(HeldCommentFactory(article=self.article))

        assert self.queued_notices() == 2

    def test_the_notice_is_queued_for_every_comment_while_the_cache_cannot_be_read(self):
        # The Redis cache answers so while it is down (config/cache.py).
        with (
            mock.patch.object(cache, "add", return_value=False),
            mock.patch.object(cache, "get", return_value=None),
        ):
            received(HeldCommentFactory(article=self.article))
            received(HeldCommentFactory(article=self.article))

        assert self.queued_notices() == 2


@time_machine.travel(NOW, tick=False)
class FollowUpSchedulingTests(TestCase):
    def test_follow_up_is_queued_once_at_the_end_of_the_window(self):
        StaffFactory(username="mod", email="mod@staff.example", role="Moderator")
        article = ArticleFactory()
        received(HeldCommentFactory(article=article))
        HeldCommentFactory(article=article, created_at=NOW + datetime.timedelta(minutes=10))
        dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        with (
            override_settings(TASKS=dummy),
            time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False),
        ):
            tasks.notify_moderators.call()
            tasks.notify_moderators.call()
            queued = list(default_task_backend.results)

        assert len(queued) == 1
        assert queued[0].task.run_after == NOW + datetime.timedelta(minutes=30)
        assert queued[0].kwargs == {"follow_up": True}
        assert len(mail.outbox) == 1


class AuthorNotificationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.writer = StaffFactory(username="amara", email="amara@staff.example", first_name="Amara")
        cls.author = AuthorFactory(name="Amara Okafor", user=cls.writer)
        cls.unlinked = AuthorFactory(name="No Account")
        cls.article = ArticleFactory(title="Tariff talks", authors=[cls.author, cls.unlinked])

    @override_settings(SITE_URL="https://news.example")
    def test_approved_comment_tells_the_authors_with_an_account(self):
        comment = CommentFactory(article=self.article, name="Ada", body="Good piece.")

        approved(comment)

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["amara@staff.example"]
        assert message.subject == "[Byline] New comment on “Tariff talks”"
        assert message.body.startswith("Hello Amara,\n\nAda commented on your article")
        assert "Good piece." in message.body
        assert links(message) == [
            f"https://news.example{self.article.get_absolute_url()}#comment-{comment.pk}"
        ]
        assert_reveals_no_address(message, comment.email)

    def test_held_comment_tells_no_author(self):
        received(HeldCommentFactory(article=self.article))

        assert all(message.to != ["amara@staff.example"] for message in mail.outbox)

    def test_author_replying_as_staff_is_not_told_of_their_own_reply(self):
        reply = CommentFactory(article=self.article, staff_user=self.writer)

        approved(reply)

        assert mail.outbox == []

    def test_inactive_author_account_is_not_written_to(self):
        self.writer.is_active = False
        self.writer.save()

        approved(CommentFactory(article=self.article))

        assert mail.outbox == []


class CommenterNotificationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Tariff talks")

    def opt_in(self, **kwargs):
        comment = CommentFactory(article=self.article, email=READER, notify_replies=True, **kwargs)
        received(comment)
        return comment

    def confirm(self, message):
        """Follow the address confirmation link in `message` as its reader does."""
        confirm_link = next(link for link in links(message) if "/comments/confirm/" in link)
        page = self.client.get(path_of(confirm_link))
        assert page.status_code == 200
        assert "Confirm my address" in page.content.decode()
        assert not CommenterAddress.objects.get().receives_notifications  # GET changes nothing
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(path_of(confirm_link))
        assert response.status_code == 200
        assert "Your address is confirmed" in response.content.decode()

    def reply_to(self, comment, **kwargs):
        reply = CommentFactory(article=self.article, parent=comment, name="Bo", **kwargs)
        approved(reply)
        return reply

    def test_opting_in_sends_only_a_confirmation_link(self):
        comment = self.opt_in()

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [READER]
        assert message.subject == "[Byline] Confirm reply notifications"
        assert any("/comments/confirm/" in link for link in links(message))
        assert_reveals_no_address(message, READER)

        self.reply_to(comment)
        assert len(mail.outbox) == 1  # not confirmed yet: no reply notification

    @override_settings(SITE_URL="https://news.example")
    def test_confirmed_subscriber_hears_of_replies_with_unsubscribe_and_manage_links(self):
        comment = self.opt_in()
        self.confirm(mail.outbox[0])

        self.reply_to(comment, body="I disagree about the baseline.")

        assert len(mail.outbox) == 2
        message = mail.outbox[1]
        assert message.to == [READER]
        assert message.subject == "[Byline] New reply to your comment on “Tariff talks”"
        assert "Bo replied to your comment" in message.body
        assert "I disagree about the baseline." in message.body
        unsubscribe = message.extra_headers["List-Unsubscribe"]
        assert re.fullmatch(r"<https://news\.example/comments/unsubscribe/[^/>]+/>", unsubscribe)
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe[1:-1] in links(message)
        assert any("/comments/manage/" in link for link in links(message))
        assert_reveals_no_address(message, READER)

    def test_one_click_unsubscribe_stops_future_mail(self):
        comment = self.opt_in()
        self.confirm(mail.outbox[0])
        self.reply_to(comment)
        unsubscribe = mail.outbox[-1].extra_headers["List-Unsubscribe"][1:-1]

        # What a mail provider sends for RFC 8058: a POST with no cookie and no CSRF token.
        response = self.client_class(enforce_csrf_checks=True).post(
            path_of(unsubscribe),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )

        assert response.status_code == 200
        assert "You are unsubscribed" in response.content.decode()
        sent = len(mail.outbox)
        self.reply_to(comment)
        assert len(mail.outbox) == sent

    def test_opting_in_again_after_unsubscribing_needs_a_new_confirmation(self):
        comment = self.opt_in()
        self.confirm(mail.outbox[0])
        self.client.post(path_of(re.search(r"\S+/unsubscribe/\S+", mail.outbox[0].body)[0]))
        mail.outbox.clear()
        cache.clear()  # the confirmation's resend interval

        second = self.opt_in()

        assert [message.subject for message in mail.outbox] == [
            "[Byline] Confirm reply notifications"
        ]
        self.reply_to(comment)
        self.reply_to(second)
        assert len(mail.outbox) == 1

    def test_confirmation_is_sent_at_most_once_in_ten_minutes(self):
        self.opt_in()
        self.opt_in()

        assert len(mail.outbox) == 1

    def test_verified_address_needs_no_separate_confirmation(self):
        CommenterAddress.objects.create(email=READER, verified_at=timezone.now())
        comment = self.opt_in()

        self.reply_to(comment)

        assert [message.subject for message in mail.outbox] == [
            "[Byline] New reply to your comment on “Tariff talks”"
        ]

    def test_nobody_is_told_of_their_own_reply(self):
        comment = self.opt_in()
        self.confirm(mail.outbox[0])

        self.reply_to(comment, email=READER.upper())

        assert len(mail.outbox) == 1

    def test_commenter_without_the_opt_in_receives_nothing(self):
        comment = CommentFactory(article=self.article, email=READER)
        CommenterAddress.objects.create(email=READER, verified_at=timezone.now())
        received(comment)

        self.reply_to(comment)

        assert mail.outbox == []

    def test_held_comment_approved_tells_its_author_who_asked(self):
        held = HeldCommentFactory(article=self.article, email=READER, notify_replies=True)
        received(held)
        self.confirm(next(m for m in mail.outbox if m.to == [READER]))
        mail.outbox.clear()

        approve_after_hold(held)

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [READER]
        assert message.subject == "[Byline] Your comment on “Tariff talks” is published"
        assert f"#comment-{held.pk}" in message.body
        assert "List-Unsubscribe" in message.extra_headers
        assert_reveals_no_address(message, READER)

    def test_held_comment_approved_tells_nobody_who_did_not_ask(self):
        held = HeldCommentFactory(article=self.article, email=READER)
        CommenterAddress.objects.create(email=READER, verified_at=timezone.now())

        approve_after_hold(held)

        assert mail.outbox == []

    def test_spam_opt_in_sends_nothing_to_the_address(self):
        spam = CommentFactory(
            article=self.article, email=READER, notify_replies=True, status=Comment.Status.SPAM
        )

        received(spam)

        assert mail.outbox == []

    def test_erased_address_receives_nothing_more(self):
        comment = self.opt_in()
        self.confirm(mail.outbox[0])
        CommenterAddress.objects.all().delete()

        self.reply_to(comment)

        assert len(mail.outbox) == 1


class CommentFormOptInTests(TestCase):
    """The opt-in through the real comment form, as a reader posts it."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Tariff talks")

    def post(self, **fields):
        with self.captureOnCommitCallbacks(execute=True):
            return submit_comment(
                self.client, self.article, "203.0.113.5", name="Ada", email=READER, **fields
            )

    def to_reader(self):
        return [message for message in mail.outbox if message.to == [READER]]

    def test_form_offers_the_opt_in_unticked(self):
        page = self.client.get(self.article.get_absolute_url()).content.decode()

        checkbox = re.search(r'<input[^>]*name="notify_replies"[^>]*>', page)[0]
        assert 'type="checkbox"' in checkbox
        assert "checked" not in checkbox
        assert "Notify me of replies by email." in page

    def test_ticking_the_box_sends_the_confirmation_link_once(self):
        comment = self.post(body="Please tell me of replies.", notify_replies="on")

        assert comment.notify_replies is True
        [message] = self.to_reader()
        assert message.subject == "[Byline] Confirm reply notifications"
        assert_reveals_no_address(message, READER)
        # The button under the thank-you message shares the limit: no second message.
        assert verification.request_confirmation(comment) is False

    def test_without_the_box_the_commenter_receives_nothing(self):
        comment = self.post(body="No mail for me, thanks.", notify_replies="")

        assert comment.notify_replies is False
        assert self.to_reader() == []


@pytest.mark.postgres
@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions (PostgreSQL)")
class ConcurrentModeratorNotificationTests(TransactionTestCase):
    """Comments held at the same moment, each in its own transaction: one message, not six."""

    WORKERS = 6
    serialized_rollback = True  # keep the role groups the migrations created

    def test_concurrent_tasks_send_one_message(self):
        StaffFactory(username="chief", email="chief@staff.example", is_superuser=True)
        article = ArticleFactory()
        for _ in range(self.WORKERS):
            HeldCommentFactory(article=article)
        DiscussionSettings.current()
        start = threading.Barrier(self.WORKERS)
        sent = []

        def worker():
            try:
                start.wait(5)
                with transaction.atomic():
                    sent.append(tasks.notify_moderators.call())
                    time.sleep(0.2)  # hold the row while the others try their UPDATE
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(self.WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)

        assert sorted(sent) == [0] * (self.WORKERS - 1) + [1]
        assert len(mail.outbox) == 1
        assert mail.outbox[0].subject == "[Byline] 6 comments waiting for moderation"


class ModerationQueueIntegrationTests(TestCase):
    """Decisions taken in the moderation queue (comments/moderation.py) reach the right people."""

    @classmethod
    def setUpTestData(cls):
        writer = StaffFactory(username="amara", email="amara@staff.example")
        cls.article = ArticleFactory(
            title="Tariff talks", authors=[AuthorFactory(name="Amara Okafor", user=writer)]
        )
        cls.moderator = StaffFactory(username="mod", email="mod@staff.example", role="Moderator")
        address = CommenterAddress.objects.create(email=READER)
        selfservice.confirm_notifications(address)

    def test_approving_in_the_queue_tells_the_commenter_who_asked_and_the_author(self):
        held = HeldCommentFactory(article=self.article, email=READER, notify_replies=True)

        with self.captureOnCommitCallbacks(execute=True):
            moderation.moderate([held], Comment.Status.APPROVED, self.moderator)

        assert sorted((message.to[0], message.subject) for message in mail.outbox) == [
            ("amara@staff.example", "[Byline] New comment on “Tariff talks”"),
            (READER, "[Byline] Your comment on “Tariff talks” is published"),
        ]

    def test_approving_twice_sends_each_message_once(self):
        held = HeldCommentFactory(article=self.article, email=READER, notify_replies=True)

        with self.captureOnCommitCallbacks(execute=True):
            moderation.moderate([held], Comment.Status.APPROVED, self.moderator)
            moderation.moderate([held], Comment.Status.APPROVED, self.moderator)

        assert len(mail.outbox) == 2

    def test_marking_spam_tells_nobody(self):
        held = HeldCommentFactory(article=self.article, email=READER, notify_replies=True)

        with self.captureOnCommitCallbacks(execute=True):
            moderation.moderate([held], Comment.Status.SPAM, self.moderator)

        assert mail.outbox == []

    def test_staff_reply_from_the_queue_tells_the_commenter_of_both(self):
        held = HeldCommentFactory(article=self.article, email=READER, notify_replies=True)

        with self.captureOnCommitCallbacks(execute=True):
            staff_replies.reply_as_staff(
                held, "Thank you: we have corrected the figure.", self.moderator
            )

        to_reader = sorted(message.subject for message in mail.outbox if message.to == [READER])
        assert to_reader == [
            "[Byline] New reply to your comment on “Tariff talks”",
            "[Byline] Your comment on “Tariff talks” is published",
        ]
