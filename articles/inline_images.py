"""Images placed inside an article body, uploaded from the body editor.

The editor's "Insert Figure" dialog takes an image URL; its "Browse..." button opens the
admin's inline image page (`ArticleAdmin.inline_image_view`), whose upload is checked like
every other image (`config.validators.validate_image_upload`: format allow-list, no SVG, size
and pixel caps, a full decode), stripped of its metadata (`config.images.without_metadata`)
and stored under `articles/inline/<year>/<month>/`. The body then refers to it by URL inside
`<figure><img><figcaption>`, which `articles/sanitize.py` keeps.
"""

from pathlib import PurePosixPath

from django import forms
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import get_valid_filename

from config.images import UploadedImageFormField, without_metadata
from config.validators import validate_image_upload

INLINE_IMAGE_DIRECTORY = "articles/inline"


class InlineImageForm(forms.Form):
    image = UploadedImageFormField(
        help_text="JPEG, PNG, WebP or GIF, at most 5 MB. Location and camera data are removed."
    )
    alt_text = forms.CharField(
        label="Alt text",
        max_length=250,
        required=False,
        help_text="Describes the image for readers who cannot see it.",
    )
    caption = forms.CharField(max_length=300, required=False)

    def clean_image(self):
        image = self.cleaned_data["image"]
        validate_image_upload(image)
        return image


def inline_image_name(original_name):
    """A fresh name under the inline directory; a random part keeps names unguessable."""
    source = PurePosixPath(get_valid_filename(PurePosixPath(original_name or "image").name))
    stem = source.stem[:60] or "image"
    suffix = source.suffix.lower()[:6]
    month = timezone.now().strftime("%Y/%m")
    return f"{INLINE_IMAGE_DIRECTORY}/{month}/{stem}-{get_random_string(8).lower()}{suffix}"


def store_inline_image(upload):
    """Store a validated upload without its metadata; return its public URL."""
    cleaned = without_metadata(upload)
    upload.seek(0)
    name = default_storage.save(inline_image_name(upload.name), cleaned or upload)
    return default_storage.url(name)
