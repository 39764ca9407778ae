"""`{% comment_avatar comment %}`: the commenter's locally drawn avatar
(comments/commenters/avatars.py)."""

from django import template

from ..commenters.avatars import avatar_svg

register = template.Library()


@register.simple_tag
def comment_avatar(comment, size=40):
    return avatar_svg(comment, size=size)
