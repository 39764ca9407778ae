"""What happens to an uploaded image after it passes validation (see config/validators.py).

Author photos and featured images use `ResponsiveImageField`, which:

1. cleans the upload before it is stored (`without_metadata`), so no GPS position, camera
   serial, comment or other EXIF/XMP data reaches the public media folder:
   - a still JPEG, PNG or WebP is re-encoded in its own format with its EXIF orientation applied
     to the pixels;
   - an animation (WebP, APNG) and any GIF keep their frames byte for byte, and lose every chunk
     or block that is not needed to draw them: EXIF, XMP, text and comments, anything unknown,
     and anything after the end of the image. Re-encoding frame by frame would decode every
     frame at once (a few kilobytes of GIF can hold thousands of full-size frames), lose
     quality, and merge identical frames; copying the frames keeps timing, loop and
     transparency exactly as uploaded;
   - colour profiles (ICC) are kept: they describe colours, not the photographer, and dropping
     them shifts a wide-gamut photograph's colours;
   and names the stored file after the format Pillow found in it (`image_file_name`): a slug of
   the uploader's name with the format's one extension, so a GIF uploaded as `x.pdf` is stored,
   and served, as `x.gif`;
2. once the transaction commits, enqueues `make_renditions` (a django-tasks task), which writes
   smaller WebP and JPEG copies at `RENDITION_WIDTHS` (never wider than the original) beside the
   original and records them in the model's `<field>_renditions` JSON field. Animations get
   none: pages show the animated original.

Pages render through `Picture` (`article.featured_picture`, `author.photo_picture`) and
`templates/includes/picture.html`: a `<picture>` with srcsets once the renditions exist, the
original `<img>` until then. The renditions live on the row itself, so listing pages pay no
query for them.
"""

import io
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.fields.files import ImageFieldFile, ImageFileDescriptor
from django.utils.text import slugify
from django_tasks import task
from PIL import Image, ImageOps

from config.validators import IMAGE_FORMAT_EXTENSIONS, check_image_header

logger = logging.getLogger(__name__)

RENDITION_WIDTHS = (480, 960, 1600)
RENDITION_FORMATS = {
    # format name in the renditions record: (Pillow format, file extension, save options)
    "webp": ("WEBP", "webp", {"quality": 80, "method": 4}),
    "jpeg": ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
}
REENCODE_OPTIONS = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "WEBP": {"quality": 90},
}


# CLEANING AN UPLOAD
# ------------------------------------------------------------------------------

#: How much of the uploader's file name a stored name keeps.
MAX_NAME_STEM = 60


@dataclass(frozen=True)
class CleanedImage:
    """An upload ready to store: its bytes without metadata, and the format found in them."""

    content: ContentFile
    image_format: str

    def file_name(self, original_name):
        return image_file_name(original_name, self.image_format)


def image_file_name(original_name, image_format):
    """A slug of the uploader's file name with the extension of the format found in the file.

    `Mój urlop (2024).JPG` holding a PNG → `moj-urlop-2024.png`; `x.pdf` holding a GIF →
    `x.gif`; a name with nothing to keep → `image.png`.
    """
    stem = slugify(PurePosixPath(original_name or "").stem)[:MAX_NAME_STEM].strip("-_")
    return f"{stem or 'image'}.{IMAGE_FORMAT_EXTENSIONS[image_format]}"


def without_metadata(content):
    """The upload without its metadata, as a `CleanedImage` (module docstring, point 1).

    Raises ValueError for a format outside the accepted ones (the form validators refuse those
    with a message first), and Pillow's own error for a file that is no image at all.
    """
    content.seek(0)
    with Image.open(content) as image:
        image_format = image.format
        if image_format not in IMAGE_FORMAT_EXTENSIONS:
            accepted = ", ".join(sorted(IMAGE_FORMAT_EXTENSIONS))
            raise ValueError(f"{image_format} images are not stored, only {accepted}.")
        if image_format == "GIF" or getattr(image, "is_animated", False):
            cleaned = None
        else:
            cleaned = _reencoded(image)
    if cleaned is None:
        content.seek(0)
        cleaned = FRAME_KEEPING_CLEANERS[image_format](content.read())
    return CleanedImage(ContentFile(cleaned), image_format)


def _reencoded(image):
    """A still image's bytes, re-encoded in its own format, upright, with only its ICC profile."""
    image_format = image.format
    transparency = image.info.get("transparency")
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    options = dict(REENCODE_OPTIONS[image_format])
    if icc_profile:
        options["icc_profile"] = icc_profile
    if transparency is not None and image_format == "PNG":
        options["transparency"] = transparency
    buffer = io.BytesIO()
    upright.save(buffer, format=image_format, **options)
    return buffer.getvalue()


# Each cleaner below copies what draws the image and drops the rest. Each reads a file Pillow
# has already opened (and config/validators.py decoded); a chunk or block cut short ends the
# copy there, as a browser would stop drawing there.

