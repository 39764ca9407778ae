"""sitemap.xml: the front page, live articles, and the tag, kind and author pages listing them.

Everything starts from `Article.objects.published()`, so a scheduled article joins the sitemap
the moment it goes live and a tag or author appears only once they have a live article.
`lastmod` is when the article (or, for a listing page, its latest live article) last changed.
Every location is on `SITE_URL` (`SiteSitemap`), whatever host the sitemap was asked on.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Max, Q
from django.urls import reverse

from authors.models import Author
from caching.dependencies import LIST, SCHEDULE, SITEMAP, depends_on

from .links import site_domain, site_scheme
from .models import Article, Kind, Tag


class SiteSitemap(Sitemap):
    """Locations on `SITE_URL` (articles/links.py), rather than on the host and scheme the
    sitemap view reads from the request."""

    def get_protocol(self, protocol=None):
        return site_scheme()

    def get_domain(self, site=None):
        return site_domain()


class HomeSitemap(SiteSitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class ArticleSitemap(SiteSitemap):
    priority = 0.8

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "updated_at", "published_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, article):
        return article.updated_at


class ListingSitemap(SiteSitemap):
    """The pages of the kinds or authors with a live article, by name; `lastmod` is when the
    latest-updated of their live articles changed. `articles` is the relation from one of
    `model` to its articles."""

    changefreq = "daily"
    model = None
    articles = None

    def items(self):
        return (
            self.model.objects.filter(**{f"{self.articles}__in": Article.objects.published()})
            .annotate(latest=Max(f"{self.articles}__updated_at"))
            .order_by("name")
        )

    def lastmod(self, listing):
        return listing.latest


class TagSitemap(ListingSitemap):
    priority = 0.5

    def items(self):
        # on_published_articles() filters by a subquery, not a join the Max could reuse.
        live = Q(tagged_articles__content_object__in=Article.objects.published())
        return (
            Tag.objects.on_published_articles()
            .annotate(latest=Max("tagged_articles__content_object__updated_at", filter=live))
            .order_by("name")
        )


class KindSitemap(ListingSitemap):
    priority = 0.6
    model = Kind
    articles = "articles"


class AuthorSitemap(ListingSitemap):
    changefreq = "weekly"
    priority = 0.5
    model = Author
    articles = "bylines__article"


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "kinds": KindSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def sitemap_view(request):
    """`/sitemap.xml`, marked for the page cache as showing every live article and listing."""
    depends_on(request, SITEMAP, LIST, SCHEDULE)
    return sitemap(request, sitemaps=SITEMAPS)
