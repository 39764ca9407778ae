"""Featured images: hostile uploads refused, metadata stripped, renditions made and shown."""

import io
import struct
import zlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django_tasks import TaskResultStatus
from PIL import Image, ImageFile

from articles.models import Article
from images.renditions import Picture, make_renditions
from tests.admin_forms import (
    AdminFormTestCase,
    EditorAdminTestCase,
    article_form_data,
    featured_image_errors,
    response_errors,
)
from tests.articles.images import (
    FRAME_DURATIONS,
    GPS_IFD,
    ORIENTATION,
    SVG,
    animated_gif_bytes,
    animated_png_bytes,
    animated_webp_bytes,
    animation_of,
    exif_image_bytes,
    image_bytes,
    media_files,
    png_upload,
)
from tests.factories import ArticleFactory, AuthorFactory
from tests.helpers import without_page_cache
from tests.query_budgets import ARTICLE_PAGE_QUERIES, HOME_PAGE_QUERIES, every_request_rendered


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width, height):
    """A tiny PNG whose header claims `width`×`height` pixels: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + png_chunk(b"IEND", b"")
    )


def stored_bytes(fieldfile):
    with fieldfile.open("rb") as stored:
        return stored.read()


def stored_image(fieldfile):
    with fieldfile.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


class HostileUploadTests(EditorAdminTestCase):
    """Each refusal re-renders the admin form with its message and stores nothing at all."""

    def setUp(self):
        super().setUp()
        self.files_before = media_files()

    def post_new_article(self, upload):
        return self.add_article(
            title="Hostile",
            slug="hostile",
            featured_image=upload,
            featured_image_alt="A description",
        )

    def assert_refused_and_nothing_stored(self, response):
        assert response.status_code == 200
        assert Article.objects.count() == 0
        assert media_files() == self.files_before
        return featured_image_errors(response)

    def test_svg_is_refused_with_its_own_message(self):
        response = self.post_new_article(SimpleUploadedFile("logo.svg", SVG, "image/svg+xml"))

        errors = self.assert_refused_and_nothing_stored(response)
        assert errors == [
            "SVG images are not accepted: they can carry scripts. Upload a JPEG, PNG, WebP or GIF."
        ]
        assert "SVG images are not accepted" in response.content.decode()

    def test_svg_renamed_to_png_is_refused_as_svg(self):
        response = self.post_new_article(SimpleUploadedFile("logo.png", SVG, "image/png"))

        errors = self.assert_refused_and_nothing_stored(response)
        assert errors[0].startswith("SVG images are not accepted")

    def test_decompression_bomb_is_refused_before_any_pixel_is_decoded(self):
        bomb = SimpleUploadedFile("bomb.png", bomb_png(30_000, 30_000), "image/png")
        assert bomb.size < 2000

        with mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded")):
            response = self.post_new_article(bomb)

        errors = self.assert_refused_and_nothing_stored(response)
        assert errors == [
            "This image has more pixels than the 40 megapixels allowed (it may be a "
            "decompression bomb) and was not opened. Please resize it before uploading."
        ]

    @pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
    def test_bomb_below_pillows_own_limit_is_refused_with_its_dimensions(self):
        bomb = SimpleUploadedFile("bomb.png", bomb_png(10_000, 10_000), "image/png")

        with mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded")):
            response = self.post_new_article(bomb)

        errors = self.assert_refused_and_nothing_stored(response)
        assert errors == [
            "This image is 10000×10000 pixels, more than the 40 megapixels allowed. "
            "Please resize it before uploading."
        ]

    def test_text_file_renamed_jpg_is_refused(self):
        upload = SimpleUploadedFile("photo.jpg", b"Dear editor, here is my text.", "image/jpeg")

        response = self.post_new_article(upload)

        errors = self.assert_refused_and_nothing_stored(response)
        assert errors == [
            "Upload a valid image. The file you uploaded was either not an image or a "
            "corrupted image."
        ]

    def test_truncated_jpeg_is_refused(self):
        data = image_bytes(64, 64, image_format="JPEG", noisy=True)
        upload = SimpleUploadedFile("cut.jpg", data[: len(data) // 2], "image/jpeg")

        response = self.post_new_article(upload)

        errors = self.assert_refused_and_nothing_stored(response)
        assert errors == ["This file is not a readable image (it may be damaged or truncated)."]

    def test_truncated_png_is_refused(self):
        data = image_bytes(64, 64, noisy=True)
        upload = SimpleUploadedFile("cut.png", data[: len(data) // 2], "image/png")

        response = self.post_new_article(upload)

        assert self.assert_refused_and_nothing_stored(response)

    def test_change_form_refuses_an_svg_and_keeps_the_stored_image(self):
        article = ArticleFactory(
            featured_image=png_upload("kept.png"), featured_image_alt="Kept", authors=[self.author]
        )
        byline = article.bylines.get()
        self.files_before = media_files()
        data = article_form_data(
            title=article.title,
            slug=article.slug,
            author=self.author,
            byline_pk=byline.pk,
            featured_image=SimpleUploadedFile("logo.svg", SVG, "image/svg+xml"),
            featured_image_alt="A description",
        )

        response = self.client.post(
            reverse("admin:articles_article_change", args=[article.pk]), data
        )

        assert response.status_code == 200
        assert featured_image_errors(response)[0].startswith("SVG images are not accepted")
        assert media_files() == self.files_before
        article.refresh_from_db()
        assert article.featured_image.name.endswith("kept.png")


class UploadCleaningTests(AdminFormTestCase):
    def test_admin_upload_loses_its_gps_position_and_is_turned_upright(self):
        upload = SimpleUploadedFile("holiday.jpg", exif_image_bytes(40, 20), "image/jpeg")

        response = self.add_article(
            title="Located", slug="located", featured_image=upload, featured_image_alt="A red field"
        )

        assert response.status_code == 302, response_errors(response)
        stored = stored_image(Article.objects.get(slug="located").featured_image)
        assert stored.format == "JPEG"
        assert stored.size == (20, 40)
        exif = stored.getexif()
        assert GPS_IFD not in exif
        assert ORIENTATION not in exif
        assert "exif" not in stored.info
        # Orientation 6 turns the picture clockwise: the blue left edge ends up on top.
        red, green, blue = stored.getpixel((10, 2))
        assert blue > red

    def test_png_and_webp_saved_through_the_model_lose_their_exif_too(self):
        for image_format in ("PNG", "WEBP"):
            with self.subTest(image_format):
                upload = SimpleUploadedFile(
                    f"located.{image_format.lower()}", exif_image_bytes(image_format=image_format)
                )
                article = ArticleFactory(featured_image=upload, featured_image_alt="Red")

                stored = stored_image(article.featured_image)
                assert stored.format == image_format
                assert stored.size == (20, 40)
                assert not stored.getexif()

    def test_an_animated_gif_without_metadata_is_stored_byte_for_byte(self):
        data = animated_gif_bytes(with_metadata=False)

        article = ArticleFactory(
            featured_image=SimpleUploadedFile("loop.gif", data, "image/gif"),
            featured_image_alt="A loop",
        )

        assert stored_bytes(article.featured_image) == data
        assert stored_image(article.featured_image).n_frames == 3

    def test_saving_without_a_new_image_neither_reencodes_nor_enqueues(self):
        article = ArticleFactory(featured_image=png_upload("same.png"), featured_image_alt="Same")
        article.refresh_from_db()
        with article.featured_image.open("rb") as stored:
            before = stored.read()

        with self.captureOnCommitCallbacks() as callbacks:
            article.title = "A new title"
            article.save()

        assert without_page_cache(callbacks) == []
        with article.featured_image.open("rb") as stored:
            assert stored.read() == before

    def test_a_new_image_enqueues_renditions_once_committed(self):
        with self.captureOnCommitCallbacks() as callbacks:
            ArticleFactory(featured_image=png_upload("new.png"), featured_image_alt="New")

        assert len(without_page_cache(callbacks)) == 1


class AnimatedUploadTests(AdminFormTestCase):
    """Animations lose their metadata too, and keep every frame, its timing and the loop."""

    def upload_in_the_admin(self, upload):
        response = self.add_article(
            title="Animated",
            slug="animated",
            featured_image=upload,
            featured_image_alt="A moving square",
        )
        assert response.status_code == 302, response_errors(response)
        return Article.objects.get(slug="animated").featured_image

    def assert_same_animation(self, stored, original):
        frames, durations, loop = animation_of(stored)
        assert (frames, durations, loop) == animation_of(original)
        assert len(frames) == 3
        assert len(set(frames)) == 3
        assert durations == FRAME_DURATIONS

    def test_an_animated_webp_loses_its_gps_exif_and_xmp_and_stays_animated(self):
        original = animated_webp_bytes()
        assert Image.open(io.BytesIO(original)).getexif().get(GPS_IFD)

        fieldfile = self.upload_in_the_admin(
            SimpleUploadedFile("harbour.webp", original, "image/webp")
        )

        stored = stored_bytes(fieldfile)
        image = stored_image(fieldfile)
        assert image.format == "WEBP"
        assert image.is_animated
        assert not image.getexif()
        assert "exif" not in image.info
        assert "xmp" not in image.info
        assert b"EXIF" not in stored
        assert b"XMP " not in stored
        assert b"GPSLatitude" not in stored
        self.assert_same_animation(stored, original)
        assert fieldfile.name.endswith("/harbour.webp")

    def test_an_animated_gif_loses_its_comment_and_xmp_and_stays_animated(self):
        original = animated_gif_bytes()
        assert b"XMP DataXMP" in original
        assert "comment" in Image.open(io.BytesIO(original)).info

        fieldfile = self.upload_in_the_admin(SimpleUploadedFile("loop.gif", original, "image/gif"))

        stored = stored_bytes(fieldfile)
        image = stored_image(fieldfile)
        assert image.format == "GIF"
        assert "comment" not in image.info
        assert b"XMP DataXMP" not in stored
        assert b"GPSLatitude" not in stored
        assert b"harbour" not in stored
        self.assert_same_animation(stored, original)

    def test_an_animated_gif_that_plays_once_still_plays_once(self):
        original = animated_gif_bytes(loop=None)

        article = ArticleFactory(
            featured_image=SimpleUploadedFile("once.gif", original), featured_image_alt="Once"
        )

        stored = stored_bytes(article.featured_image)
        assert "loop" not in Image.open(io.BytesIO(stored)).info
        self.assert_same_animation(stored, original)

    def test_an_animated_png_loses_its_exif_xmp_and_text_and_stays_animated(self):
        original = animated_png_bytes()
        assert b"eXIf" in original

        article = ArticleFactory(
            featured_image=SimpleUploadedFile("harbour.png", original), featured_image_alt="Moving"
        )

        stored = stored_bytes(article.featured_image)
        image = stored_image(article.featured_image)
        assert image.format == "PNG"
        assert image.is_animated
        assert not image.getexif()
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "Comment"} & set(image.info)
        assert b"eXIf" not in stored
        assert b"harbour" not in stored
        self.assert_same_animation(stored, original)

    def test_a_still_gif_loses_its_comment_too(self):
        buffer = io.BytesIO()
        Image.new("P", (8, 8), 3).save(buffer, format="GIF", comment="Taken at the harbour")

        article = ArticleFactory(
            featured_image=SimpleUploadedFile("still.gif", buffer.getvalue()),
            featured_image_alt="Still",
        )

        stored = stored_bytes(article.featured_image)
        assert b"harbour" not in stored
        assert stored_image(article.featured_image).size == (8, 8)

    def test_an_animated_webp_gets_no_renditions_and_pages_show_the_animation(self):
        with self.captureOnCommitCallbacks(execute=True):
            article = ArticleFactory(
                featured_image=SimpleUploadedFile("loop.webp", animated_webp_bytes()),
                featured_image_alt="A moving square",
            )
        article.refresh_from_db()

        assert article.featured_image_renditions == {
            "source": article.featured_image.name,
            "files": [],
        }
        content = self.client.get(article.get_absolute_url()).content.decode()
        assert f'<img src="{article.featured_image.url}" alt="A moving square"' in content
        assert "<picture>" not in content


class StoredNameTests(AdminFormTestCase):
    """A stored image is named by the format Pillow found in it, not by the uploader's name."""

    def test_a_gif_named_pdf_is_stored_and_served_as_gif(self):
        upload = SimpleUploadedFile("x.pdf", animated_gif_bytes(), "application/pdf")

        response = self.add_article(
            title="Disguised",
            slug="disguised",
            featured_image=upload,
            featured_image_alt="A moving square",
        )

        assert response.status_code == 302, response_errors(response)
        image = Article.objects.get(slug="disguised").featured_image
        assert image.name.endswith("/x.gif")
        assert image.url.endswith("/x.gif")
        assert stored_image(image).format == "GIF"

    def test_a_png_named_jpg_is_stored_as_png(self):
        article = ArticleFactory(featured_image=png_upload("map.jpg"), featured_image_alt="Map")

        assert article.featured_image.name.endswith("/map.png")
        assert stored_image(article.featured_image).format == "PNG"

    def test_each_format_gets_one_extension_whatever_the_case_or_spelling(self):
        for name, image_format, stored in (
            ("FRONT PAGE.JPEG", "JPEG", "front-page.jpg"),
            ("scan.jpe", "JPEG", "scan.jpg"),
            ("Chart.PNG", "PNG", "chart.png"),
            ("spinner.WebP", "WEBP", "spinner.webp"),
            ("no-extension", "GIF", "no-extension.gif"),
        ):
            with self.subTest(name):
                upload = SimpleUploadedFile(name, image_bytes(image_format=image_format))

                article = ArticleFactory(featured_image=upload, featured_image_alt="Photo")

                assert article.featured_image.name.rsplit("/", 1)[1] == stored

    def test_the_name_keeps_a_safe_slug_of_the_uploaders_name(self):
        for name, stored in (
            ("Mój urlop (2024) FINAL.jpg", "moj-urlop-2024-final.png"),
            ("../../etc/passwd.png", "passwd.png"),
            ("<script>.png", "script.png"),
            ("???.png", "image.png"),  # the only upload named so
            ("x" * 200 + ".png", "x" * 60 + ".png"),
        ):
            with self.subTest(name):
                article = ArticleFactory(featured_image=png_upload(name), featured_image_alt="A")

                assert article.featured_image.name.rsplit("/", 1)[1] == stored

    def test_an_authors_photo_is_named_by_its_format_too(self):
        author = AuthorFactory(photo=png_upload("portrait.gif"))

        assert author.photo.name.endswith("/portrait.png")


