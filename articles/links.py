"""Absolute addresses on the public site: built on `SITE_URL`, never on the request.

A request's Host header is whichever of `ALLOWED_HOSTS` the client chose (www or the bare
domain, an internal host editors reach the admin on), and its scheme is whatever reached
Django behind the proxy. An address built from them differs from
request to request, shows internal host names to readers, crawlers and mail readers, and a
shared cache would keep whichever host asked first. So every absolute address the site gives
out is made here: canonical links, preview tags and structured data, feeds, the sitemap and
robots.txt, editors' share links and every link in a message (comments/commenters/selfservice.py).

Inside the site, links stay root-relative (`/articles/…`), article bodies included: the
inline image page offers `/media/…` addresses, the sanitiser stores an address on one of the
site's own hosts without its origin (`site_relative`), and feeds make them absolute here.
"""

from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.utils.encoding import iri_to_uri


def site_origin():
    """`SITE_URL` without a trailing slash: `https://news.example`."""
    return settings.SITE_URL.rstrip("/")


def site_scheme():
    return urlsplit(settings.SITE_URL).scheme


def site_domain():
    """The host (and port, if any) of `SITE_URL`: `news.example`."""
    return urlsplit(settings.SITE_URL).netloc


def absolute_url(url):
    """`url` (a path such as `/articles/x/`, or a storage URL) on the public site.

    An address that is already absolute (media served from a CDN) is kept; non-ASCII
    characters are percent-encoded, as `HttpRequest.build_absolute_uri` does.
    """
    return iri_to_uri(urljoin(site_origin() + "/", url))


DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_and_port(parts):
    """(host, port) of a split address; no port when it is the scheme's default."""
    try:
        port = parts.port
    except ValueError:
        return None
    if port == DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None
    return (parts.hostname or "", port)


def site_hosts():
    """The hosts this site answers on, as (host, port) pairs: `SITE_URL`'s, and each host
    `ALLOWED_HOSTS` names exactly on its default port. A wildcard entry (`.example.org`, `*`) is
    left out: it may cover other sites."""
    hosts = {_host_and_port(urlsplit(settings.SITE_URL))}
    for entry in settings.ALLOWED_HOSTS:
        entry = entry.strip().lower()
        if entry and not entry.startswith((".", "*")):
            hosts.add((entry.strip("[]"), None))
    return hosts


def site_relative(url):
    """`url` without its origin when it points at this site (`site_hosts()`), so that it works
    on every host the site answers on and names none: `https://admin.internal/media/a.png`
    becomes `/media/a.png`. Any other address is returned as it is."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # an unbalanced "[" in the host
        return url
    if parts.scheme.lower() not in ("http", "https", "") or not parts.netloc:
        return url
    if "@" in parts.netloc or _host_and_port(parts) not in site_hosts():
        return url
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
