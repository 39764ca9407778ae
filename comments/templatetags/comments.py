"""`{% comment_section article %}`: how the comments app plugs into the article page.

The articles app never imports comments; its template loads this tag instead.
"""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from .. import moderation
from ..forms import CommentForm
from ..models import Comment
from ..remember import remembered

register = template.Library()


def build_threads(comments):
    """Nest approved comments under their parents, in posting order.

    Takes one flat list (one query) and returns `[(comment, [(reply, [...]), ...]), ...]`.
    A reply whose parent is not approved is not shown.
    """
    children = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)

    def thread(parent_id):
        return [(comment, thread(comment.pk)) for comment in children.get(parent_id, [])]

    return thread(None)


@register.inclusion_tag("comments/comment_section.html", takes_context=True)
def comment_section(context, article):
    request = context["request"]
    comments = list(
        Comment.objects.approved()
        .filter(article=article)
        .defer("email", "ip_address", "user_agent")
    )
    threads = build_threads(comments)
    shown = _count(threads)

    # Staff previews and share links show an unpublished article's section without a form:
    # comments are taken only on published articles (views.post_comment).
    unpublished = not article.is_published()
    rules = moderation.discussion_settings(request)
    form = context.get("comment_form")
    replying_to = None
    if form is None and not unpublished:
        by_id = {comment.pk: comment for comment in comments}
        replying_to = by_id.get(_int_or_none(request.GET.get("replyto")))
        form = CommentForm(
            article=article,
            rules=rules,
            initial={"parent": replying_to.pk if replying_to else None, **remembered(request)},
        )
    elif form is not None and form.parent_comment is not None:
        replying_to = form.parent_comment
    return {
        "article": article,
        "threads": threads,
        "comment_count": shown,
        "unpublished": unpublished,
        "comments_open": moderation.comments_open(article, rules),
        "form": form,
        "replying_to": replying_to,
        "request": request,
        "messages": context.get("messages", ()),
    }


@register.simple_tag
def comment_feed_links(article):
    """`<link rel="alternate">` elements for the article's comment feeds, once it is live."""
    if not article.is_published():
        return ""
    return render_to_string(
        "includes/feed_links.html",
        {
            "title": f"Comments on {article.title}",
            "rss": reverse("comments:feed", args=[article.slug]),
            "atom": reverse("comments:atom_feed", args=[article.slug]),
        },
    )


def _count(threads):
    return sum(1 + _count(replies) for _comment, replies in threads)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
