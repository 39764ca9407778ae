"""schema.org `NewsArticle` data for an article page, as a JSON-LD script element."""

import json

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

# The same escapes as Django's json_script: nothing in the data can close the script element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def news_article(article, request):
    def absolute(url):
        return request.build_absolute_uri(url)

    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.standfirst,
        "url": absolute(article.get_absolute_url()),
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat() if article.updated_at else None,
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": absolute(author.get_absolute_url()),
                **({"jobTitle": author.role} if author.role else {}),
                **(
                    {"affiliation": {"@type": "Organization", "name": author.affiliation}}
                    if author.affiliation
                    else {}
                ),
            }
            for author in article.ordered_authors
        ],
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "keywords": [tag.name for tag in article.tags.all()],
    }
    if article.kind_id:
        data["articleSection"] = article.kind.name
    if article.featured_image:
        data["image"] = [absolute(article.featured_image.url)]
    payload = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