#: WebP (RIFF) chunks kept, and those kept inside an animation frame (ANMF). EXIF and "XMP "
#: are left out, and so is any unknown chunk.
WEBP_KEPT_CHUNKS = {b"VP8X", b"ICCP", b"ANIM", b"ANMF", b"ALPH", b"VP8 ", b"VP8L"}
WEBP_FRAME_KEPT_CHUNKS = {b"ALPH", b"VP8 ", b"VP8L"}
WEBP_FRAME_HEADER = 16
VP8X_EXIF_AND_XMP_FLAGS = 0x08 | 0x04


def _riff_chunks(data, start, end):
    """`(fourcc, payload)` of each whole chunk between `start` and `end`."""
    position = start
    while position + 8 <= end:
        fourcc = data[position : position + 4]
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        payload_end = position + 8 + size
        if payload_end > end:
            return
        yield fourcc, data[position + 8 : payload_end]
        position = payload_end + (size & 1)


def _riff_chunk(fourcc, payload):
    padding = b"\0" if len(payload) & 1 else b""
    return fourcc + len(payload).to_bytes(4, "little") + payload + padding


def _webp_without_metadata(data):
    end = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    chunks = []
    for fourcc, payload in _riff_chunks(data, 12, end):
        if fourcc not in WEBP_KEPT_CHUNKS:
            continue
        if fourcc == b"VP8X" and payload:
            payload = bytes([payload[0] & ~VP8X_EXIF_AND_XMP_FLAGS & 0xFF]) + payload[1:]
        elif fourcc == b"ANMF":
            frame_chunks = _riff_chunks(payload, WEBP_FRAME_HEADER, len(payload))
            payload = payload[:WEBP_FRAME_HEADER] + b"".join(
                _riff_chunk(kind, part)
                for kind, part in frame_chunks
                if kind in WEBP_FRAME_KEPT_CHUNKS
            )
        chunks.append(_riff_chunk(fourcc, payload))
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


