"""What happens to an uploaded image after it passes validation (see config/validators.py).

Author photos and featured images use `ResponsiveImageField`, which:

1. cleans the upload before it is stored: the EXIF orientation is applied to the pixels and the
   image is re-encoded in its own format without metadata, so no GPS position, camera serial or
   other EXIF/XMP data reaches the public media folder. GIFs and animated images are stored
   untouched: GIF carries no EXIF, and re-encoding animation frame by frame risks breaking it;
2. once the transaction commits, enqueues `make_renditions` (a django-tasks task), which writes
   smaller WebP and JPEG copies at `RENDITION_WIDTHS` (never wider than the original) beside the
   original and records them in the model's `<field>_renditions` JSON field.

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
from django_tasks import task
from PIL import Image, ImageOps

from config.validators import check_image_header

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


def without_metadata(content):
    """The upload re-encoded with its orientation applied and no metadata, or None to keep it.

    None means the file is stored as it came: a GIF, an animated image, or a format this
    module does not re-encode.
    """
    content.seek(0)
    with Image.open(content) as image:
        image_format = image.format
        if image_format not in REENCODE_OPTIONS or getattr(image, "is_animated", False):
            return None
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
    return ContentFile(buffer.getvalue())


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
        super().save(name, cleaned if cleaned is not None else content, save)


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
