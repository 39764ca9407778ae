"""`{% absolute_url path %}`: `path` on the public site (`SITE_URL`, articles/links.py), for the
few templates that give out a whole address (robots.txt)."""

from django import template

from .. import links

register = template.Library()


@register.simple_tag
def absolute_url(path):
    return links.absolute_url(path)
