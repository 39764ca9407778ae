"""Dependency keys: what a cached page shows, and the versions that make it stale.

Each key has a version in the cache (`VERSION_PREFIX + key`, a random token, kept without
expiry). A page is stored with the versions of its keys as they were when it was rendered and
served only while every one is unchanged (one `get_many`). `changed()` gives each key a new
version, so the pages that showed it are dropped, exactly those, whichever process stored
them; the others stay. It bumps at once and again when the transaction commits: a page
rendered between the two from data the transaction had not committed yet is dropped by the
second bump. It also moves the generation (`GENERATION_KEY`): a page whose render saw the
generation move is not stored at all, since it may show data older than its versions.
"""

import logging
import secrets
from functools import partial

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import connection, transaction
from django.dispatch import Signal

logger = logging.getLogger("byline.page_cache")

#: Every list of all live articles: home and its pages, the archives, the site feeds.
LIST = "list"
#: Pages listing articles, whose lifetime ends at the next scheduled publication: dropped when
#: an article is scheduled, moved or taken out of the schedule.
SCHEDULE = "schedule"
#: The discussion settings (thread depth, when comments close, the form's limits).
DISCUSSION = "discussion"
#: The sitemap: every live article's address and lastmod, and the tag, kind and author pages.
SITEMAP = "sitemap"

VERSION_PREFIX = "pagecache:dep:"
GENERATION_KEY = "pagecache:generation"

#: Sent with `keys` (a tuple of dependency keys) whenever they change, after commit: connect a
#: receiver to purge a front cache (Varnish xkey, say) of the pages carrying any of them.
purge_requested = Signal()


def model_key(model, pk):
    """`article-7`: the key of one row, by its model's name (`Article` → `article`)."""
    return f"{model._meta.model_name}-{pk}"


def object_key(instance):
    return model_key(type(instance), instance.pk)


def listing_key(instance):
    """`list-tag-5`: the articles a tag, kind or author lists (who is in it, in what order)."""
    return f"list-{object_key(instance)}"


def model_listing_key(model, pk):
    return f"list-{model_key(model, pk)}"


def comments_key(article_id):
    """`comments-7`: the comments article 7 shows (and its comment feeds)."""
    return f"comments-{article_id}"


def cache():
    return caches["default"]


def cache_enabled():
    """False with a cache that keeps nothing (`CACHE_URL=dummycache://`), or with
    `PAGE_CACHE_SECONDS=0`: no page is cached."""
    return settings.PAGE_CACHE_SECONDS > 0 and not isinstance(cache(), DummyCache)


# What a page shows: recorded on the request while the view renders it -----------------------


def depends_on(request, *keys):
    """Record that the page answering `request` shows what `keys` name."""
    if request is None:
        return
    request.__dict__.setdefault("page_dependencies", set()).update(key for key in keys if key)


def expires_at(request, when):
    """Record that the page answering `request` is right only until `when` (a datetime)."""
    if request is None or when is None:
        return
    current = getattr(request, "page_expires_at", None)
    request.page_expires_at = when if current is None else min(current, when)


def recorded(request):
    """The keys recorded for `request` (a set, empty when the view recorded none)."""
    return getattr(request, "page_dependencies", set())


# Versions ----------------------------------------------------------------------------------


def _new_version():
    return secrets.token_hex(4)


def generation():
    """The current generation (None before the first change this cache has seen)."""
    return cache().get(GENERATION_KEY)


def versions(keys):
    """`{key: version}` for those of `keys` the cache holds, and the generation under None."""
    names = {VERSION_PREFIX + key: key for key in keys}
    found = cache().get_many([*names, GENERATION_KEY])
    result = {names[name]: value for name, value in found.items() if name in names}
    result[None] = found.get(GENERATION_KEY)
    return result


def get_with_versions(name, keys):
    """The cache's value for `name` (None when absent) and `versions(keys)`, in one call."""
    names = {VERSION_PREFIX + key: key for key in keys}
    found = cache().get_many([name, *names, GENERATION_KEY])
    result = {names[each]: value for each, value in found.items() if each in names}
    result[None] = found.get(GENERATION_KEY)
    return found.get(name), result


def versions_to_store(keys):
    """`versions(keys)`, giving a first version to each key that has none yet."""
    current = versions(keys)
    for key in keys:
        if key not in current:
            version = _new_version()
            if cache().add(VERSION_PREFIX + key, version, timeout=None):
                current[key] = version
    return current


def _bump(keys):
    if not cache_enabled():
        return
    cache().set_many(
        {**{VERSION_PREFIX + key: _new_version() for key in keys}, GENERATION_KEY: _new_version()},
        timeout=None,
    )


def commit_changes(keys):
    """`changed()`'s second half, once the transaction committed: bump again, then purge."""
    _bump(keys)
    purge_keys(keys)


def changed(*keys):
    """Drop every cached page showing any of `keys`, now and when the transaction commits, and
    ask the front cache to do the same (`purge_keys`, after commit)."""
    keys = tuple(sorted({key for key in keys if key}))
    if not keys:
        return
    _bump(keys)
    if connection.in_atomic_block:
        transaction.on_commit(partial(commit_changes, keys), robust=True)
    else:
        purge_keys(keys)


def purge_keys(keys):
    """The front-cache hook: for now the keys are logged and announced (`purge_requested`);
    a Varnish xkey purge plugs in as a receiver."""
    logger.info("Page cache: purge %s", " ".join(keys))
    purge_requested.send(sender=None, keys=tuple(keys))
