"""How many SQL queries each reader page may run, pinned (tests/articles/test_query_counts.py
proves it; other tests hold pages to the same budget). The counts do not depend on the number of
articles, comments, tags or authors.

Reader pages run outside a transaction (articles/views.py, PublishedArticlesMixin): no BEGIN and
COMMIT in production, no savepoint pair in tests (which ATOMIC_REQUESTS cost them before: 2 more
each).
"""

# Article page: article with kind, bylines with authors, tags, the authors' education (one query
# for all), previous and next article (one query: articles.models neighbours, 2 before),
# related articles with kinds, then the discussion settings and one page of the approved
# comments, with their counts (comments/pages.py; the template renders after the view).
ARTICLE_PAGE_QUERIES = 8
# List pages: count, a page of articles with kinds, bylines with authors, tags (+ the tag, or
# the author and their education).
HOME_PAGE_QUERIES = 4
TAG_PAGE_QUERIES = 5
AUTHOR_PAGE_QUERIES = 6
