"""The moderation queue in Chromium: a moderator sees why comments were held, approves one
with its row's button, marks one as spam in bulk, and replies as staff from the queue."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment, CommenterAddress
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    HeldCommentFactory,
    StaffFactory,
)

from .browser import BrowserTestCase

SPAMMER_EMAIL = "deals@casino-offers.example"


def hours_ago(hours):
    return timezone.now() - datetime.timedelta(hours=hours)


@pytest.mark.e2e
class ModerationQueueTests(BrowserTestCase):
    def setUp(self):
        self.moderator = StaffFactory(
            username="moderator", first_name="Maya", last_name="Desk", role="Moderator"
        )
        geneva = ArticleFactory(title="Talks in Geneva", slug="talks-in-geneva")
        lagos = ArticleFactory(title="Port reform in Lagos", slug="port-reform-in-lagos")
        self.question = CommentFactory(
            article=geneva, name="Olga Petrova", body="When is the next round?"
        )
        self.links = HeldCommentFactory(
            article=geneva,
            name="Piet de Vries",
            body="Sources: https://a.example https://b.example https://c.example",
            held_reason="held: 3 links, limit 2",
            moderation_rule="links",
            created_at=hours_ago(3),
        )
        self.first_timer = HeldCommentFactory(
            article=lagos,
            name="Nadia Bello",
            body="The port authority said the same in 2015. What is different this time?",
            held_reason="held: first comment from this address",
            moderation_rule="first_comment",
            created_at=hours_ago(2),
        )
        self.casino = HeldCommentFactory(
            article=lagos,
            name="Best Deals",
            email=SPAMMER_EMAIL,
            body="Great article! Visit our casino for the best bonus.",
            held_reason="held: matched moderation word 'casino'",
            moderation_rule="moderation_word",
            created_at=hours_ago(1),
        )

    def test_moderator_approves_marks_spam_in_bulk_and_replies_as_staff(self):
        page = self.signed_in_page("moderator")

        # The badge in the admin's top links counts what waits, and opens the queue.
        badge = page.locator("#pending-comments-link")
        expect(badge).to_have_text("Moderation queue 3")
        badge.click()
        expect(page).to_have_url(re.compile(r"/admin/comments/comment/\?status__exact=pending$"))
        rows = page.locator("#result_list tbody tr")
        expect(rows).to_have_count(3)
        # Newest first, each with its reason, article, name, excerpt and age.
        expect(rows.nth(0)).to_contain_text("held: matched moderation word 'casino'")
        expect(rows.nth(0)).to_contain_text("Port reform in Lagos")
        expect(rows.nth(0)).to_contain_text("1 hour ago")
        expect(rows.nth(1)).to_contain_text("held: first comment from this address")
        expect(rows.nth(1)).to_contain_text("Nadia Bello")
        expect(rows.nth(2)).to_contain_text("held: 3 links, limit 2")
        expect(rows.nth(2)).to_contain_text("Sources: https://a.example")
        expect(rows.nth(2)).to_contain_text("3 hours ago")
        expect(page.locator("#result_list")).not_to_contain_text(SPAMMER_EMAIL)
        filters = page.locator("#changelist-filter")
        expect(filters.get_by_role("link", name="Too many links")).to_be_visible()
        expect(filters.get_by_role("link", name="Moderation word")).to_be_visible()
        self.screenshot(page, "moderation-queue")

        # One click approves Piet's comment; the page stays on the pending filter.
        page.get_by_role("button", name="Approve the comment by Piet de Vries").click()
        expect(page.locator(".messagelist .success")).to_have_text(
            "Piet de Vries’s comment: approved."
        )
        expect(page).to_have_url(re.compile(r"/admin/comments/comment/\?status__exact=pending$"))
        expect(rows).to_have_count(2)
        expect(badge).to_have_text("Moderation queue 2")
        self.links.refresh_from_db()
        assert self.links.status == Comment.Status.APPROVED
        assert self.links.moderated_by == self.moderator

        # The casino comment is marked as spam with the bulk action.
        rows.filter(has_text="Best Deals").locator("input[name=_selected_action]").check()
        page.locator("select[name=action]").select_option(label="Mark selected comments as spam")
        page.get_by_role("button", name="Go").click()
        expect(page.locator(".messagelist .success")).to_have_text("1 comment marked as spam.")
        expect(rows).to_have_count(1)
        self.casino.refresh_from_db()
        assert self.casino.status == Comment.Status.SPAM
        address = CommenterAddress.objects.get(email_digest=self.casino.email_digest)
        assert address.distrusted_at is not None

        # Nadia's question gets a staff reply straight from the queue, which approves it.
        page.get_by_role("link", name="Reply to Nadia Bello").click()
        expect(page.get_by_role("heading", name="Reply to Nadia Bello")).to_be_visible()
        expect(page.locator("#replied-comment")).to_contain_text("What is different this time?")
        expect(page.locator(".reply-form .help")).to_contain_text(
            "Published at once as Maya Desk Staff"
        )
        page.get_by_label("Your reply").fill("The 2015 plan had no budget; this one has.")
        page.get_by_role("button", name="Approve and reply").click()
        expect(page.locator(".messagelist .success")).to_contain_text(
            "Approved it and published your reply to Nadia Bello’s comment."
        )
        expect(page).to_have_url(re.compile(r"/admin/comments/comment/\?status__exact=pending$"))
        expect(page.locator("#result_list")).to_have_count(0)  # nothing left pending
        expect(badge).to_have_text("Moderation queue 0")
        reply = Comment.objects.get(parent=self.first_timer)
        assert reply.status == Comment.Status.APPROVED
        assert reply.staff_user == self.moderator
        assert reply.name == "Maya Desk"

        # Every step is in the comment's history, with who did it.
        page.goto(self.url(f"/admin/comments/comment/{self.first_timer.pk}/history/"))
        history = page.locator("#change-history")
        expect(history).to_contain_text("Approved the comment.")
        expect(history).to_contain_text(f"Replied as staff (comment #{reply.pk}).")
        expect(history).to_contain_text("moderator")

        # Readers see the answer under the question, badged.
        reader = self.new_page()
        reader.goto(self.url(self.first_timer.article.get_absolute_url()))
        answer = reader.locator(f"#comment-{self.first_timer.pk} #comment-{reply.pk}")
        expect(answer.locator(".badge")).to_have_text("Staff")
        expect(answer).to_contain_text("The 2015 plan had no budget; this one has.")
