"""Staff preview: an unpublished article on the reader page, for staff allowed to see it."""

from django.test import TestCase
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.admin_forms import SignedInEditorTestCase
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
    StaffFactory,
    UserFactory,
)


def preview_url(article):
    return reverse("articles:preview", args=[article.pk])


class EditorPreviewTests(SignedInEditorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.draft = DraftArticleFactory(
            title="Ports and power", body="<p>The draft's <em>own</em> words.</p>"
        )
        cls.scheduled = ScheduledArticleFactory(title="Tomorrow's analysis")
        cls.in_review = DraftArticleFactory(title="Waiting for an editor", status="in_review")

    def test_editor_previews_a_draft_on_the_reader_template(self):
        response = self.client.get(preview_url(self.draft))

        assert response.status_code == 200
        assert "articles/article_detail.html" in [t.name for t in response.templates]
        content = response.content.decode()
        assert "Ports and power – Analysis" in content
        assert "<p>The draft's <em>own</em> words.</p>" in content

    def test_preview_shows_the_not_published_banner_and_the_state(self):
        content = self.client.get(preview_url(self.in_review)).content.decode()

        assert "Preview — not published" in content
        assert "In review" in content

    def test_scheduled_article_preview_names_its_publish_time(self):
        content = self.client.get(preview_url(self.scheduled)).content.decode()

        assert "Preview — not published" in content
        assert "Scheduled for" in content

    def test_preview_has_the_live_pages_canonical_url_and_structured_data(self):
        response = self.client.get(preview_url(self.draft))

        assert response.context["canonical_url"] == (
            f"http://testserver/articles/{self.draft.slug}/"
        )
        assert '"@type": "NewsArticle"' in response.content.decode()

    def test_preview_is_never_cached_and_kept_out_of_search_engines(self):
        response = self.client.get(preview_url(self.draft))

        assert "no-cache" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex"
        assert '<meta name="robots" content="noindex">' in response.content.decode()

    def test_preview_shows_comments_but_no_form_to_post_one(self):
        CommentFactory(article=self.scheduled, body="Approved earlier, before a reschedule.")

        content = self.client.get(preview_url(self.scheduled)).content.decode()

        assert "Approved earlier, before a reschedule." in content
        assert "Preview: comments open when published." in content
        assert 'id="comment-form"' not in content
        assert reverse("comments:post", args=[self.scheduled.slug]) not in content
        assert "?replyto=" not in content

    def test_previewing_a_live_article_leads_to_its_public_page(self):
        live = ArticleFactory()

        response = self.client.get(preview_url(live))

        assert response.status_code == 302
        assert response["Location"] == live.get_absolute_url()

    def test_unknown_article_is_404(self):
        assert self.client.get(reverse("articles:preview", args=[999_999])).status_code == 404

    def test_live_article_page_keeps_its_comment_form_and_no_banner(self):
        live = ArticleFactory()

        content = self.client.get(live.get_absolute_url()).content.decode()

        assert 'id="comment-form"' in content
        assert "not published" not in content
        assert 'name="robots"' not in content

    def test_change_form_links_to_the_preview(self):
        response = self.client.get(reverse("admin:articles_article_change", args=[self.draft.pk]))

        assert preview_url(self.draft) in response.content.decode()


class PreviewAccessTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.contributor = StaffFactory(role="Contributor")
        cls.own_draft = DraftArticleFactory(created_by=cls.contributor)
        cls.others_draft = DraftArticleFactory(created_by=StaffFactory(role="Contributor"))

    def test_reader_is_sent_to_the_admin_login(self):
        response = self.client.get(preview_url(self.own_draft))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        assert "next=" in response["Location"]

    def test_signed_in_non_staff_user_is_sent_to_the_admin_login(self):
        self.client.force_login(UserFactory())

        response = self.client.get(preview_url(self.own_draft))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    def test_a_session_without_the_two_factor_code_its_account_needs_is_sent_to_sign_in(self):
        self.client.force_login(self.contributor)  # a session from before the app was added
        TOTPDevice.objects.create(user=self.contributor, name="Authenticator app")

        response = self.client.get(preview_url(self.own_draft))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    def test_staff_without_article_permissions_are_refused(self):
        self.client.force_login(StaffFactory(role="Moderator"))

        assert self.client.get(preview_url(self.own_draft)).status_code == 403

    def test_contributor_previews_their_own_draft(self):
        self.client.force_login(self.contributor)

        assert self.client.get(preview_url(self.own_draft)).status_code == 200

    def test_contributor_cannot_preview_someone_elses_draft(self):
        self.client.force_login(self.contributor)

        assert self.client.get(preview_url(self.others_draft)).status_code == 404
