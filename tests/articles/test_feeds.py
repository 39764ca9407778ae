import datetime

import feedparser
import time_machine
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Tag
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    DraftArticleFactory,
    KindFactory,
    ScheduledArticleFactory,
)
from tests.helpers import days_ago
from tests.query_budgets import PAGE_CACHE_STORE_QUERIES

RSS = "application/rss+xml"
ATOM = "application/atom+xml"

SITE_FEEDS = ("articles:feed", "articles:atom_feed")
# What each filtered feed is of, with its RSS and Atom URL names.
FILTERED_FEEDS = {
    "tag": ("articles:tag_feed", "articles:tag_atom_feed"),
    "author": ("articles:author_feed", "articles:author_atom_feed"),
    "kind": ("articles:kind_feed", "articles:kind_atom_feed"),
}


def parse(response, content_type):
    """The feed parsed by feedparser, which must find nothing wrong with it."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def entry_titles(feed):
    return [entry.title for entry in feed.entries]


class SiteFeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.amara = AuthorFactory(name="Amara Okafor", slug="amara-okafor")
        cls.li = AuthorFactory(name="Li Wei", slug="li-wei")
        cls.live = ArticleFactory(
            title="Live piece",
            authors=[cls.amara, cls.li],
            tags=["Trade", "Ports"],
            standfirst="Why ports & harbours matter.",
            body='<p>Full <a href="/articles/other/">text</a> here.</p>',
            published_at=days_ago(2),
        )
        cls.draft = DraftArticleFactory(title="Unfinished piece")
        cls.scheduled = ScheduledArticleFactory(title="Tomorrow's piece")
        CommentFactory(article=cls.live, email="reader.secret@private-mail.example")

    def feeds(self):
        return [
            parse(self.client.get(reverse("articles:feed")), RSS),
            parse(self.client.get(reverse("articles:atom_feed")), ATOM),
        ]

    def test_rss_and_atom_list_only_live_articles_with_their_details(self):
        for feed in self.feeds():
            assert feed.feed.title == "Byline"
            assert entry_titles(feed) == ["Live piece – Analysis"]
            entry = feed.entries[0]
            assert entry.link == "http://testserver" + self.live.get_absolute_url()
            assert entry.summary == "Why ports &amp; harbours matter."
            assert [author.name for author in entry.authors] == ["Amara Okafor", "Li Wei"]
            assert sorted(tag.term for tag in entry.tags) == ["Ports", "Trade"]
            published = datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.UTC)
            assert abs(published - self.live.published_at) < datetime.timedelta(seconds=1)
            updated = datetime.datetime(*entry.updated_parsed[:6], tzinfo=datetime.UTC)
            assert abs(updated - self.live.updated_at) < datetime.timedelta(seconds=1)
            assert "content" not in entry

    def test_atom_authors_link_to_their_pages(self):
        feed = parse(self.client.get(reverse("articles:atom_feed")), ATOM)

        assert [author.href for author in feed.entries[0].authors] == [
            "http://testserver/authors/amara-okafor/",
            "http://testserver/authors/li-wei/",
        ]

    @override_settings(FEED_FULL_TEXT=True)
    def test_full_text_setting_adds_the_body_with_absolute_links(self):
        for feed in self.feeds():
            entry = feed.entries[0]
            assert entry.summary == "Why ports &amp; harbours matter."
            (content,) = entry.content
            assert "Full" in content.value
            assert 'href="http://testserver/articles/other/"' in content.value

    def test_article_without_standfirst_is_summarised_from_its_body(self):
        self.live.standfirst = ""
        self.live.save()

        for feed in self.feeds():
            assert feed.entries[0].summary == "Full text here."

    def test_a_summary_from_the_body_is_escaped_once_like_a_standfirst(self):
        self.live.standfirst = ""
        self.live.body = "<p>Ports &amp; harbours &lt;matter&gt;.</p>"
        self.live.save()

        for feed in self.feeds():
            assert feed.entries[0].summary == "Ports &amp; harbours &lt;matter&gt;."

    def test_scheduled_article_joins_the_feeds_at_its_time(self):
        with time_machine.travel(self.scheduled.published_at + datetime.timedelta(seconds=1)):
            for feed in self.feeds():
                assert entry_titles(feed) == [
                    "Tomorrow's piece – Analysis",
                    "Live piece – Analysis",
                ]

    def test_feeds_never_contain_a_commenters_address(self):
        for name in ("articles:feed", "articles:atom_feed"):
            content = self.client.get(reverse(name)).content

            assert b"private-mail.example" not in content
            assert b"reader.secret" not in content

    def test_every_page_advertises_the_site_feeds(self):
        content = self.client.get(reverse("articles:list")).content.decode()

        assert f'type="{RSS}" title="Byline (RSS)" href="/feed/"' in content
        assert f'type="{ATOM}" title="Byline (Atom)" href="/feed/atom/"' in content


class FilteredFeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = AuthorFactory(name="Amara Okafor", slug="amara")
        opinion = KindFactory(name="Opinion", slug="opinion")
        ArticleFactory(title="Ours", tags=["Trade"], authors=[cls.author], kind=opinion)
        ArticleFactory(title="Theirs", tags=["Energy"])
        DraftArticleFactory(title="Our draft", tags=["Trade"], authors=[cls.author], kind=opinion)
        ScheduledArticleFactory(
            title="Our scoop", tags=["Trade"], authors=[cls.author], kind=opinion
        )

    def test_tag_author_and_kind_feeds_list_only_their_live_articles(self):
        slugs = {"tag": "trade", "author": "amara", "kind": "opinion"}
        for of, (rss_name, atom_name) in FILTERED_FEEDS.items():
            for name, content_type in ((rss_name, RSS), (atom_name, ATOM)):
                feed = parse(self.client.get(reverse(name, args=[slugs[of]])), content_type)

                assert [entry.title.split(" – ")[0] for entry in feed.entries] == ["Ours"]

    def test_filtered_feeds_describe_and_link_their_page(self):
        tag = parse(self.client.get(reverse("articles:tag_feed", args=["trade"])), RSS)
        author = parse(self.client.get(reverse("articles:author_atom_feed", args=["amara"])), ATOM)
        kind = parse(self.client.get(reverse("articles:kind_feed", args=["opinion"])), RSS)

        assert tag.feed.title == "Trade — Byline"
        assert tag.feed.link == "http://testserver/tags/trade/"
        assert author.feed.title == "Amara Okafor — Byline"
        assert author.feed.subtitle == (
            "Articles by Amara Okafor, Research Associate, Institute for Policy Studies."
        )
        assert kind.feed.link == "http://testserver/kinds/opinion/"

    def test_tag_and_kind_feeds_describe_themselves_as_their_pages_do(self):
        tag = parse(self.client.get(reverse("articles:tag_feed", args=["trade"])), RSS)
        kind = parse(self.client.get(reverse("articles:kind_atom_feed", args=["opinion"])), ATOM)

        assert tag.feed.subtitle == "Articles tagged Trade on Byline."
        assert kind.feed.subtitle == "Opinion from Byline."

        Tag.objects.filter(slug="trade").update(description="Tariffs, ports and shipping.")
        tag = parse(self.client.get(reverse("articles:tag_atom_feed", args=["trade"])), ATOM)
        assert tag.feed.subtitle == "Tariffs, ports and shipping."

    def test_unknown_slug_is_404(self):
        for names in FILTERED_FEEDS.values():
            for name in names:
                assert self.client.get(reverse(name, args=["nope"])).status_code == 404

    def test_matching_pages_advertise_their_feeds(self):
        pages = {
            "/tags/trade/": ("/tags/trade/feed/", "/tags/trade/feed/atom/"),
            "/authors/amara/": ("/authors/amara/feed/", "/authors/amara/feed/atom/"),
            "/kinds/opinion/": ("/kinds/opinion/feed/", "/kinds/opinion/feed/atom/"),
        }
        for page, (rss, atom) in pages.items():
            content = self.client.get(page).content.decode()

            assert f'type="{RSS}"' in content
            assert f'href="{rss}"' in content
            assert f'type="{ATOM}"' in content
            assert f'href="{atom}"' in content


class FeedQueryCountTests(TestCase):
    """Each feed runs the same queries for 3 articles as for 20, whatever their bylines."""

    def add_articles(self, count, author, kind, tag):
        for n in range(count):
            ArticleFactory(
                authors=[author, AuthorFactory(), AuthorFactory()],
                kind=kind,
                tags=[tag, f"extra {n}", f"more {n}"],
                published_at=days_ago(n + 1),
            )

    def count(self, url):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        assert response.status_code == 200
        return len(queries), len(feedparser.parse(response.content).entries)

    def test_feed_query_counts_do_not_grow_with_entries(self):
        author = AuthorFactory(slug="prolific")
        kind = KindFactory(name="Analysis")
        tag = Tag.objects.create(name="Trade", slug="trade")
        slugs = {"tag": "trade", "author": "prolific", "kind": "analysis"}
        urls = [reverse(name) for name in SITE_FEEDS]
        for of, names in FILTERED_FEEDS.items():
            urls += [reverse(name, args=[slugs[of]]) for name in names]

        self.add_articles(3, author, kind, tag)
        small = {url: self.count(url) for url in urls}
        self.add_articles(17, author, kind, tag)
        large = {url: self.count(url) for url in urls}

        for url in urls:
            assert small[url][1] == 3
            assert large[url][1] == 20
            assert small[url][0] == large[url][0], url
        # savepoint, articles, bylines with authors, tags, release (+ the tag, author or kind),
        # the page cache's next scheduled publication
        assert large[reverse("articles:feed")][0] == 5 + PAGE_CACHE_STORE_QUERIES
        assert (
            large[reverse("articles:tag_feed", args=["trade"])][0] == 6 + PAGE_CACHE_STORE_QUERIES
        )
