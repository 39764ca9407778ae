"""The article page's extras: related articles, previous/next, reading time and share links."""

import datetime
import re
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import time_machine
from django.test import TestCase
from django.utils import timezone

from articles.models import Article, Tag
from articles.social import share_links
from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
    StaffFactory,
)
from tests.helpers import days_ago


def tags(*names):
    return [Tag.objects.get_or_create(name=name, slug=name.lower())[0] for name in names]


def section(content, css_class):
    match = re.search(rf'<(section|nav) class="{css_class}".*?</\1>', content, re.S)
    return match.group(0) if match else ""


class RelatedArticlesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(
            title="The article", tags=tags("China", "Russia", "Trade"), published_at=days_ago(5)
        )
        cls.three_shared = ArticleFactory(
            title="Three shared", tags=tags("China", "Russia", "Trade"), published_at=days_ago(40)
        )
        cls.one_shared_newer = ArticleFactory(
            title="One shared, newer", tags=tags("Trade", "Energy"), published_at=days_ago(2)
        )
        cls.one_shared_older = ArticleFactory(
            title="One shared, older", tags=tags("China"), published_at=days_ago(20)
        )
        cls.two_shared = ArticleFactory(
            title="Two shared", tags=tags("China", "Russia"), published_at=days_ago(30)
        )
        cls.unrelated = ArticleFactory(title="Unrelated", tags=tags("Energy"))

    def related(self):
        return list(Article.objects.published().related_to(self.article))

    def test_related_articles_are_ordered_by_shared_tags_then_newest(self):
        related = self.related()

        assert [article.title for article in related] == [
            "Three shared",
            "Two shared",
            "One shared, newer",
        ]
        assert [article.shared_tags for article in related] == [3, 2, 1]

    def test_related_articles_cost_one_query_given_the_prefetched_tags(self):
        article = Article.objects.with_page_relations().get(pk=self.article.pk)

        with self.assertNumQueries(1):
            related = list(Article.objects.published().related_to(article))
            assert [item.kind.name for item in related]

    def test_only_the_newest_articles_of_each_tag_are_weighed(self):
        with mock.patch("articles.models.RELATED_CANDIDATES_PER_TAG", 1):
            related = self.related()

        # The newest article (by id) of China and of Russia is "Two shared", of Trade "One
        # shared, newer": "Three shared", older than both, is not weighed.
        assert [(a.title, a.shared_tags) for a in related] == [
            ("Two shared", 2),
            ("One shared, newer", 1),
        ]

    def test_the_article_itself_and_unrelated_ones_are_left_out(self):
        titles = [
            article.title
            for article in Article.objects.published().related_to(self.article, limit=10)
        ]

        assert "The article" not in titles
        assert "Unrelated" not in titles
        assert len(titles) == 4

    def test_unpublished_articles_are_never_related(self):
        DraftArticleFactory(title="Draft", tags=tags("China", "Russia", "Trade"))
        ScheduledArticleFactory(title="Scheduled", tags=tags("China", "Russia", "Trade"))

        titles = [article.title for article in self.related()]

        assert "Draft" not in titles
        assert "Scheduled" not in titles

    def test_an_article_without_tags_has_no_related_articles(self):
        lonely = ArticleFactory()

        assert list(Article.objects.published().related_to(lonely)) == []

    def test_the_page_lists_related_articles_with_links(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode()

        related = section(content, "related")
        assert '<h2 class="related__title" id="related-heading">Related articles</h2>' in related
        assert related.count('class="related__item"') == 3
        assert f'href="{self.three_shared.get_absolute_url()}">Three shared</a>' in related
        assert "Unrelated" not in related

    def test_the_page_has_no_related_section_without_related_articles(self):
        alone = ArticleFactory(tags=tags("Antarctica"))

        content = self.client.get(alone.get_absolute_url()).content.decode()

        assert 'class="related"' not in content


class PreviousNextTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.oldest = ArticleFactory(title="Oldest", published_at=days_ago(10))
        cls.middle = ArticleFactory(title="Middle", published_at=days_ago(5))
        cls.newest = ArticleFactory(title="Newest", published_at=days_ago(1))

    def pager(self, article):
        return section(
            self.client.get(article.get_absolute_url()).content.decode(), "article-pager"
        )

    def test_middle_article_links_to_both_neighbours(self):
        pager = self.pager(self.middle)

        assert f'rel="prev" href="{self.oldest.get_absolute_url()}"' in pager
        assert f'rel="next" href="{self.newest.get_absolute_url()}"' in pager
        assert "Previous article</span> Oldest" in pager
        assert "Next article</span> Newest" in pager

    def test_first_and_last_articles_link_one_way(self):
        assert 'rel="prev"' not in self.pager(self.oldest)
        assert 'rel="next"' in self.pager(self.oldest)
        assert 'rel="next"' not in self.pager(self.newest)

    def test_unpublished_articles_are_skipped(self):
        DraftArticleFactory(title="Draft", published_at=days_ago(3))
        ScheduledArticleFactory(title="Scheduled")

        live = Article.objects.published()
        assert live.after(self.middle).first() == self.newest
        assert live.after(self.newest).first() is None

    def test_a_scheduled_article_becomes_next_when_it_goes_live(self):
        scheduled = ScheduledArticleFactory(
            title="Scheduled", published_at=timezone.now() + datetime.timedelta(hours=1)
        )

        assert 'rel="next"' not in self.pager(self.newest)
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
            assert f'rel="next" href="{scheduled.get_absolute_url()}"' in self.pager(self.newest)

    def test_articles_published_the_same_second_are_ordered_by_id(self):
        when = days_ago(7)
        first = ArticleFactory(title="Same second A", published_at=when)
        second = ArticleFactory(title="Same second B", published_at=when)

        live = Article.objects.published()
        assert live.after(first).first() == second
        assert live.before(second).first() == first
        assert live.before(first).first() == self.oldest

    def test_a_draft_in_preview_has_no_neighbours_and_no_error(self):
        draft = DraftArticleFactory()
        self.client.force_login(StaffFactory(role="Editor"))

        response = self.client.get(f"/articles/preview/{draft.pk}/")

        assert response.status_code == 200
        assert 'class="article-pager"' not in response.content.decode()


class ReadingTimeTests(TestCase):
    def test_word_count_is_stored_when_saved(self):
        article = ArticleFactory(body="<p>" + "word " * 500 + "</p>")

        assert Article.objects.get(pk=article.pk).word_count == 500

    def test_word_count_follows_edits(self):
        article = ArticleFactory(body="<p>one two</p>")
        article.body = "<p>one two three</p><p>four</p>"
        article.save()

        assert Article.objects.get(pk=article.pk).word_count == 4

    def test_word_count_counts_what_a_reader_sees(self):
        article = ArticleFactory(body="<p>Tom&nbsp;&amp;&nbsp;Jerry</p><p>&nbsp;</p><p>end</p>")

        assert Article.objects.get(pk=article.pk).word_count == 4

    def test_reading_time_needs_no_body_text_on_the_object(self):
        article = ArticleFactory(body="<p>" + "word " * 1000 + "</p>")

        assert Article.objects.only("word_count").get(pk=article.pk).reading_minutes == 5

    def test_page_shows_the_reading_time(self):
        article = ArticleFactory(body="<p>" + "word " * 1000 + "</p>")

        assert "5 min read" in self.client.get(article.get_absolute_url()).content.decode()


class ShareLinksTests(TestCase):
    URL = "https://news.example/articles/sino-russian/?x=1&y=2"
    TITLE = "Wang Yi in Moscow: how far? & why"

    def links(self):
        return {link.network: link.url for link in share_links(self.URL, self.TITLE)}

    def test_each_network_gets_the_url_encoded_canonical_address(self):
        links = self.links()

        x = urlsplit(links["x"])
        assert (x.scheme, x.netloc, x.path) == ("https", "x.com", "/intent/tweet")
        assert parse_qs(x.query) == {"url": [self.URL], "text": [self.TITLE]}
        linkedin = urlsplit(links["linkedin"])
        assert linkedin.netloc == "www.linkedin.com"
        assert parse_qs(linkedin.query) == {"url": [self.URL]}
        facebook = urlsplit(links["facebook"])
        assert facebook.netloc == "www.facebook.com"
        assert parse_qs(facebook.query) == {"u": [self.URL]}
        for url in links.values():
            assert "news.example/articles" not in url  # always encoded, never raw

    def test_email_link_has_subject_and_body_with_spaces_encoded_as_such(self):
        email = self.links()["email"]

        assert email.startswith("mailto:?")
        assert "+" not in email
        query = parse_qs(urlsplit(email).query)
        assert query["subject"] == [self.TITLE]
        assert query["body"] == [f"{self.TITLE}\n\n{self.URL}"]

    def test_article_page_shows_share_links_with_its_canonical_url_and_no_script(self):
        article = ArticleFactory(title="Shared piece")

        content = self.client.get(article.get_absolute_url()).content.decode()

        share = section(content, "share")
        encoded = "http%3A%2F%2Ftestserver%2Farticles%2F" + article.slug + "%2F"
        assert share.count('class="share__link') == 4
        assert f"https://www.facebook.com/sharer/sharer.php?u={encoded}" in share
        assert f"https://www.linkedin.com/sharing/share-offsite/?url={encoded}" in share
        assert "<script" not in share
        assert re.findall(r"<script[^>]*\bsrc=", content) == []

    def test_preview_of_a_draft_has_no_share_links(self):
        draft = DraftArticleFactory()
        self.client.force_login(StaffFactory(role="Editor"))

        content = self.client.get(f"/articles/preview/{draft.pk}/").content.decode()

        assert 'class="share"' not in content
