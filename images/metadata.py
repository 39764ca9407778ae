"""Cleaning an upload before it is stored: no metadata, a name after the format found in it.

See the package docstring (images/__init__.py), point 1.
"""

import io
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image, ImageOps

from .validators import IMAGE_FORMAT_EXTENSIONS

REENCODE_OPTIONS = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "WEBP": {"quality": 90},
}

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
# has already opened (and images/validators.py decoded); a chunk or block cut short ends the
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
