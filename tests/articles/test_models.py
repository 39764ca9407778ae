import datetime

import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase

from articles.models import Article, Byline
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    KindFactory,
    ScheduledArticleFactory,
)

UTC = datetime.UTC
GOES_LIVE = datetime.datetime(2031, 6, 1, 9, 0, tzinfo=UTC)


def published_slugs():
    return set(Article.objects.published().values_list("slug", flat=True))


class PublishedQuerySetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = ArticleFactory(slug="live")
        cls.draft = DraftArticleFactory(slug="draft")
        cls.draft_with_past_date = DraftArticleFactory(
            slug="draft-with-past-date",
            published_at=datetime.datetime(2020, 1, 1, tzinfo=UTC),
        )
        cls.scheduled = ArticleFactory(slug="scheduled", published_at=GOES_LIVE)

    def test_published_article_with_past_time_is_visible(self):
        assert "live" in published_slugs()

    def test_draft_is_hidden(self):
        assert "draft" not in published_slugs()

    def test_draft_is_hidden_even_with_a_publish_time_in_the_past(self):
        assert "draft-with-past-date" not in published_slugs()

    def test_scheduled_article_hidden_until_its_time(self):
        with time_machine.travel(GOES_LIVE - datetime.timedelta(microseconds=1), tick=False):
            assert "scheduled" not in published_slugs()
            assert self.scheduled.is_scheduled()
            assert not self.scheduled.is_published()

    def test_scheduled_article_visible_exactly_when_its_time_arrives(self):
        with time_machine.travel(GOES_LIVE, tick=False):
            assert "scheduled" in published_slugs()
            assert self.scheduled.is_published()
            assert not self.scheduled.is_scheduled()

    def test_scheduled_article_stays_visible_after_its_time(self):
        with time_machine.travel(GOES_LIVE + datetime.timedelta(days=30), tick=False):
            assert published_slugs() == {"live", "scheduled"}


class PublishTimeOnSaveTests(TestCase):
    @time_machine.travel(datetime.datetime(2030, 2, 3, 4, 5, 6, tzinfo=UTC), tick=False)
    def test_published_article_without_a_time_is_stamped_with_now_on_save(self):
        article = ArticleFactory(published_at=None)

        article.refresh_from_db()
        assert article.published_at == datetime.datetime(2030, 2, 3, 4, 5, 6, tzinfo=UTC)
        assert article in Article.objects.published()

    def test_draft_without_a_time_keeps_no_time_on_save(self):
        article = DraftArticleFactory(published_at=None)

        article.refresh_from_db()
        assert article.published_at is None

    def test_explicit_publish_time_is_kept_on_save(self):
        article = ArticleFactory(published_at=GOES_LIVE)

        article.refresh_from_db()
        assert article.published_at == GOES_LIVE

    def test_publishing_a_draft_later_stamps_the_time_it_was_published(self):
        article = DraftArticleFactory()
        with time_machine.travel(datetime.datetime(2030, 5, 5, 12, 0, tzinfo=UTC), tick=False):
            article.status = Article.Status.PUBLISHED
            article.save()

        article.refresh_from_db()
        assert article.published_at == datetime.datetime(2030, 5, 5, 12, 0, tzinfo=UTC)

    def test_scheduled_factory_article_is_not_yet_published(self):
        article = ScheduledArticleFactory()

        assert article.is_scheduled()
        assert article not in Article.objects.published()


class DisplayTitleTests(TestCase):
    def test_display_title_appends_kind_after_an_en_dash(self):
        article = ArticleFactory(title="Trade talks stall", kind=KindFactory(name="Analysis"))

        assert article.display_title == "Trade talks stall \u2013 Analysis"

    def test_display_title_uses_the_kind_name_not_its_slug(self):
        article = ArticleFactory(title="Why tariffs", kind=KindFactory(name="Op-Ed", slug="oped"))

        assert article.display_title == "Why tariffs \u2013 Op-Ed"

    def test_display_title_without_kind_is_just_the_title(self):
        article = ArticleFactory(title="Trade talks stall", kind=None)

        assert article.display_title == "Trade talks stall"


