"""schema.org `NewsArticle` data for an article page, as a JSON-LD script element.

Search engines read the headline, description, image (the featured image, else the site's share
image, with its size), publish and update
times, authors as `Person` (page, job title, `affiliation` Organization, profiles), the
publisher and the tags as keywords; every address is on `SITE_URL` (articles/links.py). The
JSON is escaped like Django's `json_script`, so no value (a title holding `</script>`) can
close the element.
"""

import json

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import social
from .links import absolute_url

# The same escapes as Django's json_script: nothing in the data can close the script element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def person(author):
    data = {
        "@type": "Person",
        "name": author.name,
        "url": absolute_url(author.get_absolute_url()),
    }
    if author.role:
        data["jobTitle"] = author.role
    if author.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": author.affiliation}
    if author.photo:
        data["image"] = absolute_url(author.photo.url)
    links = [url for _label, url in author.social_links]
    if links:
        data["sameAs"] = links
    return data


def publisher():
    data = {"@type": "Organization", "name": settings.SITE_NAME}
    if settings.SITE_LOGO_URL:
        data["logo"] = {"@type": "ImageObject", "url": settings.SITE_LOGO_URL}
    return data


def image_object(image):
    """The article's preview image (social.preview_image) as an `ImageObject`."""
    data = {"@type": "ImageObject", "url": image.url}
    if image.width and image.height:
        data.update(width=image.width, height=image.height)
    if image.caption:
        data["caption"] = image.caption
    return data


def news_article_data(article):
    """The `NewsArticle` as a dict. Needs the article's kind, bylines and tags prefetched."""
    url = absolute_url(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": social.description(article),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "inLanguage": social.language_tag(),
    }
    image = social.preview_image(article)
    if image:
        data["image"] = [image_object(image)]
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    data["dateModified"] = social.modified_at(article).isoformat()
    data["author"] = [person(author) for author in article.ordered_authors]
    data["publisher"] = publisher()
    data["keywords"] = [tag.name for tag in article.tags.all()]
    if article.kind_id:
        data["articleSection"] = article.kind.name
    return data


def news_article(article):
    """The `<script type="application/ld+json">` element for the article page."""
    payload = json.dumps(news_article_data(article), ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(_SCRIPT_ESCAPES)),
    )
