"""Telling the front caches (Varnish with config/varnish/byline.vcl) what to drop.

The page cache (config/page_cache.py) marks every page a shared cache may keep with the
dependency keys of what it shows, in an `xkey` header. When something changes,
`caching.dependencies.changed()` announces its keys once the transaction has committed
(`purge_requested`); `purge` then sends `PURGE` to each address in `FRONT_CACHE_PURGE_URLS`
with the keys in an `xkey` header, and Varnish drops every page carrying any of them: exactly
the pages that showed what changed, nothing else.

The purge is sent at once, so the next reader sees the change. A front cache that does not
answer (restarting, unreachable) costs the change at most `FRONT_CACHE_PURGE_TIMEOUT` seconds,
and the purge is queued as a task (`purge_later`) that the worker sends again; until then the
pages concerned live no longer than their `s-maxage`.
"""

import datetime
import http.client
import logging
import urllib.parse

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task

from caching.dependencies import purge_requested

logger = logging.getLogger("byline.front_cache")

#: Keys per PURGE request: Varnish refuses request headers over 8 KB by default
#: (`http_req_hdr_len`); a key is at most a few dozen characters.
KEYS_PER_REQUEST = 100


class PurgeFailed(Exception):
    """A front cache did not confirm a purge."""


def send_purge(url, keys, *, timeout):
    """`PURGE url` with `keys` in the `xkey` header; PurgeFailed unless answered 200."""
    _send(url, "PURGE", {"xkey": " ".join(keys)}, timeout)


def _send(url, method, headers, timeout):
    parts = urllib.parse.urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, parts.path or "/", headers=headers)
        response = connection.getresponse()
        response.read()
    except OSError as error:
        raise PurgeFailed(f"{url}: {type(error).__name__}: {error}") from error
    finally:
        connection.close()
    if response.status != 200:
        raise PurgeFailed(f"{url} answered {response.status} {response.reason}")


def purge(keys, urls=None):
    """Send the purge of `keys` to every front cache; return the URLs that did not confirm."""
    urls = settings.FRONT_CACHE_PURGE_URLS if urls is None else urls
    keys = list(keys)
    failed = []
    for url in urls:
        try:
            for start in range(0, len(keys), KEYS_PER_REQUEST):
                send_purge(
                    url,
                    keys[start : start + KEYS_PER_REQUEST],
                    timeout=settings.FRONT_CACHE_PURGE_TIMEOUT,
                )
        except PurgeFailed as error:
            logger.warning("Front cache purge failed (%s); the worker will try again.", error)
            failed.append(url)
    return failed


def purge_everything(urls=None):
    """Ask every front cache to drop every page (after a release, whose templates or styles
    changed every page); return the URLs that did not confirm."""
    urls = settings.FRONT_CACHE_PURGE_URLS if urls is None else urls
    failed = []
    for url in urls:
        try:
            _send(url, "BAN", {}, settings.FRONT_CACHE_PURGE_TIMEOUT)
        except PurgeFailed as error:
            logger.warning("Front cache purge failed (%s).", error)
            failed.append(url)
    return failed


@receiver(purge_requested, dispatch_uid="config.front_cache.purge_now")
def purge_now(sender, keys, **kwargs):
    if not settings.FRONT_CACHE_PURGE_URLS:
        return
    failed = purge(keys)
    if failed:
        purge_later.enqueue(keys=list(keys), urls=failed)


@task()
def purge_later(keys, urls, attempt=1):
    """The purge again, for the front caches that did not confirm it (a few tries)."""
    failed = purge(keys, urls)
    if failed and attempt < 5:
        backend = purge_later.get_backend()
        if backend.supports_defer:
            later = timezone.now() + datetime.timedelta(seconds=10 * attempt)
            purge_later.using(run_after=later).enqueue(keys=keys, urls=failed, attempt=attempt + 1)
    if failed:
        raise PurgeFailed(f"not confirmed by {', '.join(failed)}")
    return len(keys)
