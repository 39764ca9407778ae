"""Every page has a link preview image: an article's featured image, else the site's share image
(`SITE_SHARE_IMAGE`, by default the card articles/share_image.py draws)."""

import json
import re
import tempfile
from pathlib import Path

from django.core.checks import run_checks
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase, override_settings
from PIL import Image

from articles import share_image, social
from tests.articles.images import png_upload
from tests.articles.page_meta import meta_names, news_article, opengraph
from tests.factories import ArticleFactory, AuthorFactory

DEFAULT_CARD = "http://testserver/static/articles/share-image.png"


class ShareImageTestCase(TestCase):
    def setUp(self):
        social.static_image_size.cache_clear()
        self.addCleanup(social.static_image_size.cache_clear)

    def get(self, path):
        response = self.client.get(path)
        assert response.status_code == 200, path
        return response


class ArticleWithoutFeaturedImageTests(ShareImageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Ports and harbours", slug="ports")

    def test_previews_show_the_sites_card_with_its_size(self):
        response = self.get(self.article.get_absolute_url())
        og = opengraph(response)

        assert og["og:image"] == [DEFAULT_CARD]
        assert og["og:image:type"] == ["image/png"]
        assert (og["og:image:width"], og["og:image:height"]) == (["1200"], ["630"])
        assert og["og:image:alt"] == ["Byline"]
        names = meta_names(response)
        assert names["twitter:card"] == "summary_large_image"
        assert names["twitter:image"] == DEFAULT_CARD
        assert names["twitter:image:alt"] == "Byline"

    @override_settings(SITE_URL="https://news.example")
    def test_the_card_is_on_site_url_whatever_the_host(self):
        response = self.client.get(self.article.get_absolute_url(), headers={"host": "testserver"})

        assert opengraph(response)["og:image"] == [
            "https://news.example/static/articles/share-image.png"
        ]
        assert news_article(response)["image"][0]["url"] == (
            "https://news.example/static/articles/share-image.png"
        )

    def test_structured_data_uses_the_card_too(self):
        (image,) = news_article(self.get(self.article.get_absolute_url()))["image"]

        assert image == {
            "@type": "ImageObject",
            "url": DEFAULT_CARD,
            "width": 1200,
            "height": 630,
        }

    @override_settings(SITE_SHARE_IMAGE="https://cdn.example/brand/card.jpg")
    def test_an_absolute_url_is_used_as_it_is_without_a_size(self):
        response = self.get(self.article.get_absolute_url())
        og = opengraph(response)

        assert og["og:image"] == ["https://cdn.example/brand/card.jpg"]
        assert og["og:image:type"] == ["image/jpeg"]
        assert "og:image:width" not in og and "og:image:height" not in og
        assert meta_names(response)["twitter:card"] == "summary_large_image"
        assert meta_names(response)["twitter:image"] == "https://cdn.example/brand/card.jpg"
        (image,) = news_article(response)["image"]
        assert image == {"@type": "ImageObject", "url": "https://cdn.example/brand/card.jpg"}

    def test_a_static_path_is_served_from_the_static_files_with_its_size(self):
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "brand").mkdir()
            Image.new("RGB", (1000, 525), "#9b1c1c").save(Path(folder, "brand", "card.jpg"))
            with override_settings(SITE_SHARE_IMAGE="brand/card.jpg", STATICFILES_DIRS=[folder]):
                response = self.get(self.article.get_absolute_url())
        og = opengraph(response)

        assert og["og:image"] == ["http://testserver/static/brand/card.jpg"]
        assert og["og:image:type"] == ["image/jpeg"]
        assert (og["og:image:width"], og["og:image:height"]) == (["1000"], ["525"])
        assert meta_names(response)["twitter:image"] == "http://testserver/static/brand/card.jpg"

    @override_settings(SITE_SHARE_IMAGE="")
    def test_with_no_share_image_the_card_is_small_and_has_no_image(self):
        response = self.get(self.article.get_absolute_url())

        assert "og:image" not in opengraph(response)
        assert meta_names(response)["twitter:card"] == "summary"
        assert "twitter:image" not in meta_names(response)
        assert "image" not in news_article(response)

    def test_a_static_path_missing_from_the_manifest_leaves_the_page_whole(self):
        storages = {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        }
        with tempfile.TemporaryDirectory() as root:
            Path(root, "staticfiles.json").write_text(
                json.dumps({"version": "1.1", "paths": {"css/site.css": "css/site.css"}})
            )
            with override_settings(
                STATIC_ROOT=root, STORAGES=storages, SITE_SHARE_IMAGE="brand/missing.png"
            ):
                response = self.get(self.article.get_absolute_url())

        assert "og:image" not in opengraph(response)
        assert meta_names(response)["twitter:card"] == "summary"


