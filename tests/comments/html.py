"""Small HTML readers shared by the comment tests (standard library only)."""

import html
import re
from html.parser import HTMLParser


def textarea_text(content, element_id="id_body"):
    """The text inside the textarea with this id, unescaped, with surrounding space stripped."""
    match = re.search(
        rf'<textarea[^>]*\bid="{element_id}"[^>]*>(.*?)</textarea>', content, flags=re.S
    )
    assert match, f"no textarea #{element_id} on the page"
    return html.unescape(match.group(1)).strip()


def input_value(content, name):
    """The value attribute of the <input name=...> (None when it has none)."""
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', content)
    assert match, f"no input named {name!r} on the page"
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else None


def field_errors(content, field):
    """The text of the error block crispy renders under one field ('' when there is none)."""
    match = re.search(rf'<div id="id_{field}_error"[^>]*>(.*?)</div>', content, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def comments_heading(content):
    """The text of the discussion's heading ("4 comments", "Comments"); None without one."""
    match = re.search(r'id="comments-title"[^>]*>\s*(.*?)\s*</h2>', content, flags=re.S)
    return match.group(1) if match else None


def page_text(content):
    """The page's visible text with tags removed and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


class _CommentTreeParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []  # one entry per open <li>: its comment id, or None
        self.parents = {}
        self.order = []

    def handle_starttag(self, tag, attrs):
        if tag != "li":
            return
        attrs = dict(attrs)
        comment_id = None
        if re.fullmatch(r"comment-\d+", attrs.get("id") or ""):
            comment_id = int(attrs["id"].removeprefix("comment-"))
            ancestors = [entry for entry in self.stack if entry is not None]
            self.parents[comment_id] = ancestors[-1] if ancestors else None
            self.order.append(comment_id)
        self.stack.append(comment_id)

    def handle_endtag(self, tag):
        if tag == "li":
            self.stack.pop()


def comment_tree(content):
    """`({comment_id: enclosing comment id or None}, [ids in page order])` for shown comments."""
    parser = _CommentTreeParser()
    parser.feed(content)
    parser.close()
    return parser.parents, parser.order


def comment_heading(content, comment):
    """`(level, inner HTML)` of the heading naming `comment` in the thread, or None."""
    match = re.search(
        rf'<li id="comment-{comment.pk}"[^>]*>(?:<svg.*?</svg>)?<h([3-6])>(.*?)</h\1>',
        content,
        flags=re.S,
    )
    return (int(match.group(1)), match.group(2)) if match else None


def reply_lists(content):
    """How many nested lists of replies the thread opens."""
    return content.count("<ol>")


#: A commenter's avatar as the thread draws it (comments/commenters/avatars.py, `svg`).
AVATAR = re.compile(
    r'<svg viewBox="[^"]*" color="#[0-9a-f]{6}" aria-hidden="true"><path d="[^"]+"/></svg>'
)


def avatars_on(content):
    """Every avatar drawn on a page, in page order."""
    return AVATAR.findall(content)


def avatar_beside(content, pk):
    """The avatar drawn beside comment `pk` on a page."""
    return AVATAR.search(content.split(f'id="comment-{pk}"', 1)[1]).group(0)
