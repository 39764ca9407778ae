import datetime

import feedparser
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import feeds, threads
from comments.models import Comment
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    DraftArticleFactory,
    HeldCommentFactory,
    ScheduledArticleFactory,
)

SECRET_ADDRESS = "hidden.reader@private-mail.example"


def minutes_ago(minutes):
    return timezone.now() - datetime.timedelta(minutes=minutes)


def feed_urls(article):
    return [
        reverse("comments:feed", args=[article.slug]),
        reverse("comments:atom_feed", args=[article.slug]),
    ]


def parse(response):
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


class CommentFeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Ports", slug="ports")
        cls.first = CommentFactory(
            article=cls.article,
            name="Ada",
            email=SECRET_ADDRESS,
            body="First line.\n\nSecond <b>line</b>.",
            created_at=minutes_ago(30),
        )
        cls.reply = CommentFactory(
            article=cls.article, parent=cls.first, name="Ben", created_at=minutes_ago(20)
        )
        cls.held = HeldCommentFactory(
            article=cls.article, name="Held Hal", email=SECRET_ADDRESS, created_at=minutes_ago(15)
        )
        cls.reply_to_held = CommentFactory(
            article=cls.article, parent=cls.held, name="Orphan Olga", created_at=minutes_ago(10)
        )
        cls.spam = CommentFactory(
            article=cls.article, name="Spammy Sam", status=Comment.Status.SPAM
        )
        CommentFactory(article=ArticleFactory(), name="Elsewhere Ed")

    def test_feeds_list_approved_comments_whose_thread_is_approved_newest_first(self):
        for url in feed_urls(self.article):
            feed = parse(self.client.get(url))

            assert [entry.author for entry in feed.entries] == ["Ben", "Ada"]
            assert feed.entries[1].title == "Ada on Ports"
            assert (
                feed.entries[1].link == f"http://testserver/articles/ports/#comment-{self.first.pk}"
            )
            assert feed.entries[1].summary == (
                "<p>First line.</p>\n\n<p>Second &lt;b&gt;line&lt;/b&gt;.</p>"
            )
            published = datetime.datetime(
                *feed.entries[1].published_parsed[:6], tzinfo=datetime.UTC
            )
            assert abs(published - self.first.created_at) < datetime.timedelta(seconds=1)
            assert feed.feed.title == "Comments on Ports — Byline"

    def test_feeds_and_page_agree_on_replies_under_a_held_comment(self):
        nested = CommentFactory(
            article=self.article, parent=self.reply_to_held, created_at=minutes_ago(5)
        )

        def shown():
            page = threads.for_article(self.article, thread_depth=5)
            from_feed = {comment.pk for comment in feeds.shown_comments(self.article)}
            assert from_feed == set(page.by_id)
            return from_feed

        assert shown() == {self.first.pk, self.reply.pk}
        Comment.objects.filter(pk=self.held.pk).update(status=Comment.Status.APPROVED)
        assert shown() == {
            self.first.pk,
            self.reply.pk,
            self.held.pk,
            self.reply_to_held.pk,
            nested.pk,
        }
        Comment.objects.filter(pk=self.reply_to_held.pk).update(status=Comment.Status.REMOVED)
        assert shown() == {self.first.pk, self.reply.pk, self.held.pk}

    @override_settings(SITE_URL="https://news.example", ALLOWED_HOSTS=["internal.example"])
    def test_feeds_link_to_site_url_whatever_the_host(self):
        for url in feed_urls(self.article):
            response = self.client.get(url, headers={"host": "internal.example"})
            feed = parse(response)

            assert "internal.example" not in response.content.decode()
            links = {link.rel: link.href for link in feed.feed.links}
            assert links["alternate"] == "https://news.example/articles/ports/#comments"
            assert links["self"] == f"https://news.example{url}"
            assert feed.entries[1].link == (
                f"https://news.example/articles/ports/#comment-{self.first.pk}"
            )

    def test_feeds_never_show_an_address_or_its_digest(self):
        digest = Comment.objects.get(pk=self.first.pk).email_digest
        for url in feed_urls(self.article):
            content = self.client.get(url).content.decode()

            assert "private-mail.example" not in content
            assert "hidden.reader" not in content
            assert digest not in content
            assert "Held Hal" not in content

    def test_unpublished_or_unknown_articles_have_no_comment_feed(self):
        for article in (DraftArticleFactory(), ScheduledArticleFactory()):
            for url in feed_urls(article):
                assert self.client.get(url).status_code == 404
        assert self.client.get(reverse("comments:feed", args=["nope"])).status_code == 404

    def test_article_page_advertises_its_comment_feeds(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode()

        assert 'type="application/rss+xml" title="Comments on Ports (RSS)"' in content
        assert 'href="/comments/feed/ports/"' in content
        assert 'type="application/atom+xml" title="Comments on Ports (Atom)"' in content
        assert 'href="/comments/feed/ports/atom/"' in content

    def test_feed_query_count_does_not_grow_with_comments(self):
        url = feed_urls(self.article)[0]
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for _ in range(30):
            parent = CommentFactory(article=self.article, created_at=minutes_ago(5))
            CommentFactory(article=self.article, parent=parent)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(url)

        assert len(parse(response).entries) == 50
        # savepoint, article, comments, the discussion settings (each comment's link names the
        # page of comments showing it: comments/pages.py), release
        assert len(few) == len(many) == 5
