"""How many SQL queries each reader page may run, pinned (tests/articles/test_query_counts.py
proves it; other tests hold pages to the same budget). The counts do not depend on the number of
articles, comments, tags or authors.

Reader pages run outside a transaction (articles/views.py, PublishedArticlesMixin): no BEGIN and
COMMIT in production, no savepoint pair in tests (which ATOMIC_REQUESTS cost them before: 2 more
each).
"""

from django.test import override_settings

# Article page: article with kind, bylines with authors, tags, the authors' education (one query
# for all), previous and next article (one query: articles.models neighbours, 2 before),
# related articles with kinds, then the discussion settings and one page of the approved
# comments, with their counts (comments/pages.py; the template renders after the view).
ARTICLE_PAGE_QUERIES = 8
# List pages: a page of articles with kinds (one row more than shown, to know whether an older
# page exists: no count, keyset pagination, articles/pagination.py), bylines with authors, tags
# (+ the tag, or the author and their education). The same at any page of any length of list.
HOME_PAGE_QUERIES = 3
TAG_PAGE_QUERIES = 4
AUTHOR_PAGE_QUERIES = 5
# A page the page cache stores (config/page_cache.py) runs one more, after rendering: when the
# next scheduled article goes live, where its lifetime ends. A page served from the cache runs
# none.
PAGE_CACHE_STORE_QUERIES = 1

#: For tests counting what rendering a page costs (a miss, or every request with the caches
#: off): the page cache off, so that a second request is rendered again.
every_request_rendered = override_settings(PAGE_CACHE_SECONDS=0)
