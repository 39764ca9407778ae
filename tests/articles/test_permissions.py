"""The article permission rules (articles/permissions.py), and the pages that ask them."""

from django.contrib.auth.models import Permission
from django.test import TestCase
from django.urls import reverse

from articles import permissions
from articles.models import Article
from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
    StaffFactory,
)


class PermissionRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor, cls.contributor, cls.moderator = (
            StaffFactory(role=role) for role in ("Editor", "Contributor", "Moderator")
        )

    def test_the_publish_permission_is_the_one_the_model_declares(self):
        assert (
            permissions.PUBLISH_CODENAME,
            "Can publish, schedule and unpublish any article",
        ) in (Article._meta.permissions)
        assert Permission.objects.filter(
            content_type__app_label="articles", codename=permissions.PUBLISH_CODENAME
        ).exists()

    def test_only_editors_publish(self):
        assert permissions.can_publish(self.editor)
        assert not permissions.can_publish(self.contributor)
        assert not permissions.can_publish(self.moderator)

    def test_newsroom_writers_see_write_and_edit_articles_moderators_do_not(self):
        for user in (self.editor, self.contributor):
            assert permissions.can_view_articles(user)
            assert permissions.can_write_articles(user)
            assert permissions.can_edit_articles(user)
        assert not permissions.can_view_articles(self.moderator)
        assert not permissions.can_write_articles(self.moderator)
        assert not permissions.can_edit_articles(self.moderator)

    def test_a_contributor_changes_only_their_own_drafts(self):
        own_draft = DraftArticleFactory(created_by=self.contributor)
        own_in_review = DraftArticleFactory(
            created_by=self.contributor, status=Article.Status.IN_REVIEW
        )
        own_published = ArticleFactory(created_by=self.contributor)
        others_draft = DraftArticleFactory(created_by=self.editor)

        assert permissions.can_change_article(self.contributor, own_draft)
        assert not permissions.can_change_article(self.contributor, own_in_review)
        assert not permissions.can_change_article(self.contributor, own_published)
        assert not permissions.can_change_article(self.contributor, others_draft)

    def test_an_editor_changes_any_article(self):
        for article in (
            DraftArticleFactory(created_by=self.contributor),
            ArticleFactory(),
            ScheduledArticleFactory(),
        ):
            assert permissions.can_change_article(self.editor, article)


class ShareLinkButtonTests(TestCase):
    """The change form offers "Create share link" by the rule the share link view applies."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.contributor = StaffFactory(role="Contributor")
        cls.draft = DraftArticleFactory(created_by=cls.contributor)

    def page(self, user, article):
        self.client.force_login(user)
        response = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        assert response.status_code == 200
        return response

    def test_an_editor_is_offered_a_share_link_for_an_unpublished_article(self):
        in_review = DraftArticleFactory(status=Article.Status.IN_REVIEW)
        for article in (self.draft, in_review):
            response = self.page(self.editor, article)

            assert response.context["can_share_link"] is True
            assert "Create share link" in response.content.decode()

    def test_no_share_link_for_a_scheduled_or_live_article(self):
        for article in (ScheduledArticleFactory(), ArticleFactory()):
            response = self.page(self.editor, article)

            assert response.context["can_share_link"] is False
            assert "Create share link" not in response.content.decode()

    def test_a_contributor_is_not_offered_one(self):
        response = self.page(self.contributor, self.draft)

        assert response.context["can_share_link"] is False
        assert "Create share link" not in response.content.decode()
