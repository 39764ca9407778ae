"""The model and form fields for uploaded images: validated, cleaned, then given renditions."""

from django import forms
from django.db import models, transaction
from django.db.models.fields.files import ImageFieldFile, ImageFileDescriptor

from .metadata import without_metadata
from .renditions import enqueue_renditions
from .validators import check_image_header, upload_help_text, validate_image_upload


class UploadedImageFormField(forms.ImageField):
    """Refuses SVG and decompression bombs by their header, before Pillow loads a pixel.

    Its help text is the given `help_text` (what the image is for) followed by the upload rules
    (`upload_help_text`: formats, the size limit from the setting, metadata removal).
    """

    def __init__(self, *, help_text="", **kwargs):
        super().__init__(help_text=upload_help_text(help_text), **kwargs)

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
    """An ImageField whose uploads are validated, cleaned of metadata and get background
    renditions.

    Uploads are checked by `validate_image_upload` unless other `validators` are given. The
    `help_text` says what the image is for: the form field adds the formats and size limit
    (`upload_help_text`). The model needs a `<name>_renditions` field beside it
    (`renditions_field`).
    """

    attr_class = CleanedImageFieldFile
    descriptor_class = RememberingImageFileDescriptor

    def __init__(self, *args, validators=(validate_image_upload,), **kwargs):
        super().__init__(*args, validators=list(validators), **kwargs)

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


def renditions_field(of):
    """The `<name>_renditions` field a `ResponsiveImageField` needs beside it, where the
    renditions task records the smaller copies of `of` ("the photo")."""
    return models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text=f"Smaller copies of {of}, made in the background after upload.",
    )
