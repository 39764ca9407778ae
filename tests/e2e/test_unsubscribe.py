"""A reader asks for reply notifications, confirms them, hears of a reply, and unsubscribes
with the link in that message — all in Chromium, following the links from the sent mail.

Screenshots go to tests/e2e/screenshots/ (gitignored); the last is unsubscribe.png.
"""

import re

import pytest
from django.core import mail
from django.test import override_settings
from playwright.sync_api import expect

from comments import signals
from comments.commenters.privacy import digest
from comments.models import Comment, CommenterAddress
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

from .browser import BrowserTestCase

EMAIL = "reader.private@mail.example"
COMMENT = "Will the talks cover rules of origin for processed cocoa?"


def link_in(message, fragment):
    return next(url for url in re.findall(r"https?://\S+", message.body) if fragment in url)


@pytest.mark.e2e
class UnsubscribeTests(BrowserTestCase):
    def setUp(self):
        self.enterContext(override_settings(SITE_URL=self.live_server_url))
        self.allow_instant_posting()
        self.article = ArticleFactory(title="What the new tariff talks mean", slug="tariff-talks")
        self.moderator = StaffFactory(username="moderator", role="Moderator")
        mail.outbox = []

    def assert_private(self, page):
        for secret in (EMAIL, digest(EMAIL)):
            assert secret not in page.url
            assert secret not in page.content()

    def test_reader_unsubscribes_with_the_link_from_a_reply_notification(self):
        reader = self.new_page()
        reader.goto(self.url(self.article.get_absolute_url()))

        # The reader comments and ticks the (unticked) box for reply notifications.
        form = reader.locator("#comment-form")
        form.get_by_role("textbox", name="Comment").fill(COMMENT)
        form.get_by_role("textbox", name="Name").fill("Kwame Mensah")
        form.get_by_role("textbox", name="Email").fill(EMAIL)
        notify = form.get_by_role("checkbox", name="Notify me of replies by email.")
        expect(notify).not_to_be_checked()
        notify.check()
        reader.get_by_role("button", name="Post Comment").click()
        expect(reader.locator("#comments .message--success")).to_contain_text("awaiting moderation")
        comment = Comment.objects.get()
        assert comment.notify_replies

        # Nothing but the confirmation link goes to the address until it is followed.
        [confirmation] = [message for message in mail.outbox if message.to == [EMAIL]]
        assert confirmation.subject.endswith("Confirm reply notifications")
        reader.goto(link_in(confirmation, "/comments/confirm/"))
        reader.get_by_role("button", name="Confirm my address").click()
        expect(reader.locator("h1")).to_have_text("Your address is confirmed")
        assert CommenterAddress.objects.get().receives_notifications

        # A moderator approves it, and another reader replies: the reader hears of both.
        comment.approve(by=self.moderator)
        signals.comment_approved.send(sender=Comment, comment=comment)
        reply = CommentFactory(
            article=self.article, parent=comment, name="Ama Owusu", body="They will, in May."
        )
        signals.comment_approved.send(sender=Comment, comment=reply)
        to_reader = [message for message in mail.outbox if message.to == [EMAIL]]
        assert [message.subject.split("] ")[1] for message in to_reader] == [
            "Confirm reply notifications",
            "Your comment on “What the new tariff talks mean” is published",
            "New reply to your comment on “What the new tariff talks mean”",
        ]
        notification = to_reader[-1]
        header = notification.extra_headers["List-Unsubscribe"]
        unsubscribe_url = link_in(notification, "/comments/unsubscribe/")
        assert header == f"<{unsubscribe_url}>"
        assert EMAIL not in header and digest(EMAIL) not in header

        # The link asks first (a mail scanner opening it unsubscribes nobody)...
        reader.goto(unsubscribe_url)
        expect(reader.locator("h1")).to_have_text("Stop emails about comments")
        self.assert_private(reader)
        assert CommenterAddress.objects.get().receives_notifications

        # ...and the button unsubscribes.
        reader.get_by_role("button", name="Unsubscribe").click()
        expect(reader.locator("h1")).to_have_text("You are unsubscribed")
        expect(reader.get_by_role("status")).to_contain_text("We will not email you about replies")
        self.assert_private(reader)
        self.screenshot(reader, "unsubscribe")

        # The next reply sends nothing.
        sent = len(mail.outbox)
        another = CommentFactory(article=self.article, parent=comment, body="One more thing.")
        signals.comment_approved.send(sender=Comment, comment=another)
        assert len(mail.outbox) == sent

        # The manage link from the same message still lists the comment, notifications off.
        reader.goto(link_in(notification, "/comments/manage/"))
        expect(reader.locator("h1")).to_have_text("Your comments")
        expect(
            reader.get_by_role("checkbox", name="Email me replies to this comment")
        ).not_to_be_checked()
        expect(reader.locator(f"#comment-{comment.pk}")).to_contain_text("Approved")
        self.assert_private(reader)
        self.screenshot(reader, "manage-comments")
