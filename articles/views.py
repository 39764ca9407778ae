from django.conf import settings
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from . import structured_data
from .models import Article, Tag


class PublishedArticlesMixin:
    """Every reader page starts from `Article.objects.published()`."""

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().with_listing_relations()


class ArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/article_list.html"


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    template_name = "articles/article_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            canonical_url=self.request.build_absolute_uri(self.object.get_absolute_url()),
            structured_data=structured_data.news_article(self.object, self.request),
            **kwargs,
        )


class TagArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/tag_article_list.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
