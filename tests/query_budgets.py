"""How many SQL queries each reader page may run, pinned (tests/articles/test_query_counts.py
proves it; other tests hold pages to the same budget)."""

# Pinned from observation. Article page: savepoint + release (ATOMIC_REQUESTS), article with
# kind, bylines with authors, tags, the authors' education (one query for all: issue 12's
# credentials, 10 before), related articles with kinds, previous and next article, then
# approved comments and the discussion settings (the template renders after the view's
# transaction is released). List pages: savepoint + release, a page of articles with kinds
# (one row more than shown, to know whether an older page exists: no count, issue 13's keyset
# pagination, articles/pagination.py), bylines with authors, tags (+ the tag, or the author and
# their education: 7 before). The same at any page of any length of list.
ARTICLE_PAGE_QUERIES = 11
HOME_PAGE_QUERIES = 5
TAG_PAGE_QUERIES = 6
AUTHOR_PAGE_QUERIES = 7
