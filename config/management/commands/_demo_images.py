"""The demo's pictures, drawn with Pillow: portrait placeholders and abstract featured images.

Nothing is downloaded: every picture is generated from the author's initials or the article's
slug, so each run draws the same ones.
"""

import functools
import io
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageFilter, ImageFont

from ._demo_articles import Palette

FONT_DIR = Path("/usr/share/fonts")


@functools.cache
def font_path():
    """The DejaVu Sans Bold file if the system has one, else None."""
    return next(iter(sorted(FONT_DIR.rglob("DejaVuSans-Bold.ttf"))), None)


def load_font(size):
    path = font_path()
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size=size)


def rgb(colour):
    return ImageColor.getrgb(colour)[:3]


def gradient(size, start, end, diagonal=True):
    """An RGB image fading from `start` (top left) to `end` (bottom right)."""
    vertical = Image.linear_gradient("L").resize(size)
    mask = vertical
    if diagonal:
        horizontal = Image.linear_gradient("L").rotate(90)  # dark left, light right
        mask = ImageChops.add(vertical, horizontal.resize(size), scale=2)
    return Image.composite(
        Image.new("RGB", size, rgb(end)),
        Image.new("RGB", size, rgb(start)),
        mask,
    )


def jpeg_bytes(image):
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=88, optimize=True, progressive=True)
    return buffer.getvalue()


def portrait_placeholder(initials, colours, side=400):
    """A square portrait placeholder: a soft gradient with the person's initials."""
    image = gradient((side, side), *colours).convert("RGBA")
    glow = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse(
        (side * 0.12, side * 0.12, side * 0.88, side * 0.88), fill=(255, 255, 255, 40)
    )
    image = Image.alpha_composite(image, glow.filter(ImageFilter.GaussianBlur(side // 12)))
    ImageDraw.Draw(image).text(
        (side / 2, side / 2),
        initials,
        font=load_font(int(side * 0.34)),
        fill=(255, 255, 255, 235),
        anchor="mm",
    )
    return jpeg_bytes(image)


def abstract_illustration(seed, palette: Palette, size=(1600, 900)):
    """A featured image: two soft glows, two overlapping translucent discs and fine lines.

    Seeded by the article's slug, so each article always gets the same picture.
    """
    rng = random.Random(seed)
    width, height = size
    image = gradient(size, palette.start, palette.end).convert("RGBA")

    # Soft glows, drawn small and blurred, then scaled up: cheap and smooth.
    small = (width // 8, height // 8)
    glows = Image.new("RGBA", small, (0, 0, 0, 0))
    draw = ImageDraw.Draw(glows)
    for accent in palette.accents:
        x, y = rng.uniform(0.15, 0.85) * small[0], rng.uniform(0.3, 0.75) * small[1]
        radius = rng.uniform(0.25, 0.4) * small[1]
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*rgb(accent), 90))
    glows = glows.filter(ImageFilter.GaussianBlur(small[1] // 6))
    image = Image.alpha_composite(image, glows.resize(size, Image.Resampling.BICUBIC))

    # Two overlapping discs around the centre, each on its own layer so the overlap blends,
    # with fading rings around them.
    radius = height * rng.uniform(0.26, 0.32)
    centre_y = height * rng.uniform(0.45, 0.55)
    offset = radius * rng.uniform(0.55, 0.75)
    for direction, accent in zip((-1, 1), palette.accents, strict=True):
        layer = Image.new("RGBA", size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        centre_x = width / 2 + direction * offset
        box = (centre_x - radius, centre_y - radius, centre_x + radius, centre_y + radius)
        draw.ellipse(box, fill=(*rgb(accent), 150))
        for ring in range(1, 4):
            grow = ring * radius * 0.22
            draw.ellipse(
                (box[0] - grow, box[1] - grow, box[2] + grow, box[3] + grow),
                outline=(*rgb(accent), 80 - ring * 20),
                width=2,
            )
        image = Image.alpha_composite(image, layer.filter(ImageFilter.SMOOTH))

    # Fine diagonal lines across the whole picture.
    lines = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(lines)
    for step in range(-height, width, 48):
        draw.line((step, height, step + height, 0), fill=(255, 255, 255, 12), width=1)
    image = Image.alpha_composite(image, lines)
    return jpeg_bytes(image)
