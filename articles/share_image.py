"""The site's default link-preview card: the masthead drawn with Pillow at 1200×630.

Articles without a featured image, and every other page, are previewed with the site's share
image (articles/social.py, `SITE_SHARE_IMAGE`). Unless a publication names its own, that is
`static/articles/share-image.png`, drawn here in the reader site's light palette
(static/css/site.css): the name in the bold reading font between the masthead's accent band
and rules, the tagline in letter-spaced small capitals below. The file is committed, so
collectstatic and whitenoise serve it like any other static file and nothing is drawn at run
time; `manage.py draw_share_image` redraws it, for another `SITE_NAME` or a changed palette.
The name drawn is kept in the PNG's "Title" text chunk, so a system check (articles/checks.py)
can tell when the committed card no longer shows `SITE_NAME`.
"""

import functools
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

#: The size Facebook, LinkedIn and X recommend for large preview cards (1.91:1).
SIZE = (1200, 630)
#: The default share image, as a static path (config/settings.py: SITE_SHARE_IMAGE).
STATIC_PATH = "articles/share-image.png"
FILE = Path(__file__).resolve().parent.parent / "static" / STATIC_PATH

# The light palette of static/css/site.css.
PAPER = "#fdfcf9"
INK = "#1b1b1d"
MUTED = "#55555b"
ACCENT = "#9b1c1c"
RULE = "#dedad1"

# DejaVu is the last named face of site.css's --serif and --sans stacks before the generic
# family, and the one a Linux server is likely to have; Pillow's own font otherwise.
FONT_DIR = Path("/usr/share/fonts")
SERIF_BOLD = "DejaVuSerif-Bold.ttf"
SANS = "DejaVuSans.ttf"

MARGIN = 96
NAME_SIZES = range(150, 59, -6)  # the largest that fits on at most two lines


@functools.cache
def _font_file(name):
    return next(iter(sorted(FONT_DIR.rglob(name))), None)


def font(name, size):
    path = _font_file(name)
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size=size)


def _fit_name(draw, name, width):
    """The name's lines and font: the largest size at which it fits `width` in one or two."""
    for size in NAME_SIZES:
        face = font(SERIF_BOLD, size)
        for lines in ([name], textwrap.wrap(name, max(1, len(name) // 2 + 1))):
            if len(lines) <= 2 and all(draw.textlength(line, font=face) <= width for line in lines):
                return lines, face
    return textwrap.wrap(name, 24)[:2], font(SERIF_BOLD, NAME_SIZES[-1])


def _spaced(draw, xy, text, face, fill, tracking):
    """Draws `text` centred on `xy` with `tracking` pixels between letters (CSS letter-spacing)."""
    widths = [draw.textlength(letter, font=face) for letter in text]
    x = xy[0] - (sum(widths) + tracking * (len(text) - 1)) / 2
    for letter, width in zip(text, widths, strict=True):
        draw.text((x, xy[1]), letter, font=face, fill=fill, anchor="lm")
        x += width + tracking


def draw(name, tagline=""):
    """The card for a site called `name`, as a Pillow image."""
    width, height = SIZE
    image = Image.new("RGB", SIZE, PAPER)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, width, 18), fill=ACCENT)  # the masthead's top border
    pen.rectangle((0, height - 18, width, height), fill=ACCENT)

    lines, face = _fit_name(pen, name, width - 2 * MARGIN)
    ascent, descent = face.getmetrics()
    line_height = int((ascent + descent) * 1.02)
    block = line_height * len(lines) + (110 if tagline else 0)
    top = (height - block) / 2
    for index, line in enumerate(lines):
        pen.text(
            (width / 2, top + index * line_height + line_height / 2),
            line,
            font=face,
            fill=INK,
            anchor="mm",
        )
    if tagline:
        rule_y = top + line_height * len(lines) + 30
        pen.line((MARGIN * 2, rule_y, width - MARGIN * 2, rule_y), fill=INK, width=3)
        _spaced(pen, (width / 2, rule_y + 52), tagline.upper(), font(SANS, 30), MUTED, 7)
    return image


def save(image, path, name):
    """Writes `image` to `path` as a small PNG that records the `name` drawn on it."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", name)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=64, dither=Image.Dither.NONE).save(
        path, format="PNG", optimize=True, pnginfo=info
    )


def name_drawn(path):
    """The site name recorded in the PNG at `path`, or None.

    Read from the header (`save()` writes the text chunk before the pixels), so the system
    check run by every management command does not decode the image."""
    with Image.open(path) as image:
        return image.info.get("Title")
