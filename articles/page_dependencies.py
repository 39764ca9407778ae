"""What the articles app's pages show, for the page cache (caching/dependencies.py).

Views call these while rendering; `invalidation.py` says when each key changes. A list shows,
for each article, its title, standfirst, image, kind and byline: `Article.cache_keys()`. A page
that lists articles also depends on who is in the list (`LIST`, or `listing_key(tag)`…) and on
the schedule: it is kept only until the next scheduled publication, when the list changes by
itself.
"""

from django.db.models import Min

from caching.dependencies import LIST, SCHEDULE, depends_on, listing_key, model_key, object_key

from .models import Article, Kind


def pager_key(article_id):
    """`pager-7`: which articles come before and after article 7 (its previous/next links)."""
    return f"pager-{article_id}"


def next_scheduled_publication():
    """When the next scheduled article goes live (None when none is scheduled)."""
    return Article.objects.scheduled().aggregate(next=Min("published_at"))["next"]


def shows_articles(request, articles, *, with_tags=False):
    """The page shows `articles` (as cards, feed entries, related links…)."""
    for article in articles:
        depends_on(request, *article.cache_keys(with_tags=with_tags))


def shows_list(request, articles, listing=None, *, with_tags=False):
    """The page lists `articles` from every live article (`listing` None), or from those of one
    tag, kind or author."""
    if listing is None:
        depends_on(request, LIST, SCHEDULE)
    else:
        depends_on(request, object_key(listing), listing_key(listing), SCHEDULE)
    shows_articles(request, articles, with_tags=with_tags)


def shows_article(request, article, *, related, previous, following):
    """The article page: the article with its tags, authors and kind; the related articles,
    found by its tags (so it depends on who carries them); the previous and next ones (which
    they are, and their titles)."""
    depends_on(request, SCHEDULE, pager_key(article.pk), *article.cache_keys(with_tags=True))
    depends_on(request, *(listing_key(tag) for tag in article.tags.all()))
    for other in related:
        depends_on(request, object_key(other), other.kind_id and model_key(Kind, other.kind_id))
    depends_on(request, *(object_key(other) for other in (previous, following) if other))
