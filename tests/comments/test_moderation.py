"""Moderation rules (comments.moderation) and the Comment model's moderation methods."""

import datetime

from django.test import TestCase
from django.utils import timezone

from comments import moderation, staff_replies
from comments.models import Comment, DiscussionSettings
from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory, StaffFactory


def minutes_ago(minutes):
    return timezone.now() - datetime.timedelta(minutes=minutes)


class InitialStatusTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.staff = StaffFactory()

    def test_a_reader_comment_is_held_for_review_with_a_reason(self):
        comment = Comment(article=self.article, name="Ada", email="ada@mail.example", body="Hi")

        status, reason = moderation.initial_status(comment)

        assert status == Comment.Status.PENDING
        assert reason == moderation.HOLD_FOR_REVIEW
        assert reason.startswith("held:")

    def test_a_staff_comment_is_approved_at_once_with_a_reason(self):
        comment = Comment(
            article=self.article,
            name="The editors",
            email="desk@byline.example",
            body="Correction appended.",
            staff_user=self.staff,
        )

        status, reason = moderation.initial_status(comment)

        assert status == Comment.Status.APPROVED
        assert reason == "approved: written by staff"

    def test_staff_comments_are_approved_alike_from_the_form_the_queue_and_the_shell(self):
        parent = CommentFactory(article=self.article)
        moderator = StaffFactory(role="Moderator")
        written = Comment(article=self.article, body="From the form.", staff_user=moderator)
        from_form = moderation.review(
            moderation.Submission(comment=written), DiscussionSettings.current()
        )
        reply, _approved = staff_replies.reply_as_staff(parent, "From the queue.", moderator)
        status, reason = moderation.initial_status(Comment(staff_user=moderator))

        recorded = (reply.status, reply.held_reason, reply.moderation_rule)
        assert (from_form.status, from_form.held_reason, from_form.rule) == recorded
        assert (status, reason) == recorded[:2]
        assert recorded == (Comment.Status.APPROVED, "approved: written by staff", "staff")

    def test_every_reason_fits_the_held_reason_column(self):
        limit = Comment._meta.get_field("held_reason").max_length
        for staff_user in (None, self.staff):
            comment = Comment(article=self.article, staff_user=staff_user)

            _status, reason = moderation.initial_status(comment)

            assert 0 < len(reason) <= limit


class ModerateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(role="Moderator")
        cls.article = ArticleFactory()

    def test_approving_changes_status_and_records_who_and_when(self):
        comment = HeldCommentFactory(article=self.article)
        before = timezone.now()

        changed = moderation.moderate(
            Comment.objects.filter(pk=comment.pk), Comment.Status.APPROVED, self.moderator
        )

        comment.refresh_from_db()
        assert changed == [comment]
        assert comment.status == Comment.Status.APPROVED
        assert comment.moderated_by == self.moderator
        assert before <= comment.moderated_at <= timezone.now()

    def test_each_decision_sets_its_status(self):
        for decision in (Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.REMOVED):
            with self.subTest(decision):
                comment = HeldCommentFactory(article=self.article)

                moderation.moderate([comment], decision, self.moderator)

                comment.refresh_from_db()
                assert comment.status == decision
                assert comment.moderated_by == self.moderator
                assert comment.moderated_at is not None

    def test_only_comments_whose_status_changed_are_returned(self):
        pending = HeldCommentFactory(article=self.article)
        already = CommentFactory(article=self.article)  # approved, never moderated
        spam = CommentFactory(article=self.article, status=Comment.Status.SPAM)

        changed = moderation.moderate(
            Comment.objects.filter(article=self.article).order_by("pk"),
            Comment.Status.APPROVED,
            self.moderator,
        )

        assert [comment.pk for comment in changed] == [pending.pk, spam.pk]
        already.refresh_from_db()
        assert already.moderated_by is None
        assert already.moderated_at is None

    def test_an_unchanged_comment_keeps_its_earlier_moderation_record(self):
        first_moderator = StaffFactory(role="Moderator")
        comment = HeldCommentFactory(article=self.article)
        comment.mark_spam(by=first_moderator)
        stamped = Comment.objects.get(pk=comment.pk).moderated_at

        changed = moderation.moderate([comment], Comment.Status.SPAM, self.moderator)

        comment.refresh_from_db()
        assert changed == []
        assert comment.moderated_by == first_moderator
        assert comment.moderated_at == stamped

    def test_moderating_nothing_changes_nothing(self):
        assert moderation.moderate(Comment.objects.none(), Comment.Status.SPAM, None) == []

    def test_an_unknown_decision_is_refused(self):
        comment = HeldCommentFactory(article=self.article)

        with self.assertRaises(KeyError):
            moderation.moderate([comment], Comment.Status.PENDING, self.moderator)

        comment.refresh_from_db()
        assert comment.status == Comment.Status.PENDING

    def test_moderation_does_not_touch_what_the_reader_wrote(self):
        comment = HeldCommentFactory(
            article=self.article, name="Ada", email="ada@mail.example", body="Original words."
        )

        moderation.moderate([comment], Comment.Status.APPROVED, self.moderator)

        comment.refresh_from_db()
        assert (comment.name, comment.email, comment.body) == (
            "Ada",
            "ada@mail.example",
            "Original words.",
        )
        assert comment.held_reason == moderation.HOLD_FOR_REVIEW


class CommentModerationMethodTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(role="Moderator")

    def assert_moderated(self, comment, status):
        """The stored comment has `status`, set by the moderator; it is returned."""
        stored = Comment.objects.get(pk=comment.pk)
        assert stored.status == status
        assert stored.moderated_by == self.moderator
        return stored

    def test_approve(self):
        comment = HeldCommentFactory()

        comment.approve(by=self.moderator)

        stored = self.assert_moderated(comment, Comment.Status.APPROVED)
        assert stored.moderated_at is not None

    def test_mark_spam(self):
        comment = CommentFactory()

        comment.mark_spam(by=self.moderator)

        self.assert_moderated(comment, Comment.Status.SPAM)

    def test_remove(self):
        comment = CommentFactory()

        comment.remove(by=self.moderator)

        self.assert_moderated(comment, Comment.Status.REMOVED)

    def test_methods_work_without_a_moderator(self):
        comment = HeldCommentFactory()

        comment.approve()

        stored = Comment.objects.get(pk=comment.pk)
        assert stored.status == Comment.Status.APPROVED
        assert stored.moderated_by is None
        assert stored.moderated_at is not None

    def test_moderating_saves_only_the_moderation_fields(self):
        comment = HeldCommentFactory(body="Stored body.")
        comment.body = "Edited in memory only."

        comment.approve(by=self.moderator)

        assert Comment.objects.get(pk=comment.pk).body == "Stored body."


class QuerySetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        article = ArticleFactory()
        cls.old_pending = HeldCommentFactory(article=article, created_at=minutes_ago(50))
        cls.new_pending = HeldCommentFactory(article=article, created_at=minutes_ago(5))
        cls.old_approved = CommentFactory(article=article, created_at=minutes_ago(60))
        cls.new_approved = CommentFactory(article=article, created_at=minutes_ago(1))
        cls.spam = CommentFactory(
            article=article, status=Comment.Status.SPAM, created_at=minutes_ago(30)
        )
        cls.removed = CommentFactory(
            article=article, status=Comment.Status.REMOVED, created_at=minutes_ago(10)
        )

    def test_approved_returns_only_approved_comments_oldest_first(self):
        assert list(Comment.objects.approved()) == [self.old_approved, self.new_approved]

    def test_pending_returns_only_pending_comments_oldest_first(self):
        assert list(Comment.objects.pending()) == [self.old_pending, self.new_pending]

    def test_moderation_queue_puts_pending_first_then_the_rest_newest_first(self):
        assert list(Comment.objects.moderation_queue()) == [
            self.new_pending,
            self.old_pending,
            self.new_approved,
            self.removed,
            self.spam,
            self.old_approved,
        ]

    def test_moderation_queue_keeps_filters(self):
        queue = Comment.objects.exclude(pk=self.new_pending.pk).moderation_queue()

        assert list(queue)[:2] == [self.old_pending, self.new_approved]

    def test_excerpt_collapses_whitespace_and_cuts_long_text(self):
        short = Comment(body="  A  short\n\ncomment. ")
        long = Comment(body="word " * 40)

        assert short.excerpt == "A short comment."
        assert len(long.excerpt) <= 80
        assert long.excerpt.endswith("…")
        assert long.excerpt.startswith("word word")
