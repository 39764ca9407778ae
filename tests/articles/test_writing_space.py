"""The article form as a writing space: layout, the body's length, the unsaved copy's data.

The browser side is in tests/e2e/test_writing_space.py.
"""

import reversion
from django.test import Client, TestCase
from django.urls import reverse
from reversion.models import Version

from articles.admin import ArticleAdmin
from articles.models import WORDS_PER_MINUTE, Article, reading_minutes
from articles.revisions import AUTOSAVE_COMMENT, stale_save_message
from articles.widgets import length_summary
from tests.factories import ArticleFactory, DraftArticleFactory, StaffFactory


class WritingLayoutTests(TestCase):
    def setUp(self):
        self.client.force_login(StaffFactory(role="Editor"))

    def test_title_standfirst_and_body_come_first_and_the_metadata_after(self):
        (_name, writing), *rest = ArticleAdmin.fieldsets
        assert writing["fields"] == ["title", "standfirst", "body"]
        assert "writing" in writing["classes"]
        after = [field for _name, options in rest for field in options["fields"]]
        for field in ["slug", "kind", "tags", "featured_image", "status", "published_at"]:
            assert field in after

    def test_the_body_shows_its_length_as_the_reader_site_counts_it(self):
        article = ArticleFactory(body="<p>" + "word " * 450 + "</p><p>two&nbsp;more</p>")
        response = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        assert article.word_count == 452
        self.assertContains(
            response,
            f'<output class="writing-length" for="id_body" aria-live="polite" '
            f'data-words-per-minute="{WORDS_PER_MINUTE}">452 words · 3 min read</output>',
            html=True,
        )
        assert article.reading_minutes == 3

    def test_the_length_reads_naturally(self):
        assert length_summary(0) == "0 words · 1 min read"
        assert length_summary(1) == "1 word · 1 min read"
        assert length_summary(3000) == f"3,000 words · {reading_minutes(3000)} min read"
        assert reading_minutes(3000) == 14


