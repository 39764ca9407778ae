from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import (
    ArchiveIndexView,
    DetailView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)

from . import links, page_dependencies, review_links, search, social, structured_data
from .models import Article, Kind, Tag
from .permissions import can_view_articles


class PublishedArticlesMixin:
    """Every reader page starts from `Article.objects.published()`.

    Reader pages only read, so they run outside a transaction: settings' ATOMIC_REQUESTS wraps
    every other view (posting a comment, the admin) in one, which costs a BEGIN and a COMMIT.
    """

    @classmethod
    def as_view(cls, **initkwargs):
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().with_listing_relations()


class KeysetPaginationMixin:
    """Lists paged by "Newer" and "Older" links rather than page numbers, so the last page
    costs what the first costs (articles/pagination.py). The template gets the page as
    `page_obj` and no `paginator`. An address that moved (an old `?page=N`) is redirected.

    authors.views.AuthorDetailView does the same for an author's articles.
    """

    def paginate_queryset(self, queryset, page_size):
        page = queryset.page(self.request.path, self.request.GET, page_size)
        return None, page, page.object_list, page.has_other_pages()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The response is not rendered yet: a moved page costs no rendering.
        page = response.context_data.get("page_obj")
        if page is not None and page.moved_to:
            return redirect(page.moved_to)
        return response


class ArticleListView(KeysetPaginationMixin, PublishedArticlesMixin, ListView):
    """The home page: the newest article as the lead, then the latest; later pages list on."""

    template_name = "articles/article_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = list(context["object_list"])
        page_dependencies.shows_list(self.request, articles)
        if context["page_obj"].is_first and articles:
            context["lead"], context["latest"] = articles[0], articles[1:]
        else:
            context["lead"], context["latest"] = None, articles
        return context


#: The comment section's reply links (`?replyto=<comment id>#respond`) give one copy of the
#: article page per comment: the same article with the form set to answer that comment. Crawlers
#: are asked not to follow the links (rel="nofollow") nor to index such a copy (noindex); its
#: canonical link names the article itself.
REPLY_PARAMETER = "replyto"


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        return Article.objects.published().with_page_relations()

    def get_context_data(self, **kwargs):
        article = self.object
        canonical_url = links.absolute_url(article.get_absolute_url())
        live = Article.objects.published()
        previous_article, next_article = live.neighbours(article)
        related = list(live.related_to(article).only("title", "slug", "published_at", "kind__name"))
        page_dependencies.shows_article(
            self.request,
            article,
            related=related,
            previous=previous_article,
            following=next_article,
        )
        return super().get_context_data(
            canonical_url=canonical_url,
            social_tags=social.article_tags(article),
            structured_data=structured_data.news_article(article),
            related_articles=related,
            previous_article=previous_article,
            next_article=next_article,
            share_links=social.share_links(canonical_url, article.title),
            reply_form_copy=REPLY_PARAMETER in self.request.GET,
            **kwargs,
        )


class ListingArticleListView(KeysetPaginationMixin, PublishedArticlesMixin, ListView):
    """The articles of one tag or kind, headed by its name and description: the one whose slug
    is in the address, among `listings()`; `articles_filter` is the article lookup that selects
    its articles. The template gets it as `listing`."""

    articles_filter = None

    def listings(self):
        raise NotImplementedError

    def get_queryset(self):
        self.listing = get_object_or_404(self.listings(), slug=self.kwargs["slug"])
        return super().get_queryset().filter(**{self.articles_filter: self.listing})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(listing=self.listing, **kwargs)
        page_dependencies.shows_list(self.request, context["object_list"], self.listing)
        return context


class TagArticleListView(ListingArticleListView):
    template_name = "articles/tag_article_list.html"
    articles_filter = "tags"

    def listings(self):
        return Tag.objects.on_published_articles()


class KindArticleListView(ListingArticleListView):
    """One kind's articles (Analysis, Op-Ed…), headed by the kind's description."""

    template_name = "articles/kind_article_list.html"
    articles_filter = "kind"

    def listings(self):
        return Kind.objects.all()


class SearchView(PublishedArticlesMixin, ListView):
    """`/search/?q=`: ranked results, or a page explaining why the query was not run."""

    template_name = "articles/search.html"

    def get_queryset(self):
        self.search = search.prepare(self.request.GET.get("q", ""))
        return search.find(self.search, super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            search=self.search,
            search_limit=search.MAX_RANKED if search.uses_full_text() else None,
            **kwargs,
        )
        search.add_snippets(context["object_list"], self.search)
        return context


