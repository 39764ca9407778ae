import datetime
import xml.etree.ElementTree as ET

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)


def feed_items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return channel.findall("item")


def titles(items):
    return [item.findtext("title") for item in items]


class SiteFeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        author = AuthorFactory(name="Amara Okafor")
        cls.live = ArticleFactory(
            title="Live piece", authors=[author], tags=["Trade", "Ports"], standfirst="Why ports."
        )
        cls.draft = DraftArticleFactory(title="Unfinished piece")
        cls.scheduled = ScheduledArticleFactory(title="Tomorrow's piece")
        CommentFactory(article=cls.live, email="reader.secret@private-mail.example")

    def test_feed_lists_only_live_articles_with_their_details(self):
        items = feed_items(self.client.get(reverse("articles:feed")))

        assert titles(items) == ["Live piece – Analysis"]
        item = items[0]
        assert item.findtext("link").endswith(self.live.get_absolute_url())
        assert item.findtext("description") == "Why ports."
        assert sorted(category.text for category in item.findall("category")) == ["Ports", "Trade"]
        assert "Amara Okafor" in ET.tostring(item, encoding="unicode")
        assert item.findtext("pubDate")

    def test_scheduled_article_joins_the_feed_at_its_time(self):
        with time_machine.travel(self.scheduled.published_at + datetime.timedelta(seconds=1)):
            items = feed_items(self.client.get(reverse("articles:feed")))

        assert "Tomorrow's piece – Analysis" in titles(items)

    def test_feed_never_contains_a_commenters_address(self):
        response = self.client.get(reverse("articles:feed"))

        assert b"private-mail.example" not in response.content

    def test_pages_advertise_the_feed(self):
        content = self.client.get(reverse("articles:list")).content.decode()

        assert 'type="application/rss+xml"' in content
        assert reverse("articles:feed") in content


class TagFeedTests(TestCase):
    def test_tag_feed_lists_only_that_tags_live_articles(self):
        ArticleFactory(title="On trade", tags=["Trade"])
        ArticleFactory(title="On energy", tags=["Energy"])
        DraftArticleFactory(title="Draft on trade", tags=["Trade"])

        items = feed_items(self.client.get(reverse("articles:tag_feed", args=["trade"])))

        assert titles(items) == ["On trade – Analysis"]

    def test_tag_page_advertises_its_feed(self):
        ArticleFactory(tags=["Trade"])

        content = self.client.get(reverse("articles:tag", args=["trade"])).content.decode()

        assert reverse("articles:tag_feed", args=["trade"]) in content

    def test_unknown_tag_feed_is_404(self):
        assert self.client.get(reverse("articles:tag_feed", args=["nope"])).status_code == 404

    def test_feed_query_count_is_fixed(self):
        for n in range(5):
            ArticleFactory(tags=[f"t{n}", "Trade"], published_at=timezone.now())
        # savepoint, tag, articles, bylines with authors, tags, release
        with self.assertNumQueries(6):
            self.client.get(reverse("articles:tag_feed", args=["trade"]))