def article_with_image(**fields):
    return Article(title="T", slug="t", body="<p>x</p>", featured_image="articles/x.png", **fields)


class FeaturedImageAltTextTests(TestCase):
    def assert_alt_text_missing(self, article):
        with self.assertRaises(ValidationError) as raised:
            article.clean()
        assert "featured_image_alt" in raised.exception.message_dict

    def test_featured_image_without_alt_text_is_invalid(self):
        self.assert_alt_text_missing(article_with_image())

    def test_whitespace_alt_text_does_not_count(self):
        self.assert_alt_text_missing(article_with_image(featured_image_alt="   "))

    def test_featured_image_with_alt_text_is_valid(self):
        article = article_with_image(featured_image_alt="Delegates at the summit table")

        article.clean()  # does not raise

    def test_no_featured_image_needs_no_alt_text(self):
        Article(title="T", slug="t", body="<p>x</p>").clean()  # does not raise


class BodySanitisedOnSaveTests(TestCase):
    def test_body_is_sanitised_when_created(self):
        article = ArticleFactory(
            body='<p onclick="steal()">Hello</p><script>alert(1)</script>'
            '<a href="javascript:alert(2)">link</a>'
        )

        article.refresh_from_db()
        assert article.body == '<p>Hello</p><a rel="noopener noreferrer">link</a>'

    def test_body_is_sanitised_when_edited_and_saved_again(self):
        article = ArticleFactory(body="<p>Clean</p>")
        article.body = '<p>Edited</p><img src="x" onerror="alert(1)">'
        article.save()

        article.refresh_from_db()
        assert article.body == '<p>Edited</p><img src="x">'

    def test_allowed_markup_is_stored_unchanged(self):
        body = "<h2>Context</h2><p>Some <em>careful</em> <strong>analysis</strong>.</p>"
        article = ArticleFactory(body=body)

        article.refresh_from_db()
        assert article.body == body


class BylineOrderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first = AuthorFactory(name="First Author")
        cls.third = AuthorFactory(name="Third Author")
        cls.second = AuthorFactory(name="Second Author")
        cls.article = ArticleFactory(authors=[cls.first])
        # Created out of order so that id order differs from byline order.
        Byline.objects.create(article=cls.article, author=cls.third, position=5)
        Byline.objects.create(article=cls.article, author=cls.second, position=2)

    def test_ordered_authors_follow_byline_position_not_creation_order(self):
        article = Article.objects.get(pk=self.article.pk)

        assert article.ordered_authors == [self.first, self.second, self.third]

    def test_ordered_authors_keep_position_order_when_prefetched(self):
        article = Article.objects.with_listing_relations().get(pk=self.article.pk)

        with self.assertNumQueries(0):
            assert article.ordered_authors == [self.first, self.second, self.third]

    def test_same_author_cannot_be_credited_twice_on_one_article(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Byline.objects.create(article=self.article, author=self.first, position=9)


def words(count):
    return " ".join(["word"] * count)


class ReadingMinutesTests(TestCase):
    def test_empty_body_reads_in_one_minute(self):
        assert ArticleFactory(body="").reading_minutes == 1

    def test_220_words_read_in_one_minute(self):
        assert ArticleFactory(body=f"<p>{words(220)}</p>").reading_minutes == 1

    def test_221_words_round_up_to_two_minutes(self):
        assert ArticleFactory(body=f"<p>{words(221)}</p>").reading_minutes == 2

    def test_long_article_reading_time(self):
        assert ArticleFactory(body=f"<p>{words(2200)}</p>").reading_minutes == 10

    def test_markup_does_not_count_as_words(self):
        body = "\n".join(
            f'<p><a href="https://example.com/{n}">{words(55)}</a></p>' for n in range(4)
        )
        # Exactly 220 words of text: one more token from the markup would make it two minutes.
        assert ArticleFactory(body=body).reading_minutes == 1
