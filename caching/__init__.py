"""What a cached page shows, and telling the caches when it changes.

The bottom layer, below `images`: every app may import it, it imports none of them. The page
cache itself (config/page_cache.py) stores anonymous readers' pages; this package holds the
vocabulary both sides share (`dependencies.py`):

- a view says what its page shows with `depends_on(request, "article-7", "author-3", …)`, and
  until when it stays right with `expires_at(request, when)`;
- the app owning a model says what changed with `changed("article-7", …)`, on commit: each key
  gets a new version in the cache, so every stored page that recorded an older one is a miss,
  and the front-cache hook `purge_keys` is told the same keys.

Keys are short, readable and never carry an address or a digest: `article-7`, `author-3`,
`tag-5`, `kind-2`, `list` (every list of all articles), `list-tag-5` (the articles carrying a
tag), `comments-7` (article 7's shown comments), `discussion`, `schedule`, `sitemap`.
"""
