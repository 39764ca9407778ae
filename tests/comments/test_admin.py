"""The moderation admin: the queue, its filters and bulk actions, and who may see what."""

import datetime
from urllib.parse import urlencode

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.moderation import HOLD_FOR_REVIEW
from tests.admin_forms import SignedInEditorTestCase, SignedInModeratorTestCase
from tests.comments.html import comment_tree
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    HeldCommentFactory,
    StaffFactory,
    UserFactory,
)

CHANGELIST = reverse("admin:comments_comment_changelist")
SECRET_EMAIL = "known.reader+secret@private-mail.example"


def change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


def minutes_ago(minutes):
    return timezone.now() - datetime.timedelta(minutes=minutes)


def result_ids(response):
    return [comment.pk for comment in response.context["cl"].result_list]


def email_viewer():
    user = StaffFactory(role="Moderator")
    user.user_permissions.add(Permission.objects.get(codename="view_commenter_email"))
    return user


class ModerationQueueTests(SignedInModeratorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.geneva = ArticleFactory(title="Talks in Geneva")
        cls.lagos = ArticleFactory(title="Port reform in Lagos")
        cls.old_approved = CommentFactory(
            article=cls.geneva,
            name="Olga",
            body="An old approved comment.",
            created_at=minutes_ago(90),
        )
        cls.old_pending = HeldCommentFactory(
            article=cls.geneva,
            name="Piet",
            body="An older held comment.",
            created_at=minutes_ago(60),
        )
        cls.spam = CommentFactory(
            article=cls.lagos,
            name="Spammer",
            body="Cheap pills here.",
            status=Comment.Status.SPAM,
            created_at=minutes_ago(30),
        )
        cls.new_pending = HeldCommentFactory(
            article=cls.lagos, name="Nadia", body="A newer held comment.", created_at=minutes_ago(5)
        )

    def test_moderator_sees_pending_comments_first_newest_first_within_each_group(self):
        response = self.client.get(CHANGELIST)

        assert response.status_code == 200
        assert result_ids(response) == [
            self.new_pending.pk,
            self.old_pending.pk,
            self.spam.pk,
            self.old_approved.pk,
        ]

    def test_filtered_queue_still_puts_pending_first(self):
        response = self.client.get(CHANGELIST, {"article__id__exact": self.geneva.pk})

        assert result_ids(response) == [self.old_pending.pk, self.old_approved.pk]

    def test_each_row_shows_excerpt_name_article_status_and_held_reason(self):
        content = self.client.get(CHANGELIST).content.decode()

        for header in ("Comment", "Name", "Article", "Status and reason", "Age"):
            assert f">{header}</a>" in content or f">{header}</span>" in content, header
        assert "A newer held comment." in content
        assert "Nadia" in content
        assert "Port reform in Lagos" in content
        assert "Pending" in content
        assert "Spam" in content
        assert HOLD_FOR_REVIEW in content

    def test_a_long_comment_is_shown_as_an_excerpt(self):
        HeldCommentFactory(article=self.geneva, body="word " * 100)

        content = self.client.get(CHANGELIST).content.decode()

        assert ("word " * 15).strip() in content
        assert ("word " * 100).strip() not in content

    def test_filter_by_status(self):
        response = self.client.get(CHANGELIST, {"status__exact": "pending"})

        assert sorted(result_ids(response)) == sorted([self.old_pending.pk, self.new_pending.pk])

    def test_filter_by_spam_status(self):
        response = self.client.get(CHANGELIST, {"status__exact": "spam"})

        assert result_ids(response) == [self.spam.pk]

    def test_filter_by_article(self):
        response = self.client.get(CHANGELIST, {"article__id__exact": self.lagos.pk})

        assert result_ids(response) == [self.new_pending.pk, self.spam.pk]

    def test_article_filter_offers_only_articles_with_comments(self):
        ArticleFactory(title="Nobody commented here")

        content = self.client.get(CHANGELIST).content.decode()

        assert "Nobody commented here" not in content
        assert f"article__id__exact={self.geneva.pk}" in content

    def test_search_by_name_and_body_works(self):
        assert result_ids(self.client.get(CHANGELIST, {"q": "Nadia"})) == [self.new_pending.pk]
        assert result_ids(self.client.get(CHANGELIST, {"q": "pills"})) == [self.spam.pk]

    def test_moderator_cannot_add_comments(self):
        response = self.client.get(reverse("admin:comments_comment_add"))

        assert response.status_code == 403

    def test_moderator_can_open_a_comment(self):
        response = self.client.get(change_url(self.new_pending))

        assert response.status_code == 200
        assert "A newer held comment." in response.content.decode()

    def test_changing_the_status_on_the_change_form_records_the_moderator(self):
        response = self.client.post(
            change_url(self.new_pending),
            {"body": self.new_pending.body, "status": Comment.Status.APPROVED},
        )

        assert response.status_code == 302
        self.new_pending.refresh_from_db()
        assert self.new_pending.status == Comment.Status.APPROVED
        assert self.new_pending.moderated_by == self.moderator
        assert self.new_pending.moderated_at is not None


class BulkActionTests(SignedInModeratorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = ArticleFactory()
        cls.first = HeldCommentFactory(article=cls.article, body="First held comment.")
        cls.second = HeldCommentFactory(article=cls.article, body="Second held comment.")
        cls.approved = CommentFactory(article=cls.article, body="Already approved.")
        cls.untouched = HeldCommentFactory(article=cls.article, body="Not selected.")

    def run_action(self, action, comments):
        return self.client.post(
            CHANGELIST,
            {"action": action, "_selected_action": [comment.pk for comment in comments]},
        )

    def statuses(self):
        return dict(Comment.objects.values_list("pk", "status"))

    def test_approve_action(self):
        response = self.run_action("approve", [self.first, self.second])

        assert response.status_code == 302
        statuses = self.statuses()
        assert statuses[self.first.pk] == Comment.Status.APPROVED
        assert statuses[self.second.pk] == Comment.Status.APPROVED
        assert statuses[self.untouched.pk] == Comment.Status.PENDING
        for comment in Comment.objects.filter(pk__in=[self.first.pk, self.second.pk]):
            assert comment.moderated_by == self.moderator
            assert comment.moderated_at is not None

    def test_mark_spam_action(self):
        self.run_action("mark_spam", [self.first, self.approved])

        statuses = self.statuses()
        assert statuses[self.first.pk] == Comment.Status.SPAM
        assert statuses[self.approved.pk] == Comment.Status.SPAM
        assert statuses[self.second.pk] == Comment.Status.PENDING

    def test_remove_action(self):
        self.run_action("remove", [self.approved])

        statuses = self.statuses()
        assert statuses[self.approved.pk] == Comment.Status.REMOVED
        assert statuses[self.first.pk] == Comment.Status.PENDING

    def test_actions_are_logged_for_each_changed_comment(self):
        self.run_action("approve", [self.first, self.second, self.approved])

        entries = LogEntry.objects.filter(action_flag=CHANGE, user=self.moderator)
        assert sorted(int(entry.object_id) for entry in entries) == sorted(
            [self.first.pk, self.second.pk]
        )
        for entry in entries:
            assert entry.get_change_message() == "Approved the comment."
            assert entry.content_type.model_class() is Comment

    def test_spam_and_remove_are_logged_with_their_verb(self):
        self.run_action("mark_spam", [self.first])
        self.run_action("remove", [self.second])

        messages = dict(
            LogEntry.objects.filter(user=self.moderator).values_list("object_id", "change_message")
        )
        assert messages == {
            str(self.first.pk): "Marked as spam the comment.",
            str(self.second.pk): "Removed the comment.",
        }

    def test_the_moderator_is_told_how_many_comments_changed(self):
        response = self.client.post(
            CHANGELIST,
            {"action": "approve", "_selected_action": [self.first.pk, self.approved.pk]},
            follow=True,
        )

        assert "1 comment approved." in [str(message) for message in response.context["messages"]]

    def test_approving_makes_the_comment_appear_on_the_article_page(self):
        before = self.client.get(self.article.get_absolute_url()).content.decode()
        assert "First held comment." not in before

        self.run_action("approve", [self.first])

        after = self.client.get(self.article.get_absolute_url()).content.decode()
        assert "First held comment." in after
        assert self.first.pk in comment_tree(after)[1]
        assert "Second held comment." not in after

    def test_removing_takes_a_comment_off_the_article_page(self):
        self.run_action("remove", [self.approved])

        content = self.client.get(self.article.get_absolute_url()).content.decode()
        assert "Already approved." not in content

    def test_moderator_cannot_delete_comments(self):
        response = self.client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [self.first.pk], "post": "yes"},
        )

        assert response.status_code in (200, 302)
        assert Comment.objects.filter(pk=self.first.pk).exists()


class EmailVisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(role="Moderator")
        cls.viewer = email_viewer()
        cls.superuser = UserFactory(is_staff=True, is_superuser=True)
        cls.comment = HeldCommentFactory(
            email=SECRET_EMAIL, name="Known Reader", body="Please keep my address private."
        )
        CommentFactory(article=cls.comment.article, email="another.reader@private-mail.example")

    def get(self, user, url, **params):
        self.client.force_login(user)
        response = self.client.get(url, params)
        assert response.status_code == 200
        return response.content.decode()

    def test_changelist_never_shows_an_address_even_to_a_superuser(self):
        for user in (self.moderator, self.viewer, self.superuser):
            with self.subTest(user.username):
                content = self.get(user, CHANGELIST)

                assert "Known Reader" in content
                assert SECRET_EMAIL not in content
                assert "private-mail.example" not in content

    def test_change_form_hides_the_address_from_a_moderator(self):
        content = self.get(self.moderator, change_url(self.comment))

        assert "Please keep my address private." in content
        assert SECRET_EMAIL not in content
        assert "private-mail.example" not in content
        assert 'name="email"' not in content

    def test_change_form_shows_the_address_read_only_to_a_permitted_user(self):
        content = self.get(self.viewer, change_url(self.comment))

        assert SECRET_EMAIL in content
        assert 'name="email"' not in content

    def test_superuser_sees_the_address_on_the_change_form(self):
        content = self.get(self.superuser, change_url(self.comment))

        assert SECRET_EMAIL in content
        assert 'name="email"' not in content

    def test_a_permitted_user_cannot_change_the_address(self):
        self.client.force_login(self.viewer)

        self.client.post(
            change_url(self.comment),
            {"body": self.comment.body, "status": "pending", "email": "changed@mail.example"},
        )

        self.comment.refresh_from_db()
        assert self.comment.email == SECRET_EMAIL

    def test_history_page_does_not_show_the_address(self):
        self.client.force_login(self.moderator)
        self.client.post(CHANGELIST, {"action": "approve", "_selected_action": [self.comment.pk]})

        content = self.get(
            self.moderator, reverse("admin:comments_comment_history", args=[self.comment.pk])
        )

        assert "Approved the comment." in content
        assert SECRET_EMAIL not in content

    def test_searching_by_email_finds_nothing_without_the_permission(self):
        # Staff allowed to see addresses find a whole address (by its digest), never a part.
        searches = [(SECRET_EMAIL, self.moderator)] + [
            (query, user)
            for query in ("known.reader", "private-mail.example", "secret@private")
            for user in (self.moderator, self.superuser)
        ]
        for query, user in searches:
            with self.subTest(query=query, user=user.username):
                self.client.force_login(user)

                response = self.client.get(CHANGELIST, {"q": query})

                assert response.status_code == 200
                assert result_ids(response) == []

    def test_filtering_by_email_in_the_address_bar_reveals_nothing(self):
        # Django's changelist accepts ?<local field>=<value> filters; a moderator who may not
        # see addresses must not learn one by guessing (e.g. ?email__startswith=k, then kn...).
        self.client.force_login(self.moderator)
        guesses = {
            "email": (SECRET_EMAIL, "nobody@nowhere.example"),
            "email__iexact": (SECRET_EMAIL.upper(), "nobody@nowhere.example"),
            "email__startswith": ("k", "z"),
            "email__icontains": ("secret", "zzzz"),
            "email__regex": ("^known", "^zzzz"),
            "email__endswith": ("private-mail.example", "nowhere.example"),
        }
        for lookup, (right, wrong) in guesses.items():
            with self.subTest(lookup):
                hit = self.client.get(f"{CHANGELIST}?{urlencode({lookup: right})}")
                miss = self.client.get(f"{CHANGELIST}?{urlencode({lookup: wrong})}")

                assert hit.status_code == miss.status_code
                assert hit.status_code < 500
                assert hit.status_code != 200 or result_ids(hit) == result_ids(miss)
                assert SECRET_EMAIL not in hit.content.decode()

    def test_a_permitted_user_finds_comments_by_searching_for_the_address(self):
        self.client.force_login(self.viewer)

        response = self.client.get(f"{CHANGELIST}?{urlencode({'q': SECRET_EMAIL.upper()})}")

        assert response.status_code == 200
        assert result_ids(response) == [self.comment.pk]


