"""Images placed inside an article body, uploaded from the body editor.

The editor's "Insert Figure" dialog takes an image URL; its "Browse..." button opens the
admin's inline image page (`ArticleAdmin.inline_image_view`), whose upload is checked like
every other image (`images.validators.validate_image_upload`: format allow-list, no SVG, size
and pixel caps, a full decode), stripped of its metadata (`images.metadata.without_metadata`)
and stored under `articles/inline/<year>/<month>/`, named by the format found in it. The body
then refers to it inside `<figure><img><figcaption>`, which `articles/sanitize.py` keeps, by the
address storage gives: root-relative (`/media/…`) with the default storage, so the published
body never names the host the editor reached the admin on and works on every host the site
answers on (feeds make it absolute on `SITE_URL`, articles/feeds.py).
"""

from pathlib import PurePosixPath

from django import forms
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.crypto import get_random_string

from images.fields import UploadedImageFormField
from images.metadata import image_file_name, without_metadata
from images.validators import validate_image_upload

INLINE_IMAGE_DIRECTORY = "articles/inline"


class InlineImageForm(forms.Form):
    image = UploadedImageFormField()
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


def inline_image_name(original_name, image_format):
    """A fresh name under the inline directory (`images.metadata.image_file_name` with a random
    part that keeps names unguessable)."""
    name = PurePosixPath(image_file_name(original_name, image_format))
    month = timezone.now().strftime("%Y/%m")
    random_part = get_random_string(8).lower()
    return f"{INLINE_IMAGE_DIRECTORY}/{month}/{name.stem}-{random_part}{name.suffix}"


def store_inline_image(upload):
    """Store a validated upload without its metadata; return its URL (`/media/…`)."""
    cleaned = without_metadata(upload)
    name = default_storage.save(
        inline_image_name(upload.name, cleaned.image_format), cleaned.content
    )
    return default_storage.url(name)
