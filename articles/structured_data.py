"""schema.org `NewsArticle` data for an article page, as a JSON-LD script element.

Search engines read the headline, description, image (the featured image, else the site's share
image, with its size), publish and update times, authors as `Person` (page, job title,
`affiliation` Organization with its address, degrees as `alumniOf` and `hasCredential`,
expertise as `knowsAbout`, profiles), the publisher and the tags as keywords; every address is
on `SITE_URL` (articles/links.py). The JSON is escaped like Django's `json_script`, so no value
(a title holding `</script>`) can close the element. The author page carries the same `Person`
as a `ProfilePage`.
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
        organization = {"@type": "Organization", "name": author.affiliation}
        if author.affiliation_url:
            organization["url"] = author.affiliation_url
        data["affiliation"] = organization
    data.update(credentials(author))
    if author.photo:
        data["image"] = absolute_url(author.photo.url)
    links = [url for _label, url in author.social_links]
    if links:
        data["sameAs"] = links
    return data


def credentials(author):
    """`alumniOf`, `hasCredential` and `knowsAbout` from the author's education and expertise
    (only those they have). Uses the prefetched `education` when present."""
    entries = list(author.education.all())
    data = {}
    institutions = list(dict.fromkeys(entry.institution for entry in entries))
    if institutions:
        data["alumniOf"] = [
            {"@type": "EducationalOrganization", "name": name} for name in institutions
        ]
        data["hasCredential"] = [credential(entry) for entry in entries]
    if author.expertise_areas:
        data["knowsAbout"] = author.expertise_areas
    return data


def credential(entry):
    """A degree as schema.org's EducationalOccupationalCredential, recognised by its
    institution; the field of study is what it is `about`."""
    data = {
        "@type": "EducationalOccupationalCredential",
        "credentialCategory": "degree",
        "name": f"{entry.degree} in {entry.field}" if entry.field else entry.degree,
        "recognizedBy": {"@type": "EducationalOrganization", "name": entry.institution},
    }
    if entry.field:
        data["about"] = {"@type": "Thing", "name": entry.field}
    if entry.year:
        data["dateCreated"] = str(entry.year)
    return data


def profile_page_data(author):
    """The author page as a `ProfilePage` whose main entity is the author's `Person`."""
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": absolute_url(author.get_absolute_url()),
        "mainEntity": person(author),
    }


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
    return script_element(news_article_data(article))


def profile_page(author):
    """The `<script type="application/ld+json">` element for the author page."""
    return script_element(profile_page_data(author))


def script_element(data):
    payload = json.dumps(data, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(_SCRIPT_ESCAPES)),
    )
