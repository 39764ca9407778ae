"""The one HTML allow-list for article bodies.

Every `Article.save()` passes the body through `sanitize_html` before it is stored, so
templates may mark the stored body safe. Code that writes bodies without `save()`
(`QuerySet.update`, `bulk_create`) must call `sanitize_html` itself. Anything not
listed here is dropped: scripts, styles, event-handler attributes, `javascript:` URLs.

Text pasted from Word also loses what only Word understands: conditional comments, the fake
list bullets in `<![if !supportLists]>` blocks, `mso-` styles, `<o:p>` and the empty
`&nbsp;` paragraphs it uses for spacing, so it arrives as plain paragraphs.

An address on one of the site's own hosts (an image or article link copied while browsing an
internal host) is stored root-relative (`articles.links.site_relative`), so a published body
never names a host and works on every one the site answers on.
"""

import html as html_entities
import re

import nh3
from django.utils.html import strip_tags

from .links import site_relative

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li",
    "a", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark", "abbr", "cite", "q",
    "blockquote", "figure", "figcaption", "img",
    "hr", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}

ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "cite"}

# Word's "downlevel-revealed" blocks hold the bullets and numbers it draws by hand for lists.
WORD_LIST_MARKERS = re.compile(r"<!\[if !support\w*\]>.*?<!\[endif\]>", re.IGNORECASE | re.DOTALL)
EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\xa0|<br>)*</p>")
PARAGRAPH_EDGE_SPACE = re.compile(r"(?<=<p>)\s+|\s+(?=</p>)")


def _site_addresses_relative(tag, attribute, value):
    return site_relative(value) if attribute in URL_ATTRIBUTES else value


def sanitize_html(html: str) -> str:
    html = WORD_LIST_MARKERS.sub("", html or "")
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_site_addresses_relative,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return PARAGRAPH_EDGE_SPACE.sub("", EMPTY_PARAGRAPH.sub("", html)).strip()


def plain_text(html: str) -> str:
    """The text a reader sees in `html`, as one line: tags dropped, entities decoded, every run
    of white space (a line break, a non-breaking space) made one space.

    Each tag counts as a space, so `<p>One</p><p>Two</p>` reads "One Two", not "OneTwo". This is
    the one place HTML becomes plain text: the word count, feed and link-preview summaries and
    search snippets all read it, so they agree on what the words of an article are.
    """
    return " ".join(html_entities.unescape(strip_tags((html or "").replace("<", " <"))).split())


def has_content(html: str) -> bool:
    """Whether sanitised HTML shows anything: text, or an image (an editor's empty `<p></p>`
    does not count)."""
    return bool(plain_text(html)) or "<img" in html
