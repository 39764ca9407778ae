"""Absolute addresses on the public site: built on `SITE_URL`, never on the request.

A request's Host header is whichever of `ALLOWED_HOSTS` the client used (www or the bare
domain, an internal host editors reach the admin on, or one a sender of mail chose), and its
scheme is whatever reached Django behind the proxy. An address built from them differs from
request to request, shows internal host names to readers, crawlers and mail readers, and a
shared cache would keep whichever host asked first. So every absolute address the site gives
out is made here: canonical links, preview tags and structured data, feeds, the sitemap and
robots.txt, editors' share links and every link in a message (comments/selfservice.py).

Inside the site, links stay root-relative (`/articles/…`), article bodies included: the
inline image page offers `/media/…` addresses, and feeds make them absolute here.
"""

from urllib.parse import urljoin, urlsplit

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
