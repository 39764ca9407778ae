"""Byline's page cache: anonymous readers' pages served from the Django cache.

`PageCacheMiddleware` stores the reader pages named in `CACHEABLE_VIEWS` (articles, home, tag,
kind, author and archive pages, the feeds, the sitemap) as rendered for a reader who holds
nothing of their own, and serves them again without running the view, the session, CSRF,
authentication or messages middleware, and without a single SQL query, for as long as nothing
they show has changed (caching/dependencies.py). `CACHE_URL=dummycache://` turns it off.

Never cached, never served from the cache:

- any method but GET and HEAD; any query string but `page=<number>`;
- a request carrying the session cookie (staff), the saved-details cookie, the commenter's
  proof cookie or a messages cookie (the page right after posting says "awaiting moderation");
- a response that is not a 200, sets a cookie, varies on Cookie (it used the CSRF token, for a
  comment form with its reader's token, or read the session), is marked personal
  (`remember.mark_personal`) or private/no-store/no-cache, or whose view recorded nothing it
  shows.

Each stored page gets `Cache-Control: public, max-age=0, s-maxage=<lifetime>` and the header
`PAGE_CACHE_KEYS_HEADER` (`xkey` by default) listing its dependency keys, for a front cache; its
lifetime is `PAGE_CACHE_SECONDS` at most, and ends at the next scheduled publication for pages
listing articles, when an article's comments close, and after `PROCESS_LOCAL_SECONDS` with a
cache local to each process (another process's changes cannot reach it). An `ETag` and a
`Last-Modified` go with it, and a reader whose copy is still the same gets a 304, from the
cache or the render (with the cache off, from the render's `ETag`).
"""

import functools
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    has_vary_header,
    patch_cache_control,
    set_response_etag,
)
from django.utils.http import http_date, parse_http_date_safe

from articles import pagination
from articles.page_dependencies import next_scheduled_publication
from caching import dependencies
from comments.commenters import remember, verification

#: URL names of the pages kept in the cache.
CACHEABLE_VIEWS = frozenset(
    {
        "articles:list",
        "articles:detail",
        "comment_pages:page",
        "articles:tag",
        "articles:kind",
        "articles:archive",
        "articles:year",
        "articles:month",
        "articles:feed",
        "articles:atom_feed",
        "articles:tag_feed",
        "articles:tag_atom_feed",
        "articles:author_feed",
        "articles:author_atom_feed",
        "articles:kind_feed",
        "articles:kind_atom_feed",
        "authors:detail",
        "comments:feed",
        "comments:atom_feed",
        "sitemap",
    }
)

#: The only query parameters a cached page may be asked with: a list's cursor to a later page
#: (articles/pagination.py), one of them, with one well-formed value.
PAGE_PARAMETERS = (pagination.BEFORE, pagination.AFTER)

#: With a cache each process keeps for itself (local memory), a change made in another process
#: (the background worker, a management command, another server) does not reach this one's
#: pages: they are kept this long at most.
PROCESS_LOCAL_SECONDS = 60

UNCACHEABLE_CONTROL = {"private", "no-store", "no-cache"}

#: How many pages' dependency keys a process remembers before starting afresh.
KNOWN_KEYS_LIMIT = 20_000


def private_cookie_names():
    """Cookies that make a request its reader's own: with any of them the cache is not used."""
    return {
        settings.SESSION_COOKIE_NAME,
        remember.COOKIE_NAME,
        verification.PROOF_COOKIE,
        CookieStorage.cookie_name,
    }


#: The files whose contents make a release, for `deploy_version`: code, templates, styles.
DEPLOYED_SUFFIXES = {".py", ".html", ".txt", ".xml", ".css", ".js", ".svg", ".png"}


@functools.cache
def release_version():
    """Changes with every release (code, templates, static files). Read from the files'
    contents, not their times, so that every server of one release agrees; once per process."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    folders = (
        "templates",
        "static",
        "config",
        "comments",
        "articles",
        "authors",
        "images",
        "caching",
    )
    for folder in folders:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in DEPLOYED_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


#: The settings pages show: a change of any of them is a new version of every page.
SHOWN_SETTINGS = (
    "SITE_NAME",
    "SITE_TAGLINE",
    "SITE_URL",
    "SITE_LOGO_URL",
    "SITE_SHARE_IMAGE",
    "FEED_FULL_TEXT",
    "ARTICLES_PER_PAGE",
    "COMMENT_MAX_LENGTH",
    "STATIC_URL",
    "MEDIA_URL",
)


def deploy_version():
    """The release and the settings pages show, so that a new release or configuration never
    serves pages rendered by the old one. The settings are read each time (a few attribute
    reads), so that a changed setting counts at once."""
    shown = repr([getattr(settings, name, None) for name in SHOWN_SETTINGS])
    return hashlib.sha256(f"{release_version()}{shown}".encode()).hexdigest()[:12]


@dataclass
class CachedPage:
    versions: dict
    status: int
    headers: list
    content: bytes
    expires: float  # time.time() when the page stops being served

    def response(self):
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response.headers[name] = value
        remaining = max(0, int(self.expires - time.time()))
        set_shared_lifetime(response, remaining)
        response.headers["X-Page-Cache"] = "hit"
        return response


def conditional(request, response):
    """`response`, or a 304 when the reader's copy is still the same (If-None-Match,
    If-Modified-Since), as Django's ConditionalGetMiddleware answers."""
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


