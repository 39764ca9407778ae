"""The article invariants the database holds (migration 0007): a known status, and a publish
time on every published article."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, DraftArticleFactory


class ArticleConstraintTests(TestCase):
    """The database refuses what `save()` never writes, even from a bulk `update()`."""

    def test_a_published_article_without_a_publish_time_is_refused(self):
        article = ArticleFactory()

        with self.assertRaises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(published_at=None)

    def test_a_draft_may_have_no_publish_time(self):
        article = ArticleFactory()

        Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT, published_at=None)

        assert Article.objects.get(pk=article.pk).published_at is None

    def test_a_status_outside_the_choices_is_refused(self):
        article = DraftArticleFactory()

        with self.assertRaises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(status="archived")

    def test_validation_names_the_broken_rule(self):
        article = Article(title="T", slug="t", body="<p>x</p>", status=Article.Status.PUBLISHED)

        with self.assertRaisesMessage(ValidationError, "A published article needs a publish time"):
            article.validate_constraints()

    def test_full_clean_gives_a_published_article_without_a_time_the_time_now(self):
        article = Article(title="T", slug="t", body="<p>x</p>", status=Article.Status.PUBLISHED)

        article.full_clean()

        assert timezone.now() - article.published_at < datetime.timedelta(minutes=1)
