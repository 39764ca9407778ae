"""The editorial workflow: who may move an article between draft, review, scheduled and live.

Every refusal is checked on the server with a forged POST, and nothing may change.
"""

import datetime

import time_machine
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.admin_forms import (
    SignedInEditorTestCase,
    article_change_url,
    article_edit_data,
    article_form_data,
    response_errors,
)
from tests.factories import ArticleFactory, AuthorFactory, DraftArticleFactory, StaffFactory

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


class ContributorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.contributor = StaffFactory(role="Contributor")
        cls.other_contributor = StaffFactory(role="Contributor")
        cls.author = AuthorFactory()
        cls.own_draft = DraftArticleFactory(
            title="My own draft", created_by=cls.contributor, authors=[cls.author]
        )
        cls.others_draft = DraftArticleFactory(
            title="Someone else's draft", created_by=cls.other_contributor
        )
        cls.published = ArticleFactory(title="Live piece", created_by=cls.contributor)

    def setUp(self):
        self.client.force_login(self.contributor)

    def own_draft_data(self, **overrides):
        overrides.setdefault("title", self.own_draft.title)
        return article_edit_data(
            self.own_draft,
            author=self.author,
            **overrides,
        )

    def test_contributor_sees_only_their_own_unpublished_articles(self):
        response = self.client.get(CHANGELIST)

        titles = [article.title for article in response.context["cl"].result_list]
        assert titles == ["My own draft"]

    def test_contributor_can_create_a_draft_and_owns_it(self):
        data = article_form_data(title="Fresh idea", slug="fresh-idea", author=self.author)

        response = self.client.post(ADD, data)

        assert response.status_code == 302, response_errors(response)
        article = Article.objects.get(slug="fresh-idea")
        assert article.status == Article.Status.DRAFT
        assert article.created_by == self.contributor

    def test_contributor_can_submit_their_draft_for_review(self):
        response = self.client.post(
            article_change_url(self.own_draft), self.own_draft_data(status="in_review")
        )

        assert response.status_code == 302, response_errors(response)
        self.own_draft.refresh_from_db()
        assert self.own_draft.status == Article.Status.IN_REVIEW

    def test_publish_is_not_among_a_contributors_status_choices(self):
        response = self.client.get(article_change_url(self.own_draft))

        choices = dict(response.context["adminform"].form.fields["status"].choices)
        assert "published" not in choices
        assert set(choices) == {"draft", "in_review"}

    def test_forged_publish_by_a_contributor_is_refused_and_nothing_changes(self):
        response = self.client.post(
            article_change_url(self.own_draft), self.own_draft_data(status="published")
        )

        assert response.status_code == 200
        assert "status" in response.context["adminform"].form.errors
        self.own_draft.refresh_from_db()
        assert self.own_draft.status == Article.Status.DRAFT
        assert self.own_draft.published_at is None

    def test_forged_publish_on_a_new_article_is_refused_and_nothing_is_stored(self):
        data = article_form_data(
            title="Sneaky", slug="sneaky", author=self.author, status="published"
        )

        response = self.client.post(ADD, data)

        assert response.status_code == 200
        assert not Article.objects.filter(slug="sneaky").exists()

    def test_contributor_cannot_set_a_publish_time(self):
        later = timezone.localtime() + datetime.timedelta(days=2)
        data = self.own_draft_data(
            published_at_0=later.strftime("%Y-%m-%d"), published_at_1=later.strftime("%H:%M:%S")
        )

        self.client.post(article_change_url(self.own_draft), data)

        self.own_draft.refresh_from_db()
        assert self.own_draft.published_at is None

    def test_forged_edit_of_someone_elses_draft_is_refused(self):
        data = article_form_data(
            title="Hijacked", slug=self.others_draft.slug, author=self.author, status="draft"
        )

        response = self.client.post(article_change_url(self.others_draft), data)

        assert response.status_code in (302, 403, 404)
        self.others_draft.refresh_from_db()
        assert self.others_draft.title == "Someone else's draft"

    def test_contributor_cannot_edit_their_own_published_article(self):
        data = article_edit_data(
            self.published,
            title="Rewritten after publication",
            status="published",
        )

        self.client.post(article_change_url(self.published), data)

        self.published.refresh_from_db()
        assert self.published.title == "Live piece"

    def test_contributor_cannot_edit_their_draft_once_it_is_in_review(self):
        self.own_draft.submit_for_review()

        self.client.post(
            article_change_url(self.own_draft), self.own_draft_data(title="Late change")
        )

        self.own_draft.refresh_from_db()
        assert self.own_draft.title == "My own draft"
        assert self.own_draft.status == Article.Status.IN_REVIEW

    def test_contributor_cannot_run_the_publish_action(self):
        response = self.client.post(
            CHANGELIST, {"action": "publish_now", "_selected_action": [self.own_draft.pk]}
        )

        self.own_draft.refresh_from_db()
        assert self.own_draft.status == Article.Status.DRAFT
        assert response.status_code in (200, 302)

    def test_contributor_cannot_delete_someone_elses_draft(self):
        response = self.client.post(
            reverse("admin:articles_article_delete", args=[self.others_draft.pk]), {"post": "yes"}
        )

        assert response.status_code in (302, 403, 404)
        assert Article.objects.filter(pk=self.others_draft.pk).exists()

    def test_contributor_cannot_add_kinds(self):
        assert self.client.get(reverse("admin:articles_kind_add")).status_code == 403


