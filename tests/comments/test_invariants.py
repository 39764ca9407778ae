"""The database refuses rows that break the comments' invariants (comments/models.py, migration
0010), `Comment.clean` checks what spans two rows, and one maximum comment length holds."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import Comment, DiscussionSettings
from tests.factories import ArticleFactory, CommentFactory, StaffFactory
from tests.helpers import migrated_to, migrated_to_just_before, migrated_to_the_latest


def stored(comment):
    return Comment.objects.get(pk=comment.pk)


class DatabaseRefusesBadRowsTests(TestCase):
    """Each constraint refuses a row that breaks it, however it is written (an UPDATE here,
    which skips every check in Python)."""

    @classmethod
    def setUpTestData(cls):
        cls.comment = CommentFactory()
        cls.reply = CommentFactory(article=cls.comment.article, parent=cls.comment)

    def assert_refused(self, queryset, **changes):
        with self.assertRaises(IntegrityError), transaction.atomic():
            queryset.update(**changes)

    def test_a_status_outside_the_choices(self):
        self.assert_refused(Comment.objects.filter(pk=self.comment.pk), status="hidden")

        assert stored(self.comment).status == Comment.Status.APPROVED

    def test_a_comment_that_is_its_own_parent(self):
        self.assert_refused(Comment.objects.filter(pk=self.comment.pk), parent=self.comment)
        self.assert_refused(Comment.objects.filter(pk=self.reply.pk), parent=self.reply)

    def test_a_comment_without_a_parent_deeper_than_zero(self):
        self.assert_refused(Comment.objects.filter(pk=self.comment.pk), depth=1)

    def test_a_reply_at_depth_zero(self):
        self.assert_refused(Comment.objects.filter(pk=self.reply.pk), depth=0)

        assert stored(self.reply).depth == 1

    def test_a_second_discussion_settings_row(self):
        DiscussionSettings.current()

        with self.assertRaises(IntegrityError), transaction.atomic():
            DiscussionSettings.objects.bulk_create([DiscussionSettings(pk=2)])

        assert list(DiscussionSettings.objects.values_list("pk", flat=True)) == [1]

    def test_good_rows_pass(self):
        nested = CommentFactory(article=self.comment.article, parent=self.reply)

        assert stored(nested).depth == 2
        assert Comment.objects.count() == 3


class ReplyValidationTests(TestCase):
    """What spans two rows, the database cannot check: `Comment.clean` does."""

    @classmethod
    def setUpTestData(cls):
        cls.comment = CommentFactory()

    def test_a_reply_to_a_comment_on_another_article(self):
        reply = Comment(article=ArticleFactory(), parent=self.comment, name="A", body="B")

        with self.assertRaises(ValidationError) as refused:
            reply.clean()

        assert refused.exception.message_dict == {
            "parent": ["A reply must answer a comment on the same article."]
        }

    def test_a_reply_to_itself(self):
        comment = stored(self.comment)
        comment.parent_id = comment.pk

        with self.assertRaisesMessage(ValidationError, "A comment cannot reply to itself."):
            comment.clean()

    def test_a_reply_at_the_wrong_depth(self):
        reply = Comment(article=self.comment.article, parent=self.comment, depth=3)

        with self.assertRaisesMessage(ValidationError, "(depth 1, not 3)"):
            reply.clean()

    def test_a_reply_on_the_same_article_one_level_deeper(self):
        Comment(article=self.comment.article, parent=self.comment).clean()
        Comment(article=self.comment.article, parent=self.comment, depth=1).clean()
        stored(self.comment).clean()


class MaximumLengthTests(TestCase):
    """One maximum comment length (`DiscussionSettings.comment_max_length`): staff's choice,
    within the server's COMMENT_MAX_LENGTH."""

    def rules(self, max_length):
        row = DiscussionSettings.current()
        row.max_length = max_length
        row.save()
        return row

    @override_settings(COMMENT_MAX_LENGTH=5000)
    def test_staff_choose_it_within_the_servers_ceiling(self):
        assert self.rules(800).comment_max_length == 800
        assert self.rules(5000).comment_max_length == 5000

    @override_settings(COMMENT_MAX_LENGTH=300)
    def test_a_limit_saved_before_the_ceiling_was_lowered_yields_to_it(self):
        rules = self.rules(5000)

        assert rules.comment_max_length == 300
        form = CommentForm(article=ArticleFactory(), rules=rules)
        assert form.fields["body"].max_length == 300
        assert form.fields["body"].widget.attrs["maxlength"] == "300"

    @override_settings(COMMENT_MAX_LENGTH=300)
    def test_a_staff_reply_is_held_to_it_too(self):
        self.rules(5000)
        comment = CommentFactory()
        self.client.force_login(StaffFactory(role="Moderator"))
        url = reverse("admin:comments_comment_reply", args=[comment.pk])

        response = self.client.post(url, {"body": "x" * 301})

        assert response.status_code == 400
        assert "at most 300 characters" in response.content.decode()
        assert not Comment.objects.filter(parent=comment).exists()

    @override_settings(COMMENT_MAX_LENGTH=300)
    def test_the_model_validates_against_the_ceiling_when_it_validates(self):
        comment = CommentFactory.build(article=ArticleFactory(), body="x" * 301)

        with self.assertRaises(ValidationError) as refused:
            comment.full_clean()

        assert list(refused.exception.message_dict) == ["body"]
        comment.body = "x" * 300
        comment.full_clean()


class MigrationCleansRowsTests(TransactionTestCase):
    """The migration adding the constraints first brings stored rows within them."""

    serialized_rollback = True  # keep the rows the migrations created

    def test_bad_rows_are_cleaned_before_the_constraints(self):
        apps = migrated_to_just_before("comments", "_comment_invariants")
        self.addCleanup(migrated_to_the_latest)
        article = ArticleFactory()
        OldComment = apps.get_model("comments", "Comment")

        def old_comment(**fields):
            return OldComment.objects.create(article_id=article.pk, name="A", body="B", **fields)

        unknown = old_comment(status="hidden")
        own_parent = old_comment(status="approved", depth=2)
        OldComment.objects.filter(pk=own_parent.pk).update(parent=own_parent)
        deep_root = old_comment(status="approved", depth=4)
        top = old_comment(status="approved")
        flat_reply = old_comment(status="approved", parent=top, depth=0)
        flat_nested = old_comment(status="approved", parent=flat_reply, depth=0)
        apps.get_model("comments", "DiscussionSettings").objects.create(pk=2, thread_depth=5)

        apps = migrated_to("comments", "_comment_invariants")

        comments = apps.get_model("comments", "Comment").objects
        assert comments.get(pk=unknown.pk).status == "removed"
        assert comments.filter(pk=own_parent.pk).values_list("parent", "depth").get() == (None, 0)
        assert comments.get(pk=deep_root.pk).depth == 0
        assert comments.get(pk=flat_reply.pk).depth == 1
        assert comments.get(pk=flat_nested.pk).depth == 2
        settings_rows = apps.get_model("comments", "DiscussionSettings").objects
        assert list(settings_rows.values_list("pk", flat=True)) == [1]
