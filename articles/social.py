"""How an article travels beyond the site: what link previews read, and the links readers
share it with.

Link previews read the meta description, OpenGraph and Twitter card tags.
`article_tags()` describes an article (og:type article, its preview image with its size,
publish and update times, authors, section and tags); `page_tags()` describes any other page
(og:type website, the site's share image). Both return `(attribute, name, content)` triples that
`templates/includes/social_meta.html` writes as `<meta>` elements, so every value is escaped
by the template engine. Every address in them is on `SITE_URL` (articles/links.py), whatever
host the request came in on. structured_data.py shares `description()` and `preview_image()`.

Every page has a preview image, so that a link pasted into a chat or a post shows a picture and
a large card (`twitter:card` `summary_large_image`): an article's featured image, else the
site's share image (`SITE_SHARE_IMAGE`: an absolute URL, or a static path, by default the card
articles/share_image.py draws with the site's name). `preview_image()` makes that choice.

`share_links()` are the links readers use to pass an article on: plain addresses, no
third-party script or widget. Each network's own share address is opened only if the reader
follows the link, so nothing is loaded from it and no reader is tracked by merely reading. (Not
to be confused with articles/review_links.py, the signed links editors send to outside reviewers
of a draft.)
"""

import functools
import mimetypes
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from django.utils.text import Truncator
from PIL import Image

from .links import absolute_url
from .sanitize import plain_text

DESCRIPTION_CHARS = 300
# Preview cards are drawn at most about 1200 px wide; the widest rendition up to this is used.
PREVIEW_IMAGE_MAX_WIDTH = 1600


@dataclass(frozen=True)
class PreviewImage:
    url: str
    width: int | None  # None when unknown: an image elsewhere, named by its URL
    height: int | None
    mime_type: str | None
    alt: str
    caption: str = ""


def description(article):
    """The standfirst, or the opening of the body when there is none."""
    text = article.standfirst or plain_text(article.body)
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)


def featured_image(article):
    """The article's image for previews, with its size, or None.

    The widest JPEG rendition up to `PREVIEW_IMAGE_MAX_WIDTH` (JPEG is what every preview
    crawler reads), else the original as uploaded.
    """
    if not article.featured_image:
        return None
    picture = article.featured_picture
    jpegs = [
        file
        for file in picture.files
        if file["format"] == "jpeg" and file["width"] <= PREVIEW_IMAGE_MAX_WIDTH
    ]
    if jpegs:
        best = max(jpegs, key=lambda file: file["width"])
        url = article.featured_image.storage.url(best["name"])
        width, height, mime_type = best["width"], best["height"], "image/jpeg"
    else:
        image = article.featured_image
        try:
            width, height = image.width, image.height
        except (OSError, ValueError):
            # The file is missing from storage: better no preview image than a broken page.
            return None
        url = image.url
        mime_type = mimetypes.guess_type(image.name)[0] or "image/jpeg"
    return PreviewImage(
        url=absolute_url(url),
        width=width,
        height=height,
        mime_type=mime_type,
        alt=article.featured_image_alt,
        caption=article.featured_image_caption,
    )


def preview_image(article=None):
    """The image a link preview of the page shows: the article's featured image, else the
    site's share image. None only when neither can be given."""
    return (article and featured_image(article)) or site_image()


def site_image():
    """`SITE_SHARE_IMAGE`, with its size when it is one of the site's static files."""
    value = settings.SITE_SHARE_IMAGE
    if not value:
        return None
    width = height = None
    if urlsplit(value).scheme or value.startswith("//"):
        url = value
    else:
        try:
            url = static(value)
        except ValueError:
            # Missing from the static files' manifest (articles.W001 says so at start): better
            # no preview image than a broken page.
            return None
        width, height = static_image_size(value)
    return PreviewImage(
        url=absolute_url(url),
        width=width,
        height=height,
        mime_type=mimetypes.guess_type(urlsplit(value).path)[0],
        alt=settings.SITE_NAME,
    )


@functools.lru_cache(maxsize=8)
def static_image_size(path):
    """(width, height) of the static image at `path`, or (None, None) when it cannot be read.

    Read once per process: static files change only with a deployment."""
    try:
        found = finders.find(path)
        file = open(found, "rb") if found else staticfiles_storage.open(path)  # noqa: SIM115
        with file, Image.open(file) as image:
            return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, None


def image_tags(image):
    """The OpenGraph and Twitter tags of a preview image, and the large card it allows."""
    if image is None:
        return [], [("name", "twitter:card", "summary")]
    og = [("property", "og:image", image.url)]
    if image.mime_type:
        og.append(("property", "og:image:type", image.mime_type))
    if image.width and image.height:
        og += [
            ("property", "og:image:width", str(image.width)),
            ("property", "og:image:height", str(image.height)),
        ]
    og.append(("property", "og:image:alt", image.alt))
    twitter = [
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:image", image.url),
        ("name", "twitter:image:alt", image.alt),
    ]
    return og, twitter


def language_tag(separator="-"):
    """The site's language as BCP 47 ("en-GB"), or with "_" as OpenGraph's locale."""
    language, _, region = settings.LANGUAGE_CODE.partition("-")
    return f"{language}{separator}{region.upper()}" if region else language


def _common(title, text, url, og_type):
    return [
        ("property", "og:type", og_type),
        ("property", "og:site_name", settings.SITE_NAME),
        ("property", "og:locale", language_tag("_")),
        ("property", "og:title", title),
        ("property", "og:description", text),
        ("property", "og:url", url),
    ]


def page_tags(title, text, url):
    """Tags for a page that is not an article: the home page, a tag, author or kind page."""
    og_image, twitter_image = image_tags(site_image())
    return [
        ("name", "description", text),
        *_common(title, text, url, "website"),
        *og_image,
        ("name", "twitter:title", title),
        ("name", "twitter:description", text),
        *twitter_image,
    ]


def article_tags(article):
    """Tags for an article page. Needs the article's kind, bylines and tags prefetched."""
    text = description(article)
    url = absolute_url(article.get_absolute_url())
    og_image, twitter_image = image_tags(preview_image(article))
    tags = [
        ("name", "description", text),
        *_common(article.title, text, url, "article"),
        *og_image,
    ]
    if article.published_at:
        tags.append(("property", "article:published_time", article.published_at.isoformat()))
    tags.append(("property", "article:modified_time", modified_at(article).isoformat()))
    tags += [
        ("property", "article:author", absolute_url(author.get_absolute_url()))
        for author in article.ordered_authors
    ]
    if article.kind_id:
        tags.append(("property", "article:section", article.kind.name))
    tags += [("property", "article:tag", tag.name) for tag in article.tags.all()]
    tags += [
        ("name", "twitter:title", article.title),
        ("name", "twitter:description", text),
        *twitter_image,
    ]
    return tags


def modified_at(article):
    """When the article last changed for readers: never before it was published."""
    if article.published_at and article.published_at > article.updated_at:
        return article.published_at
    return article.updated_at


# SHARE LINKS
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


def share_links(url, title):
    """Share links for the article at the absolute `url`, in the order the page lists them."""

    def encoded(params):
        return urlencode(params, quote_via=quote)

    return [
        ShareLink(
            "email",
            "Email",
            "mailto:?" + encoded({"subject": title, "body": f"{title}\n\n{url}"}),
        ),
        ShareLink(
            "x", "X (Twitter)", "https://x.com/intent/tweet?" + encoded({"url": url, "text": title})
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + encoded({"url": url}),
        ),
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + encoded({"u": url}),
        ),
    ]
