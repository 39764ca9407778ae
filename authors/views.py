from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import ListView

from caching.dependencies import SCHEDULE, depends_on, listing_key, object_key

from .models import Author


class AuthorDetailView(ListView):
    """An author's profile and their published articles, newest first.

    The articles come through the reverse relation, whose manager is the articles app's own
    queryset, so `published()` stays the single rule without this app importing `articles`.
    """

    template_name = "authors/author_detail.html"

    @classmethod
    def as_view(cls, **initkwargs):
        """A reader page only reads: no transaction around it, as for the articles' pages
        (articles/views.py, PublishedArticlesMixin)."""
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        self.author = get_object_or_404(
            Author.objects.prefetch_related("education"), slug=self.kwargs["slug"]
        )
        return self.author.articles.published().with_listing_relations()

    def paginate_queryset(self, queryset, page_size):
        """Paged by "Newer" and "Older" links, as every article list is: the articles app's
        queryset pages itself (`ArticleQuerySet.page`, articles/pagination.py)."""
        page = queryset.page(self.request.path, self.request.GET, page_size)
        return None, page, page.object_list, page.has_other_pages()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        page = response.context_data.get("page_obj")
        if page is not None and page.moved_to:  # an old ?page=N address
            return redirect(page.moved_to)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(author=self.author, **kwargs)
        # For the page cache: the profile, who is in the list, and each article as listed.
        depends_on(self.request, object_key(self.author), listing_key(self.author), SCHEDULE)
        for article in context["object_list"]:
            depends_on(self.request, *article.cache_keys())
        return context
