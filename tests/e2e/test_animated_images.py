"""Animations stored without their metadata still play in Chromium exactly as uploaded.

images/ copies an animation's frames and drops its EXIF, XMP and comments; Chromium's
own decoder (WebCodecs' ImageDecoder) reads the stored file as served, and must find the same
frames, durations and repetitions as in the upload.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.articles.images import animated_gif_bytes, animated_png_bytes, animated_webp_bytes
from tests.factories import ArticleFactory

from .browser import BrowserTestCase

DECODE = """async ({url, bytes, mime}) => {
    const buffer = url ? await (await fetch(url)).arrayBuffer() : bytes;
    const data = new Uint8Array(buffer);
    const decoder = new ImageDecoder({data, type: mime});
    await decoder.tracks.ready;
    await decoder.completed;
    const track = decoder.tracks.selectedTrack;
    const frames = [];
    for (let frameIndex = 0; frameIndex < track.frameCount; frameIndex++) {
        const {image} = await decoder.decode({frameIndex});
        frames.push(image.duration / 1000);
        image.close();
    }
    return {animated: track.animated, repetitions: String(track.repetitionCount), frames};
}"""


@pytest.mark.e2e
class AnimatedImageTests(BrowserTestCase):
    def test_stored_animations_play_in_chromium_as_uploaded(self):
        page = self.new_page()
        page.goto(self.url("/"))
        for name, content_type, original in (
            ("loop.gif", "image/gif", animated_gif_bytes()),
            ("loop.webp", "image/webp", animated_webp_bytes()),
            ("loop.png", "image/png", animated_png_bytes()),
        ):
            with self.subTest(name):
                article = ArticleFactory(
                    featured_image=SimpleUploadedFile(name, original), featured_image_alt="Loop"
                )

                uploaded = page.evaluate(
                    DECODE, {"url": None, "bytes": list(original), "mime": content_type}
                )
                stored = page.evaluate(
                    DECODE, {"url": article.featured_image.url, "bytes": None, "mime": content_type}
                )

                assert uploaded == {
                    "animated": True,
                    "repetitions": "Infinity",
                    "frames": [100, 200, 300],
                }
                assert stored == uploaded
