"""Commenters' avatars, drawn here: no Gravatar, no address and no hash of one in any page.

Gravatar-style avatars publish an MD5 or SHA-256 of the address in an image URL; anyone can
hash a guessed address and compare, so the "hidden" address is one dictionary away. Byline
draws a small symmetric identicon instead, inline in the page as SVG (so there is no avatar
URL at all, and no extra request or query per comment).

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

import secrets

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


def render_svg(value, size=40):
    """The identicon as inline SVG, decorative (hidden from assistive technology)."""
    path = "".join(f"M{column} {row}h1v1h-1z" for column, row in cells(value))
    shade = hue(value)
    # The cell colour is dark enough to stand out on its own pale tint (contrast above 3:1).
    return format_html(
        '<svg class="comment__avatar" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="-1 -1 7 7" width="{size}" height="{size}" aria-hidden="true" '
        'focusable="false"><rect x="-1" y="-1" width="7" height="7" fill="{background}"/>'
        '<path fill="{foreground}" d="{path}"/></svg>',
        size=size,
        background=f"hsl({shade} 45% 92%)",
        foreground=f"hsl({shade} 55% 35%)",
        path=path,
    )


def avatar_svg(comment, size=40):
    """The comment's avatar as inline SVG markup, drawn from its stored `avatar_key`."""
    return render_svg(bytes.fromhex(comment.avatar_key), size=size)
