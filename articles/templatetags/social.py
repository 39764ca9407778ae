"""`{% page_meta title description %}`: the description, canonical link and preview tags of a
list page (home, tag, author, kind, archive). Article pages get theirs from the view
(articles/social.py). `{% profile_structured_data author %}`: the author page's JSON-LD."""

from django import template
from django.utils.text import Truncator

from .. import pagination, social, structured_data
from ..links import absolute_url

register = template.Library()


def canonical_url(request):
    """The page's address on the public site (`SITE_URL`, whatever host the request came in
    on), without its query string except the cursor of a list's later page
    (articles/pagination.py)."""
    return absolute_url(request.path) + pagination.canonical_query(request.GET)


@register.inclusion_tag("includes/social_meta.html", takes_context=True)
def page_meta(context, title, description):
    request = context["request"]
    url = canonical_url(request)
    description = Truncator(" ".join(str(description).split())).chars(social.DESCRIPTION_CHARS)
    return {"canonical_url": url, "social_tags": social.page_tags(title, description, url)}


@register.simple_tag
def profile_structured_data(author):
    return structured_data.profile_page(author)
