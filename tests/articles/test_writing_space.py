"""The article form as a writing space: layout, the body's length, the unsaved copy's data.

The browser side is in tests/e2e/test_writing_space.py.
"""

from django.test import TestCase
from django.urls import reverse

from articles.admin import ArticleAdmin
from articles.models import WORDS_PER_MINUTE, reading_minutes
from articles.widgets import length_summary
from tests.factories import ArticleFactory, StaffFactory


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
