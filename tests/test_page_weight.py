"""An article page weighs under 100 KB before images: its HTML, CSS and JavaScript, gzipped.

The weight is what a reader downloads with compression on (whitenoise serves .gz copies of the
static files; the HTML is compressed the same way by any front server). Images are left out:
they are responsive renditions sized by the browser.
"""

import gzip
import json
import re
import tempfile
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.templatetags.static import static
from django.test import SimpleTestCase, TestCase, override_settings

from tests.factories import ArticleFactory, AuthorFactory, CommentFactory, KindFactory
from tests.sites import settings_output

BUDGET_BYTES = 100 * 1024
PARAGRAPH = (
    "<p>Officials from both delegations said the talks had been businesslike, and that the "
    "questions left open — energy contracts, the rail corridor and the currency swap line — "
    "would be settled together or not at all, as each depended on the terms of the others.</p>"
)


def gzipped_size(data):
    return len(gzip.compress(data, compresslevel=9))


def static_asset(url):
    """The bytes of a stylesheet or script the page links to, read from the static folders."""
    path = re.sub(r"^/static/", "", url.split("?")[0])
    found = finders.find(path)
    assert found, f"{url} is linked but not found among the static files"
    with open(found, "rb") as asset:
        return asset.read()


class ArticlePageWeightTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # A long analysis piece (about 9 KB of text, like the reference article), two authors,
        # tags and a busy comment thread.
        cls.article = ArticleFactory(
            title="Measuring the strategic alignment of two neighbours",
            kind=KindFactory(name="Analysis"),
            body="<h2>Background</h2>" + PARAGRAPH * 30,
            authors=[AuthorFactory(bio="Writes about diplomacy. " * 20) for _ in range(2)],
            tags=["Diplomacy", "Energy", "Trade", "Security"],
        )
        for number in range(40):
            CommentFactory(article=cls.article, body=f"Comment {number}: " + "A fair point. " * 30)

    def test_article_page_html_css_and_js_gzipped_is_under_100_kb(self):
        response = self.client.get(self.article.get_absolute_url())
        html = response.content
        text = html.decode()
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
        scripts = re.findall(r'<script[^>]* src="([^"]+)"', text)
        assert stylesheets, "the page links no stylesheet: the test would measure too little"

        sizes = {"html": gzipped_size(html)}
        sizes.update({url: gzipped_size(static_asset(url)) for url in stylesheets + scripts})
        total = sum(sizes.values())

        assert len(html) > 30_000, "the page is too small to say anything about the budget"
        assert total < BUDGET_BYTES, f"{total} bytes gzipped is over budget: {sizes}"


class StaticFilesInProductionTests(SimpleTestCase):
    """With DEBUG off, whitenoise serves the static files under hashed names (cached for ever)
    with gzip copies beside them; tests use plain storage so they need no collectstatic."""

    def test_production_settings_use_compressed_manifest_storage(self):
        output = settings_output(
            "from django.conf import settings\n"
            "print(settings.STORAGES['staticfiles']['BACKEND'])\n"
            "print('whitenoise.middleware.WhiteNoiseMiddleware' in settings.MIDDLEWARE)",
            DEBUG="0",
            SECRET_KEY="a-real-key",
        )

        assert output.split() == [
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
            "True",
        ]

    def test_collectstatic_writes_hashed_and_gzipped_stylesheet(self):
        storage = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
        with tempfile.TemporaryDirectory() as root:
            # Only the project's own static folder: the apps' (admin, editor) take longer.
            with override_settings(
                STATIC_ROOT=root,
                STORAGES={"staticfiles": storage},
                STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
            ):
                call_command("collectstatic", interactive=False, verbosity=0)
                url = static("css/site.css")
            hashed = json.loads(Path(root, "staticfiles.json").read_text())["paths"]["css/site.css"]

            assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
            assert url == f"/static/{hashed}"
            assert Path(root, f"{hashed}.gz").stat().st_size < Path(root, hashed).stat().st_size
