"""`manage.py generate_content`: a big invented publication, made the way Byline stores one."""

import io
import logging
import re

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase

from articles.models import Article, Byline, Kind, Tag, TaggedArticle, count_words
from articles.sanitize import sanitize_html
from authors.models import Author
from comments.commenters.privacy import FERNET_PREFIX, digest
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

SIZES = {"articles": 120, "comments": 900, "authors": 12, "tags": 40}


def generate(**options):
    """Run the command; (stdout, stderr, every log record's message) of the run."""
    out, err, records = io.StringIO(), io.StringIO(), []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        call_command("generate_content", stdout=out, stderr=err, **{**SIZES, **options})
    finally:
        root.removeHandler(handler)
    return out.getvalue(), err.getvalue(), "\n".join(records)


class GeneratedPublicationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.out, cls.err, cls.logs = generate(seed=7, bench_article=True, big_thread=300)

    def test_it_makes_the_numbers_asked_for_and_the_benchmark_articles(self):
        bench = Article.objects.filter(slug__in=["bench-analysis", "bench-long-thread"])

        assert Article.objects.exclude(pk__in=bench).count() == SIZES["articles"]
        assert Comment.objects.exclude(article__in=bench).count() == SIZES["comments"]
        assert Author.objects.count() == SIZES["authors"] + 1  # + the benchmark's author
        assert Tag.objects.count() == SIZES["tags"]
        assert Kind.objects.count() == 8

    def test_articles_are_mostly_published_with_drafts_reviews_and_scheduled_ones(self):
        states = {article.state for article in Article.objects.all()}
        published = Article.objects.published().count()

        assert states == {"draft", "in_review", "published", "scheduled"}
        assert published > 0.8 * Article.objects.count()

    def test_bodies_are_about_9_kb_of_sanitised_html_with_their_word_count(self):
        for article in Article.objects.order_by("?")[:10]:
            assert 9000 <= len(article.body.encode()) < 11000
            assert sanitize_html(article.body) == article.body
            assert article.word_count == count_words(article.body)
            assert article.bylines.exists()

    def test_tags_and_comments_have_long_tails(self):
        per_tag = sorted((tag.tagged_articles.count() for tag in Tag.objects.all()), reverse=True)
        per_article = sorted(
            (article.comments.count() for article in Article.objects.published()), reverse=True
        )

        assert per_tag[0] > 5 * per_tag[len(per_tag) // 2]
        assert per_article[0] > 5 * max(per_article[len(per_article) // 2], 1)

    def test_comments_come_in_every_status_on_live_articles_only(self):
        statuses = set(Comment.objects.values_list("status", flat=True))

        assert statuses == set(Comment.Status.values)
        assert not Comment.objects.exclude(article__in=Article.objects.published()).exists()

    def test_replies_are_on_their_parents_article_one_level_deeper(self):
        replies = Comment.objects.filter(parent__isnull=False).select_related("parent")

        assert replies.count() > 100
        for reply in replies:
            assert reply.parent.article_id == reply.article_id
            assert reply.depth == reply.parent.depth + 1
            assert reply.created_at >= reply.parent.created_at
            assert reply.thread_root_id == (reply.parent.thread_root_id or reply.parent_id)
        assert not Comment.objects.filter(parent__isnull=True).exclude(depth=0).exists()
        assert not Comment.objects.filter(parent__isnull=True, thread_root__isnull=False).exists()

    def test_addresses_are_stored_encrypted_with_their_digest_and_an_avatar(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT email FROM comments_comment")
            stored = [row[0] for row in cursor.fetchall()]

        assert all(value.startswith(FERNET_PREFIX) and "@" not in value for value in stored)
        for comment in Comment.objects.order_by("?")[:50]:
            assert comment.email_digest == digest(comment.email)
            assert re.fullmatch(r"[0-9a-f]{64}", comment.avatar_key)

    def test_no_address_appears_in_the_output_or_the_logs(self):
        addresses = set(Comment.objects.values_list("email", flat=True))
        said = self.out + self.err + self.logs

        assert len(addresses) > 10
        assert "@" not in said
        assert not any(address in said for address in addresses)

    def test_the_benchmark_article_is_as_the_benchmark_expects(self):
        article = Article.objects.get(slug="bench-analysis")
        comments = article.comments.all()

        assert article.is_published()
        assert len(article.body.encode()) >= 9000
        assert article.tags.count() == 5
        assert [a.education.count() for a in article.authors.all()] == [2]
        assert comments.count() == comments.approved().count() == 50
        assert comments.filter(parent__isnull=False).count() == 13

    def test_the_long_thread_has_the_comments_asked_for_all_approved(self):
        article = Article.objects.get(slug="bench-long-thread")

        assert article.comments.approved().count() == article.comments.count() == 300

    def test_new_rows_after_a_run_get_fresh_ids(self):
        article = ArticleFactory()
        comment = CommentFactory(article=article)

        assert article.pk > Article.objects.exclude(pk=article.pk).latest("pk").pk
        assert comment.pk > Comment.objects.exclude(pk=comment.pk).latest("pk").pk

    def test_without_a_terminal_progress_is_plain_lines(self):
        assert "\r" not in self.out
        assert re.search(r"^articles: 120/120 \(", self.out, re.MULTILINE)
        assert "Generated 120 articles, 900 comments" in self.out


class GenerateContentGuardTests(TestCase):
    def test_it_refuses_a_database_with_articles_unless_appending(self):
        ArticleFactory()

        with self.assertRaisesMessage(CommandError, "--append"):
            generate()
        generate(append=True, articles=10, comments=20)

        assert Article.objects.count() == 11

    def test_the_same_seed_gives_the_same_publication(self):
        def snapshot():
            return (
                list(Article.objects.order_by("pk").values_list("title", "status", "word_count")),
                list(Comment.objects.order_by("pk").values_list("name", "status", "depth")),
                list(TaggedArticle.objects.order_by("pk").values_list("tag__name", flat=True)),
                list(Byline.objects.order_by("pk").values_list("author__name", flat=True)),
            )

        generate(seed=3, articles=30, comments=60)
        first = snapshot()
        for model in (Comment, Byline, TaggedArticle, Article, Tag, Author):
            model.objects.all().delete()
        generate(seed=3, articles=30, comments=60)

        assert snapshot() == first
