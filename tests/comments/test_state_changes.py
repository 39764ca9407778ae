"""State changes on the comment models (comments/models.py) refuse illegal moves, with a
TransitionRefused saying why, and change nothing then."""

from django.test import TestCase
from django.utils import timezone

from comments.commenters import avatars
from comments.commenters.privacy import digest
from comments.models import ANONYMOUS, ERASED_BODY, Comment, CommenterAddress, TransitionRefused
from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory, StaffFactory

READER = "private.reader@mail.example"


def stored(comment):
    return Comment.objects.get(pk=comment.pk)


class WithdrawTests(TestCase):
    def test_a_held_or_published_comment_is_withdrawn_and_notifies_no_more(self):
        for comment in (
            HeldCommentFactory(notify_replies=True),
            CommentFactory(notify_replies=True),
        ):
            with self.subTest(comment.status):
                assert comment.is_withdrawable

                comment.withdraw()

                assert not comment.is_withdrawable

                assert stored(comment).status == Comment.Status.WITHDRAWN
                assert stored(comment).notify_replies is False

    def test_spam_removed_and_withdrawn_comments_cannot_be_withdrawn(self):
        for status in (Comment.Status.SPAM, Comment.Status.REMOVED, Comment.Status.WITHDRAWN):
            with self.subTest(status):
                comment = CommentFactory(status=status, notify_replies=True)
                assert not comment.is_withdrawable

                with self.assertRaisesMessage(TransitionRefused, "can be withdrawn"):
                    comment.withdraw()

                assert stored(comment).status == status
                assert stored(comment).notify_replies is True

    def test_an_unsaved_comment_cannot_be_withdrawn(self):
        with self.assertRaisesMessage(TransitionRefused, "not stored yet"):
            Comment(article=ArticleFactory(), status=Comment.Status.PENDING).withdraw()


class ApproveTests(TestCase):
    def test_the_rules_release_a_held_comment_with_their_reason_and_its_addresss_avatar(self):
        moderator = StaffFactory(role="Moderator")
        comment = HeldCommentFactory(email=READER, moderation_rule="unconfirmed")
        Comment.objects.filter(pk=comment.pk).update(moderated_by=moderator)
        comment.refresh_from_db()

        comment.approve(rule="trusted", reason="approved: trusted commenter (address confirmed)")

        after = stored(comment)
        assert after.status == Comment.Status.APPROVED
        assert after.moderation_rule == "trusted"
        assert after.held_reason == "approved: trusted commenter (address confirmed)"
        assert after.moderated_at is not None
        assert after.moderated_by == moderator  # a release names no moderator
        assert after.avatar_key == avatars.address_key(digest(READER))

    def test_the_rules_release_only_held_comments(self):
        for status in (
            Comment.Status.APPROVED,
            Comment.Status.SPAM,
            Comment.Status.REMOVED,
            Comment.Status.WITHDRAWN,
        ):
            with self.subTest(status):
                comment = CommentFactory(status=status, held_reason="as it was")

                with self.assertRaisesMessage(TransitionRefused, "Only a held comment"):
                    comment.approve(rule="trusted", reason="approved: trusted commenter")

                assert stored(comment).status == status
                assert stored(comment).held_reason == "as it was"

    def test_a_release_names_no_moderator_and_a_reason_needs_its_rule(self):
        comment = HeldCommentFactory()

        with self.assertRaisesMessage(TransitionRefused, "not a release"):
            comment.approve(StaffFactory(role="Moderator"), rule="trusted", reason="approved")
        with self.assertRaisesMessage(TransitionRefused, "recorded with its rule"):
            comment.approve(reason="approved: because")

        assert stored(comment).status == Comment.Status.PENDING

    def test_an_unsaved_comment_cannot_be_approved_marked_or_removed(self):
        for move in (Comment.approve, Comment.mark_spam, Comment.remove):
            with self.subTest(move.__name__), self.assertRaises(TransitionRefused):
                move(Comment(article=ArticleFactory()))
        with self.assertRaises(TransitionRefused):
            Comment(article=ArticleFactory()).approve(rule="trusted", reason="approved")

    def test_refusals_are_value_errors(self):
        assert issubclass(TransitionRefused, ValueError)


class AnonymiseTests(TestCase):
    def test_a_published_comment_keeps_its_text_and_loses_its_author(self):
        comment = CommentFactory(
            email=READER,
            name="Ada Reader",
            website="https://ada.example",
            ip_address="203.0.113.7",
            user_agent="TestBrowser/1.0",
            browser_digest="b" * 64,
            notify_replies=True,
            body="Published words.",
        )

        comment.anonymise()

        after = stored(comment)
        assert after.name == ANONYMOUS
        assert after.email == ""
        assert after.email_digest == ""
        assert after.website == ""
        assert after.ip_address is None
        assert after.user_agent == ""
        assert after.browser_digest == ""
        assert after.notify_replies is False
        assert after.body == "Published words."
        assert after.avatar_key != avatars.address_key(digest(READER))

    def test_an_unpublished_comment_loses_its_text_too(self):
        comment = CommentFactory(email=READER, status=Comment.Status.REMOVED, body="Gone.")

        comment.anonymise()

        assert stored(comment).body == ERASED_BODY

    def test_a_comment_without_an_address_is_refused_and_left_as_it_is(self):
        comment = CommentFactory(email=READER)
        comment.anonymise()
        avatar = stored(comment).avatar_key

        with self.assertRaisesMessage(TransitionRefused, "nothing of its author to erase"):
            comment.anonymise()

        assert stored(comment).avatar_key == avatar

    def test_an_unsaved_comment_cannot_be_anonymised(self):
        with self.assertRaisesMessage(TransitionRefused, "not stored yet"):
            Comment(article=ArticleFactory(), email=READER).anonymise()


class CommenterAddressTests(TestCase):
    def test_verifying_records_the_first_confirmation_only(self):
        address = CommenterAddress.objects.create(email=READER)

        address.verify()
        first = CommenterAddress.objects.get().verified_at

        assert first is not None
        with self.assertRaisesMessage(TransitionRefused, "already verified"):
            address.verify()
        assert CommenterAddress.objects.get().verified_at == first

    def test_an_unsaved_address_cannot_be_verified(self):
        with self.assertRaisesMessage(TransitionRefused, "not stored yet"):
            CommenterAddress(email=READER).verify()
        assert not CommenterAddress.objects.exists()

    def test_distrusting_a_known_address_dates_it_without_reading_it(self):
        CommenterAddress.objects.create(email=READER)
        when = timezone.now()

        with self.assertNumQueries(1):
            CommenterAddress(email=READER).distrust(when)

        assert CommenterAddress.objects.get().distrusted_at == when

    def test_distrusting_an_unknown_address_records_it(self):
        CommenterAddress(email=READER).distrust()

        address = CommenterAddress.objects.get()
        assert address.email == READER
        assert address.distrusted_at is not None

    def test_distrusting_again_dates_it_again(self):
        address = CommenterAddress.objects.create(email=READER)
        address.distrust(timezone.now() - timezone.timedelta(days=3))
        later = timezone.now()

        address.distrust(later)

        assert CommenterAddress.objects.get().distrusted_at == later

    def test_a_commenter_without_an_address_cannot_be_distrusted(self):
        with self.assertRaisesMessage(TransitionRefused, "without an address"):
            CommenterAddress(email="").distrust()
        assert not CommenterAddress.objects.exists()