def set_shared_lifetime(response, seconds):
    """`Cache-Control: public, max-age=0, s-maxage=<seconds>`: browsers check again each time
    (a 304 costs little), shared caches keep the page for `seconds`."""
    if "Cache-Control" in response.headers:
        del response.headers["Cache-Control"]
    patch_cache_control(response, public=True, max_age=0, s_maxage=seconds)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.private_cookies = private_cookie_names()
        #: page key → its dependency keys, as last found: lets a hit be one cache round trip.
        self.known_keys = {}

    def __call__(self, request):
        if not self.may_use_cache(request):
            return self.get_response(request)
        request.get_host()  # an unknown Host is refused (400) here as everywhere else
        caching = dependencies.cache_enabled()
        if caching:
            key = self.page_key(request)
            page, generation_before = self.cached_page(key)
            if page is not None:
                return conditional(request, page.response())
        response = self.get_response(request)
        if not self.may_store(request, response):
            return response
        if not response.has_header("ETag"):
            set_response_etag(response)
        if caching and request.method == "GET":
            self.store(key, request, response, generation_before)
        return conditional(request, response)

    # The request -------------------------------------------------------------------------

    def may_use_cache(self, request):
        if request.method not in ("GET", "HEAD"):
            return False
        if not self.private_cookies.isdisjoint(request.COOKIES):
            return False
        if request.GET:
            names = list(request.GET)
            if len(names) != 1 or names[0] not in PAGE_PARAMETERS:
                return False
            values = request.GET.getlist(names[0])
            if len(values) != 1 or not pagination.CURSOR_PATTERN.fullmatch(values[0]):
                return False
        return True

    def page_key(self, request):
        path = request.path
        for name in PAGE_PARAMETERS:
            if name in request.GET:
                path = f"{path}?{name}={request.GET[name]}"
        if len(path) > 180:
            path = hashlib.sha256(path.encode()).hexdigest()
        return f"pagecache:page:{deploy_version()}:{path}"

    def cached_page(self, key):
        """`(page, generation)`: the page stored under `key` if it is still right, else None;
        and the generation now (for a render that follows).

        The page and the current versions of its keys are read in one round trip when this
        process already knows which keys the page has (`known_keys`), else in two.
        """
        known = self.known_keys.get(key, ())
        page, current = dependencies.get_with_versions(key, known)
        if page is None or page.expires <= time.time():
            return None, current[None]
        if set(page.versions) != set(known):
            current = dependencies.versions(page.versions)
            if len(self.known_keys) >= KNOWN_KEYS_LIMIT:
                self.known_keys.clear()
            self.known_keys[key] = tuple(page.versions)
        if any(current.get(dep) != version for dep, version in page.versions.items()):
            return None, current[None]
        return page, current[None]

    # The response ------------------------------------------------------------------------

    def may_store(self, request, response):
        match = request.resolver_match
        if match is None or match.view_name not in CACHEABLE_VIEWS:
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        # A page that used the CSRF token (a comment form with its reader's token) or read
        # the session says so with `Vary: Cookie` (and sets the CSRF cookie): it is someone's.
        if has_vary_header(response, "Cookie") or getattr(request, "shows_personal_details", False):
            return False
        control = {
            directive.split("=")[0].strip().lower()
            for directive in cc_delim_re.split(response.headers.get("Cache-Control", ""))
        }
        if control & UNCACHEABLE_CONTROL:
            return False
        return bool(dependencies.recorded(request))

    def lifetime(self, request):
        """Seconds the page may be kept: the configured lifetime, shortened to the next moment
        it would change by itself (a scheduled publication, comments closing)."""
        seconds = settings.PAGE_CACHE_SECONDS
        if isinstance(dependencies.cache(), LocMemCache):
            seconds = min(seconds, PROCESS_LOCAL_SECONDS)
        ends = [getattr(request, "page_expires_at", None)]
        if dependencies.SCHEDULE in dependencies.recorded(request):
            ends.append(next_scheduled_publication())
        now = timezone.now()
        for end in ends:
            if end is not None:
                seconds = min(seconds, int((end - now).total_seconds()))
        return seconds

    def store(self, key, request, response, generation_before):
        keys = sorted(dependencies.recorded(request))
        versions = dependencies.versions_to_store(keys)
        if versions.pop(None) != generation_before or len(versions) != len(keys):
            return  # something changed while the page was rendered: it may be older already
        seconds = self.lifetime(request)
        if seconds < 1:
            return
        if not response.has_header("Last-Modified"):
            response.headers["Last-Modified"] = http_date()
        response.headers[settings.PAGE_CACHE_KEYS_HEADER] = " ".join(keys)
        set_shared_lifetime(response, seconds)
        page = CachedPage(
            versions=versions,
            status=response.status_code,
            headers=list(response.headers.items()),
            content=response.content,
            expires=time.time() + seconds,
        )
        dependencies.cache().set(key, page, seconds)
        response.headers["X-Page-Cache"] = "miss"
