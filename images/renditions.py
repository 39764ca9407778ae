"""Smaller copies of a stored image, made in the background, and what a page needs to show them.

See the package docstring (images/__init__.py), point 2.
"""

import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.apps import apps
from django.core.files.base import ContentFile
from django.db.models.fields.files import ImageFieldFile
from django_tasks import task
from PIL import Image, ImageOps

from caching.dependencies import changed, model_key

RENDITION_WIDTHS = (480, 960, 1600)
RENDITION_FORMATS = {
    # format name in the renditions record: (Pillow format, file extension, save options)
    "webp": ("WEBP", "webp", {"quality": 80, "method": 4}),
    "jpeg": ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
}


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
    recorded = model._default_manager.filter(pk=pk, **{field_name: fieldfile.name}).update(
        **{renditions_field_name(field_name): record}
    )
    if recorded:
        # Pages showing the image switch to the renditions (`article-7`, `author-3`).
        changed(model_key(model, pk))
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
