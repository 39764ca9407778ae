"""RSS feeds of published articles: the whole site and each tag."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .models import Article, Tag

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    description_template = None

    def title(self, obj=None):
        return settings.SITE_NAME

    def link(self, obj=None):
        return reverse("articles:list")

    def description(self, obj=None):
        return settings.SITE_TAGLINE

    def articles(self):
        return Article.objects.published().with_listing_relations()

    def items(self, obj=None):
        return self.articles()[:FEED_LENGTH]

    def item_title(self, article):
        return article.display_title

    def item_description(self, article):
        return article.standfirst

    def item_author_name(self, article):
        return ", ".join(author.name for author in article.ordered_authors) or None

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag):
        return f"{tag.name} — {settings.SITE_NAME}"

    def link(self, tag):
        return tag.get_absolute_url()

    def description(self, tag):
        return tag.description or f"Articles about {tag.name}."

    def items(self, tag):
        return self.articles().filter(tags=tag)[:FEED_LENGTH]
