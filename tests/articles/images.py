"""Real image files for upload tests, made with Pillow in memory."""

import io
import random
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageSequence, PngImagePlugin


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


# ANIMATIONS CARRYING A LOCATION
# ------------------------------------------------------------------------------

GPS_IFD = 0x8825
GPS_POSITION = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
XMP_PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,30.2083N" '
    b'exif:GPSLongitude="0,7.65W"/></rdf:RDF></x:xmpmeta>'
)
FRAME_DURATIONS = [100, 200, 300]


def gps_exif():
    exif = Image.Exif()
    exif[GPS_IFD] = GPS_POSITION
    return exif


def animation_frames(mode="RGB"):
    """Three distinct 16×16 frames: a colour each, with a square moving across them."""
    frames = []
    for step, colour in enumerate(((200, 30, 30), (30, 160, 30), (30, 30, 200))):
        frame = Image.new(mode, (16, 16), colour if mode == "RGB" else (*colour, 255))
        square = (step * 5, 4, step * 5 + 5, 9)
        frame.paste((250, 250, 250) if mode == "RGB" else (0, 0, 0, 0), square)
        frames.append(frame)
    return frames


def save_animation(image_format, **options):
    frames = animation_frames(options.pop("mode", "RGB"))
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format=image_format,
        save_all=True,
        append_images=frames[1:],
        duration=FRAME_DURATIONS,
        **options,
    )
    return buffer.getvalue()


def animated_webp_bytes():
    """A lossless animated WebP with GPS EXIF and XMP, transparent where the square is."""
    return save_animation(
        "WEBP", mode="RGBA", lossless=True, loop=0, exif=gps_exif(), xmp=XMP_PACKET
    )


def animated_png_bytes():
    """An animated PNG (APNG) with GPS EXIF, an XMP packet and a text comment."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP_PACKET.decode())
    info.add_text("Comment", "Taken at the harbour, 51°30′N")
    return save_animation("PNG", loop=0, exif=gps_exif(), pnginfo=info)


def gif_application_extension(identifier, data):
    """An application extension block; XMP uses the 'magic trailer' that any reader can skip."""
    if identifier == b"XMP DataXMP":
        trailer = bytes([1, *range(255, -1, -1)])
        return b"\x21\xff\x0b" + identifier + data + trailer + b"\x00"
    blocks = b"".join(
        bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255)
    )
    return b"\x21\xff\x0b" + identifier + blocks + b"\x00"


def animated_gif_bytes(with_metadata=True, loop=0):
    """An animated GIF; with metadata it carries a comment and an XMP packet with a position."""
    options = {"loop": loop} if loop is not None else {}
    if with_metadata:
        options["comment"] = "Taken at the harbour, 51°30′N 0°7′W"
    data = save_animation("GIF", **options)
    if not with_metadata:
        return data
    packed = data[10]
    first_block = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    xmp = gif_application_extension(b"XMP DataXMP", XMP_PACKET)
    return data[:first_block] + xmp + data[first_block:]


def animation_of(data):
    """`(frames as RGBA bytes, durations, loop)` of an animated image, decoded by Pillow."""
    with Image.open(io.BytesIO(data)) as image:
        frames, durations = [], []
        for frame in ImageSequence.Iterator(image):
            frames.append(frame.convert("RGBA").tobytes())
            durations.append(frame.info.get("duration"))
        return frames, durations, image.info.get("loop")


# IMAGES CARRYING METADATA, AND WHAT IS NOT AN IMAGE
# ------------------------------------------------------------------------------
ORIENTATION = 0x0112
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def exif_image_bytes(width=40, height=20, image_format="JPEG", orientation=6):
    """An image carrying a GPS position and an EXIF orientation (6: rotate 90° clockwise)."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((20, 20, 200), (0, 0, width // 4, height))  # a blue band on the left edge
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = GPS_POSITION
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, exif=exif)
    return buffer.getvalue()


def media_files():
    """Every file stored under MEDIA_ROOT now."""
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()}
