"""Commenters' avatars, drawn here: no Gravatar, no address and no hash of one in any page.

Gravatar-style avatars publish an MD5 or SHA-256 of the address in an image URL; anyone can
hash a guessed address and compare, so the "hidden" address is one dictionary away. Byline
draws a small symmetric identicon instead, inline in the page as SVG (so there is no avatar
URL at all, and no extra request or query per comment).

The pattern and colour come from `privacy.keyed_token("avatar", …)` of the comment's lookup
digest (itself a keyed HMAC of the normalised address, comments/privacy.py):

- the same address always draws the same avatar, whatever the case or spacing typed;
- the value is keyed for the "avatar" purpose, so it is of no use for lookups, and nobody
  without the site's keys can compute an avatar for a guess;
- only 24 bits of it are drawn (15 cells and a hue), far too few to identify an address.

The digest is already loaded with each comment; the address itself is never decrypted to draw.
"""

from django.utils.html import format_html

from .privacy import keyed_token

GRID = 5  # cells per side; the left half is mirrored onto the right
COLUMNS = (GRID + 1) // 2  # 3 columns are drawn, 2 mirrored: 15 cells


def avatar_value(comment):
    """The keyed avatar value (bytes) for a comment's author.

    Based on the address's digest when there is one, else on the name (a comment always has
    an address when posted through the form; this keeps odd rows drawable).
    """
    seed = comment.email_digest or f"name:{' '.join(comment.name.split()).lower()}"
    return bytes.fromhex(keyed_token("avatar", seed))


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
    """The commenter's avatar as inline SVG markup."""
    return render_svg(avatar_value(comment), size=size)
