"""Commenters' avatars, drawn here: no Gravatar, no address and no hash of one in any page.

Gravatar-style avatars publish an MD5 or SHA-256 of the address in an image URL; anyone can
hash a guessed address and compare, so the "hidden" address is one dictionary away. Byline
draws a small symmetric identicon instead, inline in the page as SVG (so there is no avatar
URL at all, and no extra request or query per comment). Its colour and path are worked out
when the comment's `avatar_key` is set and stored beside it (`drawing`, Comment.save), so the
page only prints them: about 120 bytes a comment, nothing computed per request.

Each comment stores the value its avatar is drawn from (`Comment.avatar_key`), decided when
the comment is saved, so drawing reads neither the address nor its digest. That value is:

- the address's avatar (`address_key`) for a comment its owner is known to have written:
  posted from a browser holding the address's proof cookie (moderation.receive), written in a
  browser that later confirmed the address (verification.confirm_address, which also
  publishes the comments it held, moderation.release_identity_holds), or written by staff
  under their account's address (Comment.save). Those comments share one avatar, whatever
  the case or spacing typed;
- otherwise an avatar of the comment's own (`comment_key`, random). Anyone may type any
  address: were the avatar drawn from the address typed, a comment posted under a guessed
  address would show its owner's avatar exactly when the guess is right (issue 10), and an
  impostor would look like the owner. Erasing an address's data
  (comments/commenters/personal_data.py) gives its comments such an avatar too.

The address's avatar is `privacy.keyed_token("avatar", …)` of the address's lookup digest
(itself a keyed HMAC of the normalised address, comments/commenters/privacy.py): keyed for the
"avatar" purpose, so it is of no use for lookups, and nobody without the site's keys can compute
one for a guess. Only 24 bits of a value are drawn (15 cells and a hue), far too few to identify
an address.
"""

import colorsys
import secrets
from collections import defaultdict

from django.utils.html import format_html

from .privacy import keyed_token

GRID = 5  # cells per side; the left half is mirrored onto the right
COLUMNS = (GRID + 1) // 2  # 3 columns are drawn, 2 mirrored: 15 cells


def address_key(email_digest):
    """The avatar value (hex) of the address whose lookup digest is `email_digest`.

    Migration 0009 computed the same value for the comments stored before it.
    """
    return keyed_token("avatar", email_digest)


def comment_key():
    """A new avatar value (hex) for one comment alone."""
    return secrets.token_hex(32)


def cells(value):
    """The filled cells `(column, row)` of the identicon drawn from `value`."""
    bits = int.from_bytes(value[:2], "big")
    filled = []
    for index in range(COLUMNS * GRID):
        if bits >> index & 1:
            column, row = divmod(index, GRID)
            filled.append((column, row))
            if column != GRID - 1 - column:
                filled.append((GRID - 1 - column, row))
    if not filled:  # one chance in 32768: draw the middle column rather than an empty square
        filled = [(GRID // 2, row) for row in range(GRID)]
    return sorted(filled)


def hue(value):
    return int.from_bytes(value[2:4], "big") % 360


def colour(value):
    """The cells' colour, `#rrggbb`: hsl(hue 55% 35%), dark enough to stand out on the pale tint
    of itself that the stylesheet draws behind it (contrast above 3:1)."""
    red, green, blue = colorsys.hls_to_rgb(hue(value) / 360, 0.35, 0.55)
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in (red, green, blue))


def _number(value):
    """`value` as short as SVG path data allows: 0.5 as .5, 2.0 as 2."""
    text = f"{value:g}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def _runs(filled, horizontal):
    """`(start, line, length)` of each run of filled cells along rows (or columns)."""
    lines = defaultdict(list)
    for column, row in filled:
        line, position = (row, column) if horizontal else (column, row)
        lines[line].append(position)
    for line in sorted(lines):
        positions = sorted(lines[line])
        start = previous = positions[0]
        for position in positions[1:] + [None]:
            if position is not None and position == previous + 1:
                previous = position
                continue
            yield start, line, previous - start + 1
            start = previous = position


def _stroked_path(filled, horizontal):
    """SVG path data drawing each run as one line, one cell thick (the stylesheet strokes it):
    a few characters a run, moving relatively when that is shorter."""
    pen = None
    parts = []
    for start, line, length in _runs(filled, horizontal):
        x, y = (start, line + 0.5) if horizontal else (line + 0.5, start)
        move = f"M{_number(x)} {_number(y)}"
        if pen is not None:
            relative = f"m{_number(x - pen[0])} {_number(y - pen[1])}"
            move = min(move, relative, key=len)
        parts.append(move + (f"h{length}" if horizontal else f"v{length}"))
        pen = (x + length, y) if horizontal else (x, y + length)
    return "".join(parts)


def path(value):
    """The identicon's cells as compact SVG path data (about 45 characters, at most 83),
    drawn along rows or columns, whichever is shorter."""
    filled = cells(value)
    return min(_stroked_path(filled, True), _stroked_path(filled, False), key=len)


#: The longest `path` any value draws (every one of the 2**15 patterns was tried).
LONGEST_PATH = 83


def drawing(avatar_key):
    """`{"avatar_colour": …, "avatar_path": …}`: what a comment with this `avatar_key` stores
    so that the page draws its avatar without computing anything (Comment.save)."""
    value = bytes.fromhex(avatar_key)
    return {"avatar_colour": colour(value), "avatar_path": path(value)}


def svg(avatar_colour, avatar_path):
    """The identicon as inline SVG, decorative (hidden from assistive technology), about 120
    bytes: its size, round shape, pale background and the stroke of its path come from the
    stylesheet (`.comments svg`), its colour from the `color` attribute (a presentation
    attribute, which the Content-Security-Policy allows where it forbids `style`)."""
    return format_html(
        '<svg viewBox="-1 -1 7 7" color="{}" aria-hidden="true"><path d="{}"/></svg>',
        avatar_colour,
        avatar_path,
    )


def avatar_svg(comment):
    """The comment's avatar as inline SVG markup, from the drawing stored with it."""
    return svg(comment.avatar_colour, comment.avatar_path)