class EditorWorkflowTests(SignedInEditorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author = AuthorFactory()
        cls.in_review = DraftArticleFactory(
            title="Waiting for an editor", status=Article.Status.IN_REVIEW, authors=[cls.author]
        )

    def review_data(self, **overrides):
        return article_edit_data(
            self.in_review,
            author=self.author,
            **overrides,
        )

    def test_editor_sees_articles_of_every_contributor(self):
        response = self.client.get(CHANGELIST)

        assert self.in_review in response.context["cl"].result_list

    def test_publishing_with_an_empty_time_publishes_now(self):
        response = self.client.post(
            article_change_url(self.in_review), self.review_data(status="published")
        )

        assert response.status_code == 302, response_errors(response)
        self.in_review.refresh_from_db()
        assert self.in_review.is_published()
        assert timezone.now() - self.in_review.published_at < datetime.timedelta(minutes=1)

    def test_editor_schedules_an_article_that_goes_live_at_its_time(self):
        go_live = (timezone.localtime() + datetime.timedelta(days=2)).replace(microsecond=0)
        data = self.review_data(
            status="published",
            published_at_0=go_live.strftime("%Y-%m-%d"),
            published_at_1=go_live.strftime("%H:%M:%S"),
        )

        self.client.post(article_change_url(self.in_review), data)

        self.in_review.refresh_from_db()
        assert self.in_review.state == "scheduled"
        home = reverse("articles:list")
        reader = Client()
        assert self.in_review not in Article.objects.published()
        assert "Waiting for an editor" not in reader.get(home).content.decode()
        with time_machine.travel(go_live - datetime.timedelta(seconds=1)):
            assert reader.get(self.in_review.get_absolute_url()).status_code == 404
        with time_machine.travel(go_live):
            assert reader.get(self.in_review.get_absolute_url()).status_code == 200
            assert "Waiting for an editor" in reader.get(home).content.decode()

    def test_scheduled_column_says_when(self):
        go_live = timezone.now() + datetime.timedelta(days=3)
        ArticleFactory(title="Monday piece", published_at=go_live)

        content = self.client.get(CHANGELIST).content.decode()

        assert "Scheduled for" in content

    def test_state_filter_finds_scheduled_articles(self):
        scheduled = ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1))
        ArticleFactory()

        response = self.client.get(CHANGELIST, {"state": "scheduled"})

        assert list(response.context["cl"].result_list) == [scheduled]

    def test_publish_action_publishes_now(self):
        self.client.post(
            CHANGELIST, {"action": "publish_now", "_selected_action": [self.in_review.pk]}
        )

        self.in_review.refresh_from_db()
        assert self.in_review.is_published()

    def test_unpublish_action_takes_an_article_off_the_site(self):
        live = ArticleFactory()

        self.client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [live.pk]})

        live.refresh_from_db()
        assert live.status == Article.Status.DRAFT
        assert self.client.get(live.get_absolute_url()).status_code == 404


class ArticleStateTests(TestCase):
    def test_state_names_each_stage(self):
        assert DraftArticleFactory().state == "draft"
        assert DraftArticleFactory(status=Article.Status.IN_REVIEW).state == "in_review"
        assert ArticleFactory().state == "published"
        future = timezone.now() + datetime.timedelta(hours=1)
        assert ArticleFactory(published_at=future).state == "scheduled"

    def test_unpublish_keeps_the_original_publish_time(self):
        article = ArticleFactory()
        first_published = article.published_at

        article.unpublish()
        article.publish()

        article.refresh_from_db()
        assert article.published_at == first_published
