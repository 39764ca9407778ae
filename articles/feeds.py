"""RSS 2.0 and Atom feeds of published articles: the whole site, each tag, author and kind.

Every feed starts from `Article.objects.published()`, so a scheduled article joins its feeds
the moment its publish time passes. Entries carry the title, link, the standfirst as summary
(and the whole sanitised body as content when `FEED_FULL_TEXT` is on), every author on the
byline, the tags as categories, and the publish and update times. A feed runs the same number
of queries however many entries, authors and tags it holds. Every address in a feed is on
`SITE_URL` (`SiteFeed`), so every host the site answers on gets the same feed.

Each feed is one class; its Atom twin only changes the generator (`AtomFeedMixin`).
"""

import copy
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.text import Truncator

from authors.models import Author
from caching.dependencies import LIST, SCHEDULE, depends_on, listing_key, object_key

from .links import absolute_url
from .models import Article, Kind, Tag
from .sanitize import plain_text

FEED_LENGTH = 20
SUMMARY_WORDS = 60

DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"

# A root-relative src, href or cite in the body (an inline image, a link to another article);
# feed readers have no page to resolve it against, so it is made absolute.
_RELATIVE_URL = re.compile(r'(\s(?:src|href|cite)=")(/(?!/)[^"]*)')


def with_absolute_urls(body):
    """The sanitised `body` with its root-relative addresses on the public site."""
    return _RELATIVE_URL.sub(lambda match: match[1] + absolute_url(match[2]), body)


class BylineRssFeed(Rss201rev2Feed):
    """RSS 2.0 with one `dc:creator` per author, the full text in `content:encoded` when
    given, and the update time as `atom:updated` (RSS has no element of its own for it)."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:dc": DC_NAMESPACE,
            "xmlns:content": CONTENT_NAMESPACE,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item.get("bylines", ()):
            handler.addQuickElement("dc:creator", name)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])
        if item["updateddate"] is not None:
            handler.addQuickElement("atom:updated", item["updateddate"].isoformat())


class BylineAtomFeed(Atom1Feed):
    """Atom with one `author` (name and page) per author, and the full text as `content`."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item.get("bylines", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if url:
                handler.addQuickElement("uri", url)
            handler.endElement("author")
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class SiteFeed(Feed):
    """A feed whose addresses are on `SITE_URL` (articles/links.py).

    Django's `Feed` puts a relative `link`, `feed_url` or item link on the host and scheme the
    request came in on, and leaves absolute ones alone: so each of them is made absolute here
    (`link` in every subclass), never from the request.
    """

    def get_feed(self, obj, request):
        # Feed instances are shared between requests: the request goes on a copy.
        feed = copy.copy(self)
        feed.request = request
        depends_on(request, *feed.cache_keys(obj))
        return Feed.get_feed(feed, obj, request)

    def cache_keys(self, obj):
        """What the feed shows besides its entries, for the page cache (caching/)."""
        return []

    def feed_url(self, obj=None):
        return absolute_url(self.request.path)

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())


class LatestArticlesFeed(SiteFeed):
    """The site's newest published articles."""

    feed_type = BylineRssFeed

    def title(self, obj=None):
        return settings.SITE_NAME

    def link(self, obj=None):
        return absolute_url(reverse("articles:list"))

    def description(self, obj=None):
        return settings.SITE_TAGLINE

    def author_name(self, obj=None):
        # Atom needs an author for entries without a byline; the publication signs those.
        return settings.SITE_NAME

    def cache_keys(self, obj):
        return [LIST, SCHEDULE]

    def articles(self):
        return Article.objects.published().with_listing_relations()

    def items(self, obj=None):
        return self.articles()[:FEED_LENGTH]

    def item_title(self, article):
        return article.display_title

    def item_description(self, article):
        """The standfirst (plain text, escaped for the HTML the element holds), or the start
        of the body when there is none."""
        if article.standfirst:
            return escape(article.standfirst)
        return escape(Truncator(plain_text(article.body)).words(SUMMARY_WORDS))

    def item_extra_kwargs(self, article):
        extra = {
            "bylines": [
                (author.name, absolute_url(author.get_absolute_url()))
                for author in article.ordered_authors
            ]
        }
        if settings.FEED_FULL_TEXT:
            extra["content"] = with_absolute_urls(article.body)
        depends_on(self.request, *article.cache_keys(with_tags=True))
        return extra

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return max(article.updated_at, article.published_at)


class ListingFeed(LatestArticlesFeed):
    """The newest published articles of one tag, author or kind: the one whose slug is in the
    address, among `listings()`; `articles_filter` is the article lookup that selects its
    articles."""

    articles_filter = None

    def listings(self):
        raise NotImplementedError

    def get_object(self, request, slug):
        return get_object_or_404(self.listings(), slug=slug)

    def cache_keys(self, listing):
        return [object_key(listing), listing_key(listing), SCHEDULE]

    def title(self, listing):
        return f"{listing.name} — {settings.SITE_NAME}"

    def link(self, listing):
        return absolute_url(listing.get_absolute_url())

    def description(self, listing):
        return listing.page_description

    def items(self, listing):
        return self.articles().filter(**{self.articles_filter: listing})[:FEED_LENGTH]


class TagFeed(ListingFeed):
    articles_filter = "tags"

    def listings(self):
        return Tag.objects.on_published_articles()


class AuthorFeed(ListingFeed):
    articles_filter = "bylines__author"

    def listings(self):
        return Author.objects.all()

    def description(self, author):
        return f"Articles by {author.name}" + (
            f", {author.credentials}." if author.credentials else "."
        )


class KindFeed(ListingFeed):
    articles_filter = "kind"

    def listings(self):
        return Kind.objects.all()


class AtomFeedMixin:
    """The same feed as Atom 1.0: the description becomes the subtitle."""

    feed_type = BylineAtomFeed

    def subtitle(self, obj=None):
        return self.description(obj)


class LatestArticlesAtomFeed(AtomFeedMixin, LatestArticlesFeed):
    pass


class TagAtomFeed(AtomFeedMixin, TagFeed):
    pass


class AuthorAtomFeed(AtomFeedMixin, AuthorFeed):
    pass


class KindAtomFeed(AtomFeedMixin, KindFeed):
    pass