def renditions_of(fieldfile_owner_renditions):
    return sorted((f["width"], f["format"]) for f in fieldfile_owner_renditions["files"])


class RenditionTests(TestCase):
    def make_article(self, width, height, name="wide.png", **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            article = ArticleFactory(
                featured_image=png_upload(name, width=width, height=height),
                featured_image_alt="A picture",
                **kwargs,
            )
        article.refresh_from_db()
        return article

    def test_upload_gets_webp_and_jpeg_renditions_at_each_width(self):
        article = self.make_article(2000, 1000)

        record = article.featured_image_renditions
        assert record["source"] == article.featured_image.name
        assert renditions_of(record) == [
            (width, key) for width in (480, 960, 1600) for key in ("jpeg", "webp")
        ]
        storage = article.featured_image.storage
        for rendition in record["files"]:
            with storage.open(rendition["name"]) as file:
                image = Image.open(file)
                assert image.format == {"webp": "WEBP", "jpeg": "JPEG"}[rendition["format"]]
                assert image.size == (rendition["width"], rendition["width"] // 2)
                assert rendition["height"] == rendition["width"] // 2
            assert "/renditions/" in rendition["name"]

    def test_renditions_are_never_wider_than_the_original(self):
        article = self.make_article(700, 350)

        assert renditions_of(article.featured_image_renditions) == [
            (480, "jpeg"),
            (480, "webp"),
            (700, "jpeg"),
            (700, "webp"),
        ]

    def test_a_tiny_image_gets_renditions_at_its_own_size_only(self):
        article = self.make_article(8, 8)

        assert {f["width"] for f in article.featured_image_renditions["files"]} == {8}

    def test_the_task_runs_in_the_background_backend_and_reports_success(self):
        article = ArticleFactory(featured_image=png_upload("task.png"), featured_image_alt="T")

        result = make_renditions.enqueue("articles.Article", article.pk, "featured_image")

        assert result.status == TaskResultStatus.SUCCESSFUL
        article.refresh_from_db()
        assert article.featured_image_renditions["source"] == article.featured_image.name

    def test_an_animated_gif_gets_no_renditions(self):
        with self.captureOnCommitCallbacks(execute=True):
            article = ArticleFactory(
                featured_image=SimpleUploadedFile("loop.gif", animated_gif_bytes()),
                featured_image_alt="A loop",
            )
        article.refresh_from_db()

        assert article.featured_image_renditions["files"] == []
        assert not article.featured_picture.has_renditions

    def test_renditions_of_a_replaced_image_are_not_used(self):
        article = self.make_article(1000, 500)
        article.featured_image = png_upload("replacement.png")
        article.save()

        assert not Picture(article.featured_image, article.featured_image_renditions).files


@every_request_rendered
class ResponsivePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = AuthorFactory(slug="painter")

    def make_article(self, with_renditions):
        upload = png_upload("page.png", width=1200, height=600)
        if not with_renditions:
            return ArticleFactory(
                featured_image=upload, featured_image_alt="A red field", authors=[self.author]
            )
        with self.captureOnCommitCallbacks(execute=True):
            article = ArticleFactory(
                featured_image=upload, featured_image_alt="A red field", authors=[self.author]
            )
        article.refresh_from_db()
        return article

    def test_article_page_shows_the_plain_original_before_renditions_exist(self):
        article = self.make_article(with_renditions=False)

        content = self.client.get(article.get_absolute_url()).content.decode()

        assert "<picture>" not in content
        assert "srcset" not in content
        assert (
            f'<img src="{article.featured_image.url}" alt="A red field" width="1200" height="600">'
            in content
        )

    def test_article_page_shows_a_picture_with_srcsets_once_renditions_exist(self):
        article = self.make_article(with_renditions=True)
        url = article.featured_image.storage.url
        files = {
            (f["width"], f["format"]): f["name"] for f in article.featured_image_renditions["files"]
        }

        content = self.client.get(article.get_absolute_url()).content.decode()

        webp, jpeg = (
            ", ".join(f"{url(files[width, key])} {width}w" for width in (480, 960, 1200))
            for key in ("webp", "jpeg")
        )
        sizes = "(min-width: 44rem) 42rem, 100vw"
        assert (
            f'<picture><source type="image/webp" srcset="{webp}" sizes="{sizes}">'
            f'<img src="{article.featured_image.url}" srcset="{jpeg}" sizes="{sizes}" '
            'alt="A red field" width="1200" height="600"></picture>'
        ) in content

    def test_home_page_lead_uses_the_renditions(self):
        self.make_article(with_renditions=True)

        content = self.client.get("/").content.decode()

        assert '<picture><source type="image/webp" srcset="' in content
        assert 'sizes="(min-width: 72rem) 70rem, 100vw"' in content

    def test_pages_with_renditions_run_the_pinned_number_of_queries(self):
        article = self.make_article(with_renditions=True)
        with self.captureOnCommitCallbacks(execute=True):
            self.author.photo = png_upload("face.png", width=600, height=600)
            self.author.save()

        with self.assertNumQueries(ARTICLE_PAGE_QUERIES):
            content = self.client.get(article.get_absolute_url()).content.decode()
        assert content.count("<picture>") == 2  # the featured image and the author's photo
        with self.assertNumQueries(HOME_PAGE_QUERIES):
            content = self.client.get("/").content.decode()
        assert content.count("<picture>") == 1
