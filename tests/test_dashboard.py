"""The newsroom dashboard on the admin index: what needs doing now, per role, in few queries."""

import datetime

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.dashboard import BOX_LIMIT
from tests.admin_forms import SignedInEditorTestCase
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    HeldCommentFactory,
    ScheduledArticleFactory,
    StaffFactory,
)

INDEX = reverse("admin:index")


def box_keys(response):
    return [box.key for box in response.context["dashboard"]["boxes"]]


def box(response, key):
    return next(b for b in response.context["dashboard"]["boxes"] if b.key == key)


class EditorDashboardTests(SignedInEditorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.contributor = StaffFactory(role="Contributor")
        now = timezone.now()
        cls.in_review = DraftArticleFactory(title="Waiting for an editor", status="in_review")
        cls.scheduled = ScheduledArticleFactory(
            title="Goes out on Monday", published_at=now + datetime.timedelta(days=2)
        )
        cls.live = ArticleFactory(title="Out this morning")
        cls.my_draft = DraftArticleFactory(title="Editor's own draft", created_by=cls.editor)
        cls.others_draft = DraftArticleFactory(title="Not mine", created_by=cls.contributor)
        HeldCommentFactory.create_batch(3, article=cls.live)

    def test_editor_sees_every_box_in_order(self):
        response = self.client.get(INDEX)

        assert box_keys(response) == ["in_review", "scheduled", "published", "my_drafts"]

    def test_boxes_list_the_right_articles(self):
        response = self.client.get(INDEX)

        assert [row.title for row in box(response, "in_review").rows] == ["Waiting for an editor"]
        assert [row.title for row in box(response, "scheduled").rows] == ["Goes out on Monday"]
        assert [row.title for row in box(response, "published").rows] == ["Out this morning"]
        assert [row.title for row in box(response, "my_drafts").rows] == ["Editor's own draft"]

    def test_scheduled_box_shows_when_each_article_goes_live(self):
        content = self.client.get(INDEX).content.decode()

        assert "Goes live" in content
        assert f"Goes live {self.scheduled.published_at:%-d %b %Y, %H:%M}" in content

    def test_rows_link_to_the_articles_change_form(self):
        content = self.client.get(INDEX).content.decode()

        for article in (self.in_review, self.scheduled, self.live, self.my_draft):
            assert reverse("admin:articles_article_change", args=[article.pk]) in content

    def test_the_page_reads_as_a_dashboard(self):
        content = self.client.get(INDEX).content.decode()

        for title in ("Articles in review", "Scheduled", "Recently published", "My drafts"):
            assert title in content
        assert "Not mine" not in content

    def test_a_scheduled_article_moves_to_recently_published_when_its_time_passes(self):
        type(self.scheduled).objects.filter(pk=self.scheduled.pk).update(
            published_at=timezone.now() - datetime.timedelta(minutes=1)
        )

        response = self.client.get(INDEX)

        assert box(response, "scheduled").rows == []
        assert "Goes out on Monday" in [row.title for row in box(response, "published").rows]


class ModeratorDashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(role="Moderator")
        live = ArticleFactory()
        HeldCommentFactory.create_batch(3, article=live)

    def test_moderator_sees_only_the_moderation_box_with_the_count_and_queue_link(self):
        self.client.force_login(self.moderator)

        response = self.client.get(INDEX)

        assert box_keys(response) == ["moderation"]
        assert box(response, "moderation").count == 3
        content = response.content.decode()
        assert "Comments awaiting moderation" in content
        assert reverse("admin:comments_comment_changelist") + "?status__exact=pending" in content
        assert "Articles in review" not in content


class ContributorDashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.contributor = StaffFactory(role="Contributor")
        cls.author = AuthorFactory(user=cls.contributor)
        DraftArticleFactory(title="My first draft", created_by=cls.contributor)
        DraftArticleFactory(title="Someone else's draft")
        DraftArticleFactory(title="Submitted already", status="in_review")
        ArticleFactory(title="On the site")

    def test_contributor_sees_published_work_and_their_own_drafts_only(self):
        self.client.force_login(self.contributor)

        response = self.client.get(INDEX)

        assert box_keys(response) == ["published", "my_drafts"]
        assert [row.title for row in box(response, "my_drafts").rows] == ["My first draft"]
        [published] = box(response, "published").rows
        assert published.title == "On the site"
        assert published.url.startswith("/articles/")
        content = response.content.decode()
        assert "Someone else's draft" not in content
        assert "Submitted already" not in content

    def test_contributor_with_a_profile_gets_a_link_to_edit_it(self):
        self.client.force_login(self.contributor)

        content = self.client.get(INDEX).content.decode()

        assert "My author profile" in content
        assert reverse("admin:authors_author_change", args=[self.author.pk]) in content


class DashboardQueryCountTests(TestCase):
    """One query per box at most: the count of queries does not grow with the newsroom."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor", is_superuser=True)

    def queries_for_index(self):
        self.client.force_login(self.editor)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(INDEX)
        assert response.status_code == 200
        return len(queries)

    def add_articles(self, count):
        for _ in range(count):
            DraftArticleFactory(status="in_review")
            ScheduledArticleFactory()
            ArticleFactory()
            DraftArticleFactory(created_by=self.editor)
            HeldCommentFactory()

    def test_query_count_is_the_same_with_one_or_many_of_everything(self):
        self.add_articles(1)
        few = self.queries_for_index()

        self.add_articles(BOX_LIMIT + 4)
        many = self.queries_for_index()

        assert many == few

    def test_lists_are_cut_to_the_box_limit(self):
        self.add_articles(BOX_LIMIT + 2)
        self.client.force_login(self.editor)

        response = self.client.get(INDEX)

        for key in ("in_review", "scheduled", "published", "my_drafts"):
            assert len(box(response, key).rows) == BOX_LIMIT
        assert box(response, "moderation").count == BOX_LIMIT + 2
