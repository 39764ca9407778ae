"""Real image files for upload tests, made with Pillow in memory."""

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(width=8, height=8, image_format="PNG", noisy=False):
    if noisy:
        # Random pixels do not compress, so the file is big enough to truncate meaningfully.
        image = Image.frombytes(
            "RGB", (width, height), random.Random(0).randbytes(width * height * 3)
        )
    else:
        image = Image.new("RGB", (width, height), (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def png_upload(name="photo.png", width=8, height=8, noisy=False):
    return SimpleUploadedFile(
        name, image_bytes(width, height, noisy=noisy), content_type="image/png"
    )
