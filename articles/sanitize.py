"""The one HTML allow-list for article bodies.

Every `Article.save()` passes the body through `sanitize_html` before it is stored, so
templates may mark the stored body safe. Code that writes bodies without `save()`
(`QuerySet.update`, `bulk_create`) must call `sanitize_html` itself. Anything not
listed here is dropped: scripts, styles, event-handler attributes, `javascript:` URLs.
"""

import nh3

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


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
