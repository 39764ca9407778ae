"""Validation for every image an editor uploads (author photos, featured images).

Django's ImageField already asks Pillow whether the file is an image at all; these checks add
what a publication needs on top: an allow-list of formats (no SVG, which can carry script), a
file-size cap, a pixel cap that rejects decompression bombs before anything decodes them, and a
full decode that catches truncated files (Pillow's `verify()` does not, for JPEG).

`check_image_header` runs first, from the upload form field (images/), so an SVG or a
decompression bomb gets its own message instead of Django's generic "Upload a valid image".

What an upload field tells the editor beforehand (`upload_help_text`) is written here too, from
the same formats and the same `MAX_IMAGE_UPLOAD_BYTES` the checks apply.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from PIL import Image, UnidentifiedImageError

#: The formats accepted (as Pillow names them), each with the one extension it is stored under,
#: whatever the uploader called the file (images/ names stored files).
IMAGE_FORMAT_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
ALLOWED_IMAGE_FORMATS = set(IMAGE_FORMAT_EXTENSIONS)
#: The accepted formats as editors read them.
ACCEPTED_FORMATS_TEXT = "JPEG, PNG, WebP or GIF"
SVG_MESSAGE = (
    f"SVG images are not accepted: they can carry scripts. Upload a {ACCEPTED_FORMATS_TEXT}."
)


def upload_size_limit():
    """The largest image accepted (`MAX_IMAGE_UPLOAD_BYTES`) as people read it, e.g. "5.0 MB";
    the help text and the refusal both name the limit this way."""
    return filesizeformat(settings.MAX_IMAGE_UPLOAD_BYTES)


def _upload_help_text(lead):
    rules = (
        f"{ACCEPTED_FORMATS_TEXT}, at most {upload_size_limit()}. "
        "Location and camera data are removed when it is saved."
    )
    return f"{lead} {rules}" if lead else rules


#: The help text of every image upload field: the field's own `lead` (what the image is for),
#: then the formats, the size limit and the metadata removal. The one place these are told.
#: Lazy, so it is read when a form is shown and follows the setting. Form fields only
#: (`images.fields.UploadedImageFormField` adds it): in a model field's `help_text` it would
#: make `makemigrations` write a migration whenever the setting changes.
upload_help_text = lazy(_upload_help_text, str)


def _looks_like_svg(file):
    head = file.read(2048).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    name = (getattr(file, "name", "") or "").lower()
    return name.endswith((".svg", ".svgz")) or head.startswith(b"<?xml") or b"<svg" in head


def _too_many_pixels(width=None, height=None):
    limit = f"{settings.MAX_IMAGE_PIXELS / 1_000_000:g}"
    if width is None:
        return ValidationError(
            "This image has more pixels than the %(limit)s megapixels allowed (it may be a "
            "decompression bomb) and was not opened. Please resize it before uploading.",
            code="image_too_many_pixels",
            params={"limit": limit},
        )
    return ValidationError(
        "This image is %(width)s×%(height)s pixels, more than the %(limit)s "
        "megapixels allowed. Please resize it before uploading.",
        code="image_too_many_pixels",
        params={"width": width, "height": height, "limit": limit},
    )


def check_image_header(file):
    """Refuse an SVG or a decompression bomb from the file's first bytes and header alone.

    Anything Pillow cannot identify is left for the caller's own check to refuse.
    """
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        if _looks_like_svg(file):
            raise ValidationError(SVG_MESSAGE, code="image_svg")
        file.seek(0)
        try:
            with Image.open(file) as image:
                width, height = image.size
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels() from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return
        if width * height > settings.MAX_IMAGE_PIXELS:
            raise _too_many_pixels(width, height)
    finally:
        if position is not None:
            file.seek(position)


def validate_image_upload(file):
    max_bytes = settings.MAX_IMAGE_UPLOAD_BYTES
    if file.size > max_bytes:
        raise ValidationError(
            "This image is %(size)s; the limit is %(limit)s. Please upload a smaller file.",
            code="image_too_large",
            params={"size": filesizeformat(file.size), "limit": upload_size_limit()},
        )
    check_image_header(file)
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if image_format not in ALLOWED_IMAGE_FORMATS:
                raise ValidationError(
                    f"%(format)s images are not accepted. Upload a {ACCEPTED_FORMATS_TEXT}.",
                    code="image_format",
                    params={"format": image_format or "This kind of"},
                )
            if width * height > settings.MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            image.verify()
        if not getattr(file, "_committed", False):
            # A new upload: decode it whole (within the pixel cap) to catch a truncated file.
            file.seek(0)
            with Image.open(file) as image:
                image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationError(
            "This file is not a readable image (it may be damaged or truncated).",
            code="image_invalid",
        ) from exc
    finally:
        if position is not None:
            file.seek(position)
