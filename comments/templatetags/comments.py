"""`{% comment_section article %}`: how the comments app plugs into the article page.

The articles app never imports comments; its template loads this tag instead.
"""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from .. import moderation, pages, threads
from ..caching import shows_comment_section
from ..commenters.remember import mark_personal, remembered
from ..forms import CommentForm, posting_staff
from ..thread_html import thread_html

register = template.Library()


@register.inclusion_tag("comments/comment_section.html", takes_context=True)
def comment_section(context, article):
    request = context["request"]
    rules = moderation.discussion_settings(request)
    thread_depth = rules.thread_depth
    form = context.get("comment_form")
    page = context.get("comments_page") or pages.page_of_article(
        article, rules, _page_of_form(form, rules)
    )
    thread = page.thread
    shows_comment_section(request, article, rules)

    # Staff previews and share links show an unpublished article's section without a form:
    # comments are taken only on published articles (views.post_comment).
    unpublished = not article.is_published()
    replying_to = too_deep = None
    if form is None and not unpublished:
        replying_to, too_deep = _reply_target(thread, request.GET.get("replyto"), thread_depth)
        staff_user = posting_staff(request)
        form = CommentForm(
            article=article,
            rules=rules,
            staff_user=staff_user,
            initial={
                "parent": replying_to.pk if replying_to else None,
                **({} if staff_user else remembered(request)),
            },
        )
    elif form is not None and form.parent_comment is not None:
        replying_to = form.parent_comment
    if form is not None and form.staff_user is not None:
        mark_personal(request)
    comments_open = moderation.comments_open(article, rules)
    # Relative reply links (`?replyto=7#respond`) stay on the page they are on; a page answering
    # another address (the form with errors, at the posting address) names the page's own.
    own_address = request.path in (page.path, pages.page_path(article, page.number))
    return {
        "article": article,
        "thread_html": thread.nodes
        and thread_html(
            thread.nodes,
            replies_open=comments_open and not unpublished,
            reply_base="" if own_address else page.path,
        ),
        "comment_count": page.comment_count,
        "comments_page": page,
        "unpublished": unpublished,
        "comments_open": comments_open,
        "form": form,
        "replying_to": replying_to,
        "too_deep": too_deep,
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


def _page_of_form(form, rules):
    """The page a form shown again with its errors goes back to: the one showing the comment it
    replies to (None: the default page)."""
    if form is None or form.parent_comment is None:
        return None
    number, _numbering = pages.page_number_of(form.parent_comment, rules)
    return number


def _reply_target(thread, replyto, thread_depth):
    """`(comment replied to, message)` for a `?replyto=<id>` link.

    Only a comment shown on the page can be replied to; one at the deepest level gives the
    message saying why instead (threads.py).
    """
    node = thread.by_id.get(_int_or_none(replyto))
    if node is None:
        return None, None
    if not node.can_reply:
        return None, threads.too_deep_message(node.comment, thread_depth)
    return node.comment, None


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