class EditorAccessTests(SignedInEditorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.pending = HeldCommentFactory()
        cls.approved = CommentFactory()

    def test_editor_gets_403_on_the_comment_changelist(self):
        assert self.client.get(CHANGELIST).status_code == 403

    def test_editor_gets_403_on_a_comment(self):
        assert self.client.get(change_url(self.pending)).status_code == 403

    def test_editor_cannot_run_the_moderation_actions(self):
        for action, comment in (
            ("approve", self.pending),
            ("mark_spam", self.approved),
            ("remove", self.approved),
        ):
            with self.subTest(action):
                response = self.client.post(
                    CHANGELIST, {"action": action, "_selected_action": [comment.pk]}
                )

                assert response.status_code == 403
                assert dict(Comment.objects.values_list("pk", "status")) == {
                    self.pending.pk: Comment.Status.PENDING,
                    self.approved.pk: Comment.Status.APPROVED,
                }
        assert not LogEntry.objects.exists()

    def test_editor_cannot_change_a_comment_through_the_change_form(self):
        response = self.client.post(
            change_url(self.pending), {"body": "Edited", "status": Comment.Status.APPROVED}
        )

        assert response.status_code == 403
        self.pending.refresh_from_db()
        assert self.pending.status == Comment.Status.PENDING

    def test_editor_does_not_see_comments_on_the_admin_index(self):
        content = self.client.get(reverse("admin:index")).content.decode()

        assert CHANGELIST not in content

    def test_moderator_does_see_comments_on_the_admin_index(self):
        self.client.force_login(StaffFactory(role="Moderator"))

        content = self.client.get(reverse("admin:index")).content.decode()

        assert CHANGELIST in content


class ChangelistQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(role="Moderator")

    def make_comments(self, count):
        """`count` comments over several articles: approved, pending, replies, staff replies."""
        articles = [ArticleFactory() for _ in range(max(1, count // 10))]
        previous = None
        for n in range(count):
            article = articles[n % len(articles)]
            if n % 3 == 2 and previous is not None:
                previous = CommentFactory(
                    article=previous.article, parent=previous, staff_user=self.moderator
                )
            elif n % 2:
                previous = HeldCommentFactory(article=article)
            else:
                previous = CommentFactory(article=article, moderated_by=self.moderator)

    def count_queries(self):
        self.client.force_login(self.moderator)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(CHANGELIST)
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    def test_query_count_does_not_grow_with_the_number_of_comments(self):
        self.make_comments(10)
        small, small_rows = self.count_queries()

        self.make_comments(50)
        large, large_rows = self.count_queries()

        assert Comment.objects.count() == 60
        assert (small_rows, large_rows) == (10, 50)
        assert large == small
