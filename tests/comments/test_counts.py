"""The approved-comment count per article: right after any mix of decisions and deletions,
including concurrent ones from several moderators at once (PostgreSQL, real transactions)."""

import random
import re
import threading
from unittest import skipUnless

import pytest
from django.db import connection, connections
from django.db.models import Count, Q
from django.test import TestCase, TransactionTestCase

from articles.models import Article
from comments import moderation, signals
from comments.models import Comment
from tests.comments.html import comments_heading
from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory, StaffFactory

APPROVED = Comment.Status.APPROVED


def heading_count(client, article):
    heading = comments_heading(client.get(article.get_absolute_url()).content.decode())
    match = re.fullmatch(r"(\d+) comments?", heading or "")
    return int(match.group(1)) if match else 0


def shown_in_database(article):
    """Approved comments whose every ancestor is approved, worked out from the table."""
    rows = dict(
        Comment.objects.filter(article=article).values_list("pk", "parent_id").order_by("pk")
    )
    statuses = dict(Comment.objects.filter(article=article).values_list("pk", "status"))

    def shown(pk):
        while pk is not None:
            if statuses[pk] != APPROVED:
                return False
            pk = rows[pk]
        return True

    return sum(1 for pk in rows if shown(pk))


def admin_count(article):
    """The articles admin's column: a Count annotation."""
    return (
        Article.objects.annotate(
            approved_comments=Count("comments", filter=Q(comments__status=APPROVED))
        )
        .get(pk=article.pk)
        .approved_comments
    )


class CountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(role="Moderator")
        cls.article = ArticleFactory()

    def test_the_heading_follows_approvals_removals_and_deletions(self):
        top = CommentFactory(article=self.article)
        reply = CommentFactory(article=self.article, parent=top)
        held = HeldCommentFactory(article=self.article)
        assert heading_count(self.client, self.article) == 2

        moderation.moderate([held], APPROVED, self.moderator)
        assert heading_count(self.client, self.article) == 3

        moderation.moderate([top], Comment.Status.REMOVED, self.moderator)
        assert heading_count(self.client, self.article) == 1  # its reply goes with it

        moderation.moderate([top], APPROVED, self.moderator)
        assert heading_count(self.client, self.article) == 3

        top.delete()  # deleting a comment deletes its replies
        assert heading_count(self.client, self.article) == 1
        assert not Comment.objects.filter(pk=reply.pk).exists()
        assert admin_count(self.article) == 1


@pytest.mark.postgres
@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions (PostgreSQL)")
class ConcurrentModerationTests(TransactionTestCase):
    """Several moderators approve, mark and delete the same comments at the same moment."""

    serialized_rollback = True  # keep the rows the migrations created

    MODERATORS = 6
    ROUNDS = 3

    def setUp(self):
        self.article = ArticleFactory()
        self.moderators = [StaffFactory() for _ in range(self.MODERATORS)]
        self.comments = []
        for _ in range(12):
            top = HeldCommentFactory(article=self.article)
            reply = HeldCommentFactory(article=self.article, parent=top)
            self.comments += [top, reply, HeldCommentFactory(article=self.article, parent=reply)]
        self.comments += [CommentFactory(article=self.article) for _ in range(6)]
        self.announced = []
        self.announced_lock = threading.Lock()
        signals.comment_approved.connect(self.hear, sender=Comment)
        self.addCleanup(signals.comment_approved.disconnect, self.hear, sender=Comment)

    def hear(self, sender, comment, **kwargs):
        with self.announced_lock:
            self.announced.append(comment.pk)

    def run_moderators(self, work):
        """Run `work(moderator, seed)` in one thread per moderator, all starting together."""
        start = threading.Barrier(self.MODERATORS)
        errors = []

        def run(moderator, seed):
            try:
                start.wait(10)
                work(moderator, seed)
            except Exception as error:  # reported by the test, not lost in the thread
                errors.append(error)
            finally:
                connections.close_all()

        workers = [
            threading.Thread(target=run, args=(moderator, seed))
            for seed, moderator in enumerate(self.moderators)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        assert not any(worker.is_alive() for worker in workers)
        assert errors == []

    def test_same_comments_approved_by_everyone_at_once_change_and_announce_once(self):
        pending = [comment.pk for comment in self.comments if comment.status != APPROVED]
        changed_by = {}

        def approve_all(moderator, seed):
            order = pending[:]
            random.Random(seed).shuffle(order)
            for pk in order:
                for comment in moderation.moderate([Comment(pk=pk)], APPROVED, moderator):
                    changed_by.setdefault(comment.pk, []).append(moderator.pk)

        self.run_moderators(approve_all)

        assert sorted(changed_by) == sorted(pending)
        assert all(len(moderators) == 1 for moderators in changed_by.values())
        assert sorted(self.announced) == sorted(pending)
        stored = dict(Comment.objects.filter(pk__in=pending).values_list("pk", "moderated_by"))
        assert stored == {pk: moderators[0] for pk, moderators in changed_by.items()}
        total = len(self.comments)
        assert admin_count(self.article) == total
        assert heading_count(self.client, self.article) == total

    def test_count_is_right_after_concurrent_approvals_spam_removals_and_deletions(self):
        pks = [comment.pk for comment in self.comments]
        approvals = []

        def mixed_work(moderator, seed):
            """Approve most comments (overlapping with everyone else), mark some as spam,
            remove some, delete a few (with their replies), in a shuffled order."""
            chooser = random.Random(seed)
            order = pks[:]
            for _ in range(self.ROUNDS):
                chooser.shuffle(order)
                for pk in order:
                    action = chooser.random()
                    if action < 0.03:
                        Comment.objects.filter(pk=pk).delete()
                    elif action < 0.10:
                        moderation.moderate([Comment(pk=pk)], Comment.Status.SPAM, moderator)
                    elif action < 0.15:
                        moderation.moderate([Comment(pk=pk)], Comment.Status.REMOVED, moderator)
                    else:
                        approvals.extend(moderation.moderate([Comment(pk=pk)], APPROVED, moderator))

        self.run_moderators(mixed_work)

        remaining = Comment.objects.filter(article=self.article)
        approved = remaining.filter(status=APPROVED).count()
        assert remaining.count() < len(self.comments)  # some were deleted
        # Which decision lands last on a comment depends on the threads' timing, so only the
        # approvals are certain; the counts below must match whatever mix resulted.
        assert approved > 0
        assert admin_count(self.article) == approved
        assert heading_count(self.client, self.article) == shown_in_database(self.article)
        # Each change to "approved" was announced once, and nothing else was.
        assert sorted(self.announced) == sorted(comment.pk for comment in approvals)
