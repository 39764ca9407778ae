"""The comment thread's markup, written here rather than in a template.

The thread is most of an article page: with fifty comments, Django's template engine spent
more time on it than on the rest of the page (about 60 µs a comment: every variable looked up
through the context, every number localised); this writes the same markup in about a tenth of
that. It is bare: each comment is an `<li>` holding its avatar (`<svg>`), its author's name in a
heading one level down per level of replies (`<h3>` to `<h6>`, under the section's `<h2>`), a
permalink with the time it was posted, its text, and a relative reply link
(`?replyto=7#respond`), then a nested `<ol>` of its replies. Nothing a stylesheet can give is
repeated per comment (`.thread li`, `.thread a[href*="?replyto="]` in static/css/site.css), and
there is no whitespace between tags.

Everything a commenter typed is escaped here (`escape`, `linebreaks`), as the template's
autoescaping did. Only what `threads.SHOWN_FIELDS` loads is read: never the address.
"""

from html import escape

from django.utils.html import linebreaks
from django.utils.safestring import mark_safe


def thread_html(nodes, *, replies_open, reply_base=""):
    """The `<ol class="thread">` of `nodes` (threads.build: flat, in reading order).

    `replies_open`: whether comments carry a "Reply" link (those that may take a reply).
    `reply_base`: what the reply links start with: nothing on the article's own address, the
    article's path where the page answers another one (a form with errors, re-rendered at the
    posting address, where a relative `?replyto=` would ask it for a GET).
    """
    reply_base = escape(reply_base)
    parts = ['<ol class="thread">']
    add = parts.append
    for node in nodes:
        comment = node.comment
        pk = node.pk
        name = escape(comment.name)
        heading = node.heading
        add(
            f'<li id="comment-{pk}" class="comment--staff">'
            if node.badge
            else f'<li id="comment-{pk}">'
        )
        add(comment.avatar_svg)
        add(f"<{heading}>")
        if comment.website:
            add(f'<a href="{escape(comment.website)}" rel="nofollow ugc noopener">{name}</a>')
        else:
            add(name)
        if node.badge:
            add(f' <span class="badge badge--{node.badge.lower()}">{escape(node.badge)}</span>')
        add(
            f'</{heading}><a href="#comment-{pk}"><time datetime="{node.posted_iso}">'
            f"{node.posted}</time></a>"
        )
        add(linebreaks(comment.body, autoescape=True))
        if replies_open and node.can_reply:
            add(
                f'<a href="{reply_base}?replyto={pk}#respond" rel="nofollow" '
                f'aria-label="Reply to {name}">Reply</a>'
            )
        if node.has_replies:
            add("<ol>")
        else:
            add("</li>")
            add("</ol></li>" * len(node.closed_levels))
    add("</ol>")
    return mark_safe("".join(parts))  # every value a reader typed is escaped above
