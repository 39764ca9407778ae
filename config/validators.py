"""Validation for every image an editor uploads (author photos, featured images).

Django's ImageField already asks Pillow whether the file is an image at all; these checks add
what a publication needs on top: an allow-list of formats (no SVG, which can carry script), a
file-size cap, and a pixel cap that rejects decompression bombs before anything decodes them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image_upload(file):
    max_bytes = settings.MAX_IMAGE_UPLOAD_BYTES
    if file.size > max_bytes:
        raise ValidationError(
            "This image is %(size)s; the limit is %(limit)s. Please upload a smaller file.",
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(max_bytes)},
        )
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if image_format not in ALLOWED_IMAGE_FORMATS:
                raise ValidationError(
                    "%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF.",
                    code="image_format",
                    params={"format": image_format or "This kind of"},
                )
            if width * height > settings.MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "This image is %(width)s×%(height)s pixels, more than the %(limit)s "
                    "megapixels allowed. Please resize it before uploading.",
                    code="image_too_many_pixels",
                    params={
                        "width": width,
                        "height": height,
                        "limit": f"{settings.MAX_IMAGE_PIXELS / 1_000_000:g}",
                    },
                )
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationError(
            "This file is not a readable image (it may be damaged or truncated).",
            code="image_invalid",
        ) from exc
    finally:
        if position is not None:
            file.seek(position)