def archive_calendar():
    """`[(year, [months with articles, newest first]), ...]` for the archive navigation."""
    calendar = {}
    for month in Article.objects.publication_months():
        calendar.setdefault(month.year, []).append(month)
    return list(calendar.items())


class ArchiveMixin(KeysetPaginationMixin, PublishedArticlesMixin):
    """Date archives: published articles only, 404 for a date with none (or not a date)."""

    date_field = "published_at"
    allow_future = False
    allow_empty = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(archive_calendar=archive_calendar(), **kwargs)
        page_dependencies.shows_list(self.request, context["object_list"])
        return context


class ArticleArchiveView(ArchiveMixin, ArchiveIndexView):
    template_name = "articles/archive_index.html"
    allow_empty = True

    def get_dated_items(self):
        """The latest articles, without the list of years ArchiveIndexView would read from
        every article: the archive navigation (`archive_calendar`) shows them."""
        return None, self.get_dated_queryset(), {}


#: A year's or month's page counts its articles up to this many, then says "more than".
PERIOD_COUNT_CAP = 1000


class PeriodArchiveMixin(ArchiveMixin):
    """A year's or month's page says how many articles it holds: one count, of that period
    only, and of at most `PERIOD_COUNT_CAP` + 1 rows, so a busy year costs what a quiet one
    does ("More than 1,000 articles published in 2026")."""

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """No list of the period's months or days: the pages show none (the archive navigation
        has the months), and `get_dated_queryset` has already answered 404 for a period
        without articles."""
        return []

    def get_context_data(self, **kwargs):
        counted = self.object_list[: PERIOD_COUNT_CAP + 1].count()
        return super().get_context_data(
            article_total=min(counted, PERIOD_COUNT_CAP),
            article_total_capped=counted > PERIOD_COUNT_CAP,
            **kwargs,
        )


class ArticleYearArchiveView(PeriodArchiveMixin, YearArchiveView):
    template_name = "articles/archive_year.html"
    make_object_list = True


class ArticleMonthArchiveView(PeriodArchiveMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"
    month_format = "%m"


class UnpublishedArticleMixin:
    """The reader page for an article readers cannot see yet, marked as such.

    Same template and context as the live page, plus a banner; kept out of caches (the views
    are wrapped in `never_cache`) and out of search engines. The comment section shows no form
    for an unpublished article (comments/templatetags/comments.py).
    """

    banner = ""

    def get_banner_detail(self):
        return ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unpublished_banner=self.banner,
            unpublished_detail=self.get_banner_detail(),
            noindex=True,
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.is_published():
            return redirect(self.object)
        response = self.render_to_response(self.get_context_data(object=self.object))
        response["X-Robots-Tag"] = "noindex"
        return response


@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(UnpublishedArticleMixin, ArticleDetailView):
    """Staff preview of a draft, in-review or scheduled article, as readers will see it.

    Open to staff who may see the article in the admin (`visible_in_admin_to`); a live article
    sends them to its public page.
    """

    banner = "Preview — not published"

    def dispatch(self, request, *args, **kwargs):
        # The admin's own rule: active staff, with the two-factor code their account needs.
        if not admin.site.has_permission(request):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not can_view_articles(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Article.objects.visible_in_admin_to(self.request.user).with_page_relations()

    def get_banner_detail(self):
        if self.object.is_scheduled():
            when = formats.date_format(
                timezone.localtime(self.object.published_at), "DATETIME_FORMAT"
            )
            return f"Scheduled for {when}"
        return self.object.get_status_display()


@method_decorator(never_cache, name="dispatch")
class SharedArticleView(UnpublishedArticleMixin, ArticleDetailView):
    """An unpublished article, read-only, for whoever holds its review link
    (articles/review_links.py)."""

    banner = "Shared draft — not published"

    def get_banner_detail(self):
        return "Shared for review. Please do not pass this link on."

    def get_object(self, queryset=None):
        try:
            return review_links.article_for_token(
                self.kwargs["token"], Article.objects.with_page_relations()
            )
        except review_links.InvalidShareLink as error:
            raise Http404("This share link has ended or is not valid.") from error