class AutosaveTests(TestCase):
    """POST /admin/articles/article/<id>/autosave/ keeps the text as a revision only."""

    def setUp(self):
        self.editor = StaffFactory(role="Editor")
        self.writer = StaffFactory(role="Contributor")

    def url(self, article):
        return reverse("admin:articles_article_autosave", args=[article.pk])

    def post(self, article, user, **text):
        self.client.force_login(user)
        data = {"title": article.title, "standfirst": article.standfirst, "body": article.body}
        return self.client.post(self.url(article), {**data, **text})

    def autosaves(self, article):
        return [
            version
            for version in Version.objects.get_for_object(article).order_by("pk")
            if version.revision.comment == AUTOSAVE_COMMENT
        ]

    def test_a_draft_is_autosaved_as_a_revision_without_raising_its_version(self):
        article = DraftArticleFactory(created_by=self.writer, body="<p>First lines.</p>")
        before = Article.objects.get(pk=article.pk)
        response = self.post(article, self.writer, body="<p>First lines, and more.</p>")
        assert response.status_code == 200
        assert response.json()["saved"] is True
        assert response.json()["version"] == before.version
        stored = Article.objects.get(pk=article.pk)
        assert (stored.version, stored.body, stored.updated_at) == (
            before.version,
            "<p>First lines.</p>",
            before.updated_at,
        )
        (autosave,) = self.autosaves(article)
        assert autosave.field_dict["body"] == "<p>First lines, and more.</p>"
        assert autosave.field_dict["version"] == before.version
        assert autosave.revision.user == self.writer

    def test_the_form_opened_before_an_autosave_still_saves(self):
        article = DraftArticleFactory(created_by=self.writer, body="<p>First lines.</p>")
        opened_at = Article.objects.get(pk=article.pk).version
        self.post(article, self.writer, body="<p>Autosaved.</p>")
        article.refresh_from_db()
        article.body = "<p>Saved.</p>"
        article.save(expected_version=opened_at)
        assert Article.objects.get(pk=article.pk).body == "<p>Saved.</p>"

    def test_a_published_articles_live_text_is_unchanged(self):
        article = ArticleFactory(title="Live title", body="<p>Live text.</p>")
        before = Article.objects.get(pk=article.pk)
        response = self.post(article, self.editor, title="Rewritten", body="<p>Rewritten.</p>")
        assert response.status_code == 200
        stored = Article.objects.get(pk=article.pk)
        assert (stored.title, stored.body, stored.version) == (
            "Live title",
            "<p>Live text.</p>",
            before.version,
        )
        assert self.client.get(article.get_absolute_url()).content.count(b"Live text.") >= 1
        (autosave,) = self.autosaves(article)
        assert autosave.field_dict["title"] == "Rewritten"

    def test_only_the_newest_autosave_since_the_last_save_is_kept_and_unchanged_text_is_not(self):
        article = DraftArticleFactory(created_by=self.writer, body="<p>One.</p>")
        self.post(article, self.writer, body="<p>One. Two.</p>")
        self.post(article, self.writer, body="<p>One. Two. Three.</p>")
        response = self.post(article, self.writer, body="<p>One. Two. Three.</p>")
        assert response.json()["saved"] is False
        (autosave,) = self.autosaves(article)
        assert autosave.field_dict["body"] == "<p>One. Two. Three.</p>"
        # Text the same as the article's is nothing to keep.
        other = DraftArticleFactory(created_by=self.writer)
        assert self.post(other, self.writer).json()["saved"] is False
        assert self.autosaves(other) == []

    def test_the_body_is_sanitised(self):
        article = DraftArticleFactory(created_by=self.writer)
        self.post(article, self.writer, body="<p>Hi<script>alert(1)</script></p>")
        (autosave,) = self.autosaves(article)
        assert "<script" not in autosave.field_dict["body"]

    def test_only_someone_who_may_change_the_article_may_autosave_it(self):
        own_draft = DraftArticleFactory(created_by=self.writer)
        someone_elses = DraftArticleFactory(created_by=StaffFactory(role="Contributor"))
        in_review = DraftArticleFactory(created_by=self.writer, status=Article.Status.IN_REVIEW)
        published = ArticleFactory(created_by=self.writer)
        assert self.post(own_draft, self.writer, body="<p>Mine.</p>").status_code == 200
        for article in [someone_elses, in_review, published]:
            assert self.post(article, self.writer, body="<p>Not mine.</p>").status_code in (
                403,
                404,
            )
            assert self.autosaves(article) == []
        assert self.post(in_review, self.editor, body="<p>Edited.</p>").status_code == 200
        moderator = StaffFactory(role="Moderator")
        assert self.post(own_draft, moderator, body="<p>No.</p>").status_code in (403, 404)
        self.client.logout()
        response = self.client.post(self.url(own_draft), {"body": "<p>No.</p>"})
        assert response.status_code == 302  # to the sign-in page
        assert len(self.autosaves(own_draft)) == 1

    def test_it_needs_a_post_with_a_csrf_token(self):
        article = DraftArticleFactory(created_by=self.writer)
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.writer)
        assert client.get(self.url(article)).status_code == 405
        data = {"title": article.title, "standfirst": "", "body": "<p>Forged.</p>"}
        assert client.post(self.url(article), data).status_code == 403
        assert self.autosaves(article) == []
        page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
        token = page.context["csrf_token"]
        response = client.post(self.url(article), {**data, "csrfmiddlewaretoken": str(token)})
        assert response.status_code == 200
        assert len(self.autosaves(article)) == 1

    def test_the_form_carries_the_autosave_address_only_for_those_who_may_change_it(self):
        article = DraftArticleFactory(created_by=self.writer)
        self.client.force_login(self.writer)
        response = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        self.assertContains(response, f'data-autosave-url="{self.url(article)}"')
        self.assertContains(
            self.client.get(reverse("admin:articles_article_add")), 'data-key="new"'
        )

    def test_a_stale_save_is_still_explained_by_saves_not_autosaves(self):
        article = DraftArticleFactory(created_by=self.writer, title="Old", body="<p>Old.</p>")
        with reversion.create_revision():
            article.save()
        loaded = article.version
        self.post(article, self.writer, body="<p>Written since.</p>")
        with reversion.create_revision():
            reversion.set_user(self.editor)
            article.title = "New"
            article.save()
        message = stale_save_message(article, loaded, user=self.writer)
        assert f"{self.editor.get_full_name() or self.editor.username} changed title." in message
        assert "body" not in message
