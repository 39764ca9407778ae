"""`{% pending_comments_link %}`: the moderation queue's link and pending count in the admin's
top links (templates/admin/base_site.html), for staff who may see comments."""

from django import template

from ..permissions import may_see_comments
from ..staff_replies import pending_count, pending_queue_url

register = template.Library()


@register.inclusion_tag("admin/comments/pending_link.html", takes_context=True)
def pending_comments_link(context):
    user = context.get("user")
    if not may_see_comments(user):
        return {}
    return {
        "url": pending_queue_url(),
        "count": _dashboard_count(context) if "dashboard" in context else pending_count(),
    }


def _dashboard_count(context):
    """The admin index's dashboard has just counted them (config/dashboard.py): reuse it."""
    for box in context["dashboard"].get("boxes", ()):
        if box.key == "moderation" and box.count is not None:
            return box.count
    return pending_count()