class ArticleWithFeaturedImageTests(ShareImageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(
            featured_image=png_upload("summit.png", width=800, height=420),
            featured_image_alt="Delegates",
        )

    @override_settings(SITE_SHARE_IMAGE="https://cdn.example/brand/card.jpg")
    def test_the_featured_image_comes_first(self):
        response = self.get(self.article.get_absolute_url())
        og = opengraph(response)

        (url,) = og["og:image"]
        assert url.startswith("http://testserver/media/articles/")
        assert og["og:image:alt"] == ["Delegates"]
        assert meta_names(response)["twitter:image"] == url
        assert news_article(response)["image"][0]["url"] == url


class OtherPagesTests(ShareImageTestCase):
    """Home, tag, author and kind pages are shared too: they show the site's card."""

    @classmethod
    def setUpTestData(cls):
        ArticleFactory(
            tags=["Trade"],
            authors=[AuthorFactory(slug="amara", name="Amara")],
            featured_image=png_upload("summit.png", width=800, height=420),
        )

    def test_list_pages_show_the_sites_card(self):
        for path in ("/", "/tags/trade/", "/authors/amara/", "/kinds/analysis/"):
            response = self.get(path)
            og = opengraph(response)

            assert og["og:image"] == [DEFAULT_CARD], path
            assert (og["og:image:width"], og["og:image:height"]) == (["1200"], ["630"]), path
            assert meta_names(response)["twitter:card"] == "summary_large_image", path
            assert meta_names(response)["twitter:image"] == DEFAULT_CARD, path

    @override_settings(SITE_SHARE_IMAGE="https://cdn.example/brand/card.png")
    def test_list_pages_follow_the_setting(self):
        assert opengraph(self.get("/"))["og:image"] == ["https://cdn.example/brand/card.png"]


class CollectedStaticFilesTests(ShareImageTestCase):
    def test_with_collectstatic_the_card_has_its_hashed_address(self):
        article = ArticleFactory()
        storages = {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        }
        with tempfile.TemporaryDirectory() as root:
            with override_settings(
                STATIC_ROOT=root,
                STORAGES=storages,
                STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
            ):
                call_command("collectstatic", interactive=False, verbosity=0)
                og = opengraph(self.get(article.get_absolute_url()))
            hashed = json.loads(Path(root, "staticfiles.json").read_text())["paths"][
                share_image.STATIC_PATH
            ]

        assert re.fullmatch(r"articles/share-image\.[0-9a-f]{12}\.png", hashed)
        assert og["og:image"] == [f"http://testserver/static/{hashed}"]
        assert (og["og:image:width"], og["og:image:height"]) == (["1200"], ["630"])


class TheCardTests(SimpleTestCase):
    def test_the_committed_card_is_a_small_png_at_1200_by_630_with_the_sites_name(self):
        with Image.open(share_image.FILE) as image:
            assert image.format == "PNG"
            assert image.size == (1200, 630)
        assert share_image.FILE.stat().st_size < 50_000
        assert share_image.name_drawn(share_image.FILE) == "Byline"

    def test_the_card_is_drawn_in_the_sites_palette(self):
        with Image.open(share_image.FILE) as image:
            colours = {colour for _count, colour in image.convert("RGB").getcolors(256)}

        for css in (share_image.PAPER, share_image.INK, share_image.ACCENT):
            assert tuple(int(css[i : i + 2], 16) for i in (1, 3, 5)) in colours, css
        site_css = (Path(share_image.__file__).parent.parent / "static/css/site.css").read_text()
        for name, css in (("paper", share_image.PAPER), ("ink", share_image.INK)):
            assert f"--{name}: {css};" in site_css
        assert f"--accent: {share_image.ACCENT};" in site_css

    def test_the_command_redraws_it_for_another_name(self):
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder, "card.png")
            call_command(
                "draw_share_image",
                name="The Dhaka Review of International Affairs",
                tagline="Analysis",
                output=str(output),
                stdout=open(Path(folder, "log"), "w"),  # noqa: SIM115
            )

            with Image.open(output) as image:
                assert image.size == (1200, 630)
            assert share_image.name_drawn(output) == "The Dhaka Review of International Affairs"

    def test_a_long_name_is_drawn_on_two_lines_inside_the_margins(self):
        image = share_image.draw("The Dhaka Review of International Affairs and Security")
        # Nothing but paper in the side margins, between the accent bands.
        margin = share_image.MARGIN - 8
        paper = Image.new("RGB", (margin, 500), share_image.PAPER)
        for box in ((0, 60, margin, 560), (1200 - margin, 60, 1200, 560)):
            assert image.crop(box).tobytes() == paper.tobytes()


class ShareImageChecksTests(SimpleTestCase):
    def messages(self):
        return [message.id for message in run_checks() if message.id.startswith("articles.")]

    def test_the_default_card_passes(self):
        assert self.messages() == []

    @override_settings(SITE_SHARE_IMAGE="https://cdn.example/card.png")
    def test_an_absolute_url_passes(self):
        assert self.messages() == []

    @override_settings(SITE_SHARE_IMAGE="brand/nowhere.png")
    def test_a_static_path_naming_no_file_is_reported(self):
        assert self.messages() == ["articles.W001"]

    @override_settings(SITE_NAME="The Ledger")
    def test_the_default_card_showing_another_name_is_reported(self):
        assert self.messages() == ["articles.W002"]