#: PNG chunks kept: the image, its colours and the animation (APNG). Text (tEXt, zTXt, iTXt,
#: which carries XMP), eXIf, tIME and any other chunk are left out.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEPT_CHUNKS = {
    *(b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS"),
    *(b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV", b"cLLI", b"sBIT", b"bKGD", b"pHYs"),
    *(b"acTL", b"fcTL", b"fdAT"),
}


def _png_without_metadata(data):
    kept = [PNG_SIGNATURE]
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        size = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        chunk_end = position + 12 + size
        if chunk_end > len(data):
            break
        if kind in PNG_KEPT_CHUNKS:
            kept.append(data[position:chunk_end])
        if kind == b"IEND":
            break
        position = chunk_end
    return b"".join(kept)


#: GIF application extensions kept: the loop count (two spellings) and the colour profile.
#: Comments, plain text, XMP ("XMP DataXMP") and unknown extensions are left out.
GIF_KEPT_APPLICATIONS = {b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"}
GIF_IMAGE, GIF_EXTENSION, GIF_TRAILER = 0x2C, 0x21, 0x3B
GIF_GRAPHIC_CONTROL, GIF_APPLICATION = 0xF9, 0xFF


def _gif_colour_table_size(packed):
    return 3 << ((packed & 0x07) + 1) if packed & 0x80 else 0


def _gif_sub_blocks_end(data, position):
    """Where the data sub-blocks starting at `position` end (past their empty block), or None."""
    while position < len(data):
        size = data[position]
        position += 1 + size
        if size == 0:
            return position if position <= len(data) else None
    return None


def _gif_keeps_extension(data, position):
    label = data[position + 1]
    if label == GIF_GRAPHIC_CONTROL:
        return True
    return (
        label == GIF_APPLICATION
        and data[position + 2] == 11
        and data[position + 3 : position + 14] in GIF_KEPT_APPLICATIONS
    )


def _gif_without_metadata(data):
    position = 13 + _gif_colour_table_size(data[10])
    kept = [data[:position]]
    while position < len(data) and data[position] != GIF_TRAILER:
        if data[position] == GIF_IMAGE and position + 10 < len(data):
            image_data = position + 10 + _gif_colour_table_size(data[position + 9])
            end = _gif_sub_blocks_end(data, image_data + 1)  # past the LZW code size
            keep = True
        elif data[position] == GIF_EXTENSION and position + 2 < len(data):
            end = _gif_sub_blocks_end(data, position + 2)
            keep = end is not None and _gif_keeps_extension(data, position)
        else:
            break
        if end is None:
            break
        if keep:
            kept.append(data[position:end])
        position = end
    kept.append(bytes([GIF_TRAILER]))
    return b"".join(kept)


#: How each format whose frames are kept is cleaned: any GIF, an animated WebP or PNG.
FRAME_KEEPING_CLEANERS = {
    "GIF": _gif_without_metadata,
    "PNG": _png_without_metadata,
    "WEBP": _webp_without_metadata,
}


# RENDITIONS
# ------------------------------------------------------------------------------


def rendition_name(source_name, width, extension):
    """`articles/2026/01/map.png` → `articles/2026/01/renditions/map-png-480w.webp`."""
    source = PurePosixPath(source_name)
    stem = f"{source.stem}-{source.suffix.lstrip('.').lower()}" if source.suffix else source.stem
    return str(source.parent / "renditions" / f"{stem}-{width}w.{extension}")


def _flatten(image):
    """The image in RGB, transparent areas on white (JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def write_renditions(fieldfile):
    """Write every rendition of the stored image and return the record of them.

    Widths above the original's are replaced by the original width: nothing is upscaled. An
    animated image gets no renditions, so pages keep showing the animated original.
    """
    storage = fieldfile.storage
    record = {"source": fieldfile.name, "files": []}
    with fieldfile.open("rb") as stored, Image.open(stored) as opened:
        if getattr(opened, "is_animated", False):
            return record
        image = ImageOps.exif_transpose(opened)
    has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
    sources = {
        "webp": image.convert("RGBA" if has_alpha else "RGB"),
        "jpeg": _flatten(image),
    }
    for width in sorted({min(width, image.width) for width in RENDITION_WIDTHS}):
        height = max(1, round(image.height * width / image.width))
        for key, (pillow_format, extension, options) in RENDITION_FORMATS.items():
            resized = sources[key]
            if width != image.width:
                resized = resized.resize((width, height), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            resized.save(buffer, format=pillow_format, **options)
            name = rendition_name(fieldfile.name, width, extension)
            if storage.exists(name):
                storage.delete(name)
            name = storage.save(name, ContentFile(buffer.getvalue()))
            record["files"].append({"width": width, "height": height, "format": key, "name": name})
    return record


def renditions_field_name(field_name):
    return f"{field_name}_renditions"


@task()
def make_renditions(model_label, pk, field_name):
    """Make the renditions of one stored image and record them on its row.

    The record is written with a conditional UPDATE: if the image changed again meanwhile, the
    newer upload's own task records its renditions and this result is dropped. The UPDATE does
    not go through `save()`, so it neither bumps an article's version nor its `updated_at`.
    """
    model = apps.get_model(model_label)
    instance = model._default_manager.filter(pk=pk).first()
    if instance is None:
        return None
    fieldfile = getattr(instance, field_name)
    if not fieldfile:
        return None
    record = write_renditions(fieldfile)
    model._default_manager.filter(pk=pk, **{field_name: fieldfile.name}).update(
        **{renditions_field_name(field_name): record}
    )
    return record


def enqueue_renditions(instance, field_name):
    return make_renditions.enqueue(instance._meta.label, instance.pk, field_name)


@dataclass(frozen=True)
class Picture:
    """What `includes/picture.html` needs to draw one image, renditions included if ready."""

    image: ImageFieldFile
    renditions: dict

    @property
    def src(self):
        return self.image.url

    @property
    def files(self):
        """The recorded renditions, only if they were made from the image stored now."""
        if not self.image or not self.renditions:
            return []
        if self.renditions.get("source") != self.image.name:
            return []
        return self.renditions.get("files", [])

    def srcset(self, key):
        storage = self.image.storage
        return ", ".join(
            f"{storage.url(file['name'])} {file['width']}w"
            for file in self.files
            if file["format"] == key
        )

    @property
    def webp_srcset(self):
        return self.srcset("webp")

    @property
    def jpeg_srcset(self):
        return self.srcset("jpeg")

    @property
    def has_renditions(self):
        return bool(self.files)


# THE FIELD
# ------------------------------------------------------------------------------


class UploadedImageFormField(forms.ImageField):
    """Refuses SVG and decompression bombs by their header, before Pillow loads a pixel."""

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "read"):
            check_image_header(data)
        return super().to_python(data)


class CleanedImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        cleaned = without_metadata(content)
        super().save(cleaned.file_name(name), cleaned.content, save)


class RememberingImageFileDescriptor(ImageFileDescriptor):
    """Remembers the file name an instance was created or loaded with, to notice a new image."""

    def __set__(self, instance, value):
        instance.__dict__.setdefault(
            self.field.loaded_name_key, value if isinstance(value, str) else None
        )
        super().__set__(instance, value)


class ResponsiveImageField(models.ImageField):
    """An ImageField whose uploads are cleaned of metadata and get background renditions.

    The model needs a `<name>_renditions` JSONField beside it.
    """

    attr_class = CleanedImageFieldFile
    descriptor_class = RememberingImageFileDescriptor

    @property
    def loaded_name_key(self):
        return f"_{self.attname}_loaded_name"

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": UploadedImageFormField, **kwargs})

    def pre_save(self, model_instance, add):
        file = super().pre_save(model_instance, add)
        if file and file.name != model_instance.__dict__.get(self.loaded_name_key):
            model_instance.__dict__[self.loaded_name_key] = file.name
            transaction.on_commit(
                lambda: enqueue_renditions(model_instance, self.name), robust=True
            )
        return file
