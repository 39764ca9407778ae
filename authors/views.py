from django.conf import settings
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import ListView

from .models import Author


class AuthorDetailView(ListView):
    """An author's profile and their published articles, newest first.

    The articles come through the reverse relation, whose manager is the articles app's own
    queryset, so `published()` stays the single rule without this app importing `articles`.
    """

    template_name = "authors/author_detail.html"

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
        return super().get_context_data(author=self.author, **kwargs)
