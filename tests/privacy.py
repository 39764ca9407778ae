"""Finding an email address in what the site sends, in every form it could take.

Shared by the privacy tests (tests/test_email_privacy.py, tests/test_address_never_leaks.py,
tests/test_address_hidden_from_staff.py, …): `leaks` looks for each address in a response's
body, headers and cookies; `same_origin_links` lists the links a crawl follows.
"""

import hashlib
from html.parser import HTMLParser
from urllib.parse import quote, quote_plus, urljoin, urlsplit

from django.http import HttpResponse

from comments.commenters import avatars
from comments.commenters.privacy import digest

ORIGIN = "http://testserver"
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")


def needles(address):
    """Every form in which `address` must not appear, lowercased, labelled."""
    normalised = address.strip().lower()
    local_part = normalised.split("@", 1)[0]
    forms = {
        "address": normalised,
        "local part": local_part,
        "url-encoded": quote(normalised, safe="").lower(),
        "form-encoded": quote_plus(normalised).lower(),
        "html entity @": normalised.replace("@", "&#64;"),
        "html entity + @": normalised.replace("+", "&#43;").replace("@", "&#64;"),
        "json/js escaped @": normalised.replace("@", "\\u0040"),
    }
    for variant in {normalised, address.strip()}:
        for algorithm in ("md5", "sha1", "sha256"):
            forms[f"{algorithm} of {variant}"] = hashlib.new(
                algorithm, variant.encode()
            ).hexdigest()
    # Byline's own keyed values never leave the server either.
    forms["lookup digest"] = digest(address)
    # The value an address's avatar is drawn from, stored with the comments its owner proved.
    forms["avatar value"] = avatars.address_key(digest(address))
    return forms


def leaks(response, addresses):
    """`[(address, form, where), ...]` for each address found in the response."""
    parts = {
        "body": response.content.decode("utf-8", "replace").lower(),
        "headers": "\n".join(f"{k}: {v}" for k, v in response.items()).lower(),
        "cookies": response.cookies.output().lower(),
    }
    found = []
    for address in addresses:
        for label, needle in needles(address).items():
            for where, text in parts.items():
                if needle in text:
                    found.append((address, label, where))
    return found


def text_leaks(text, addresses):
    """`leaks` in a text that is not a response (a log, a mail, a task row)."""
    return leaks(HttpResponse(text), addresses)


class LinkParser(HTMLParser):
    """The links a crawl follows from a page (`links`): anchors, link tags, GET forms."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link", "area") and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.links.append(attrs.get("action") or "")


def same_origin_links(page_url, content):
    parser = LinkParser()
    parser.feed(content)
    parser.close()
    links = []
    for href in parser.links:
        absolute = urljoin(ORIGIN + page_url, href.strip())
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
            continue
        if parts.path.startswith(SKIPPED_PREFIXES):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links
