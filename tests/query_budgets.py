"""How many SQL queries each reader page may run, pinned (tests/articles/test_query_counts.py
proves it; other tests hold pages to the same budget)."""

# Pinned from observation. Article page: savepoint + release (ATOMIC_REQUESTS), article with
# kind, bylines with authors, tags, the authors' education (one query for all: issue 12's
# credentials, 10 before), related articles with kinds, previous and next article, then
# approved comments and the discussion settings (the template renders after the view's
# transaction is released). List pages: savepoint + release, count, a page of articles with
# kinds, bylines with authors, tags (+ the tag, or the author and their education: 7 before).
#
# A page the page cache stores (config/page_cache.py) and that lists articles runs one more,
# after rendering: when the next scheduled article goes live, where its lifetime ends. Not the
# article page while its comment form carries a CSRF token: it is not stored.
PAGE_CACHE_STORE_QUERIES = 1
ARTICLE_PAGE_QUERIES = 11
HOME_PAGE_QUERIES = 6 + PAGE_CACHE_STORE_QUERIES
TAG_PAGE_QUERIES = 7 + PAGE_CACHE_STORE_QUERIES
AUTHOR_PAGE_QUERIES = 8 + PAGE_CACHE_STORE_QUERIES
