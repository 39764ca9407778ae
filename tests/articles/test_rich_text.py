import io
import re
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from PIL import Image

from articles.forms import ArticleAdminForm
from articles.models import Article
from articles.sanitize import sanitize_html
from tests.admin_forms import (
    EditorAdminTestCase,
    SignedInEditorTestCase,
    article_form_data,
    response_errors,
)
from tests.articles.images import (
    animated_gif_bytes,
    animated_webp_bytes,
    animation_of,
    png_upload,
)
from tests.factories import ArticleFactory, AuthorFactory, StaffFactory

WORD_PASTE = """
<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings>
</xml><![endif]--><!--[if gte mso 10]><style>table.MsoNormalTable {mso-style-name:"Table Normal";}
</style><![endif]-->
<style>p.MsoNormal { mso-style-parent:""; margin:0cm; font-family:"Calibri"; }</style>
<p class="MsoNormal" style="margin-bottom:0cm;mso-line-height-rule:exactly">
<span lang="EN-GB" style="font-size:12.0pt;mso-bidi-font-family:Arial">Talks resumed in
<b style="mso-bidi-font-weight:normal">Geneva</b> on Monday.<o:p></o:p></span></p>
<p class="MsoNormal"><![if !supportLists]><span style="mso-list:Ignore">·</span><![endif]>
<span class="SpellE">Delegates</span> <i>disagreed</i>.<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
"""


def external_urls(html):
    """Every address the page would fetch or link to off this site."""
    addresses = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', html)
    addresses += re.findall(r"url\(\s*['\"]?([^'\")]+)", html)
    return [address for address in addresses if re.match(r"(?:https?:)?//", address)]


class PastedWordHtmlTests(TestCase):
    def test_word_html_comes_out_as_clean_paragraphs(self):
        body = sanitize_html(WORD_PASTE)

        assert body == (
            "<p>Talks resumed in\n<b>Geneva</b> on Monday.</p>\n<p>Delegates <i>disagreed</i>.</p>"
        )
        for leftover in ["mso-", "<o:", "class=", "style", "<span", "[if", "<xml", "Calibri"]:
            assert leftover not in body, leftover

    def test_word_html_posted_through_the_admin_is_stored_clean(self):
        editor = StaffFactory(role="Editor")
        self.client.force_login(editor)

        response = self.client.post(
            reverse("admin:articles_article_add"),
            article_form_data(
                title="Pasted", slug="pasted", author=AuthorFactory(), body=WORD_PASTE
            ),
        )

        assert response.status_code == 302, response_errors(response)
        body = Article.objects.get(slug="pasted").body
        assert body.count("<p>") == 2
        assert "mso-" not in body
        assert "<o:p>" not in body


class HostileBodyThroughTheAdminTests(EditorAdminTestCase):
    def post_body(self, body, slug="hostile"):
        response = self.add_article(title="Hostile", slug=slug, body=body)
        assert response.status_code == 302, response_errors(response)
        return Article.objects.get(slug=slug).body

    def test_script_and_style_elements_are_removed_with_their_content(self):
        body = self.post_body(
            "<p>Before</p><script>alert('x')</script><style>p{color:red}</style><p>After</p>"
        )

        assert body == "<p>Before</p><p>After</p>"

    def test_event_handler_attributes_are_removed(self):
        body = self.post_body(
            '<p onclick="steal()">Text</p><img src="https://example.org/a.png" alt="A" '
            'onerror="steal()"><a href="https://example.org/" onmouseover="steal()">link</a>'
        )

        assert "steal" not in body
        assert 'src="https://example.org/a.png"' in body
        assert 'href="https://example.org/"' in body

    def test_javascript_urls_are_removed(self):
        body = self.post_body(
            '<p><a href="javascript:alert(1)">one</a> <a href=" JaVaScRiPt:alert(2)">two</a>'
            ' <img src="javascript:alert(3)" alt="x"></p>'
        )

        assert "javascript" not in body.lower()
        assert "alert" not in body
        assert "one" in body
        assert "two" in body

    def test_iframes_forms_and_unknown_tags_are_dropped(self):
        body = self.post_body(
            '<p>Keep</p><iframe src="https://evil.example/"></iframe>'
            '<form action="https://evil.example/"><input name="q"></form><svg onload="x()"></svg>'
        )

        assert body == "<p>Keep</p>"

    def test_figure_with_image_and_caption_survives(self):
        figure = (
            '<figure><img src="/media/articles/inline/2026/01/map.png" alt="Map of the route">'
            "<figcaption>The route, 2026.</figcaption></figure>"
        )

        body = self.post_body(f"<p>Intro</p>{figure}")

        assert figure in body

    def test_editor_headings_lists_links_and_quotes_survive(self):
        html = (
            "<h2>Section</h2><h3>Sub</h3><h4>Minor</h4><p><strong>bold</strong> <em>it</em></p>"
            "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>quoted</p></blockquote>"
        )

        body = self.post_body(html + '<p><a href="https://example.org/">link</a></p>')

        assert body.startswith(html)
        assert 'href="https://example.org/"' in body
        assert 'rel="noopener noreferrer"' in body


class ArticleFormCleansTheBodyTests(TestCase):
    def test_form_cleaned_body_is_what_will_be_stored(self):
        form = ArticleAdminForm(
            data={
                "title": "T",
                "slug": "t",
                "body": '<p onclick="x()">Hi<script>bad()</script></p>',
                "status": "draft",
            }
        )

        form.is_valid()

        assert form.cleaned_data["body"] == "<p>Hi</p>"

    def test_a_body_that_is_only_an_empty_editor_paragraph_is_refused(self):
        form = ArticleAdminForm(
            data={"title": "T", "slug": "t", "body": "<p></p><script>x()</script>"}
        )

        assert not form.is_valid()
        assert "body" in form.errors

    def test_a_body_that_is_only_an_image_is_accepted(self):
        form = ArticleAdminForm(data={"body": '<figure><img src="/media/a.png" alt="A"></figure>'})

        form.is_valid()

        assert "body" not in form.errors


class BodyEditorWidgetTests(SignedInEditorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = ArticleFactory(body="<h2>Heading</h2><p>Story text.</p>")

    def test_change_page_renders_the_prose_editor_for_the_body(self):
        response = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))

        html = response.content.decode()
        assert response.status_code == 200
        assert 'name="body"' in html
        assert "data-django-prose-editor-configurable" in html
        assert "/static/django_prose_editor/editor.js" in html
        assert "/static/django_prose_editor/configurable.js" in html
        assert "&lt;h2&gt;Heading&lt;/h2&gt;" in html

    def test_editor_offers_only_what_the_sanitiser_keeps(self):
        response = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))

        config = response.context["adminform"].form.fields["body"].widget.get_config()
        extensions = config["extensions"]
        assert extensions["Heading"] == {"levels": [2, 3, 4]}
        for offered in ["Bold", "Italic", "BulletList", "OrderedList", "Blockquote", "Link"]:
            assert offered in extensions
        for refused in ["Table", "TextAlign", "Color", "Highlight", "HTML", "CodeBlock"]:
            assert refused not in extensions
        assert extensions["Figure"]["pickerUrl"] == reverse("admin:articles_article_inline_image")

    def test_change_page_references_only_local_static_files(self):
        response = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))

        html = response.content.decode()
        assert external_urls(html) == []
        assert '<script type="importmap"' in html


class InlineImageUploadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.url = reverse("admin:articles_article_inline_image")

    def test_editor_uploads_an_image_and_gets_its_url(self):
        self.client.force_login(self.editor)

        response = self.client.post(
            self.url,
            {"image": png_upload("Map of the route.png"), "alt_text": "Map"},
            headers={"accept": "application/json"},
        )

        assert response.status_code == 201
        url = response.json()["url"]
        assert url.startswith("/media/articles/inline/")
        assert url.endswith(".png")
        assert response.json()["alt"] == "Map"

    def post_json(self, upload):
        self.client.force_login(self.editor)
        response = self.client.post(
            self.url, {"image": upload}, headers={"accept": "application/json"}
        )
        assert response.status_code == 201, response.content
        url = response.json()["url"]
        stored = Path(settings.MEDIA_ROOT, url.removeprefix(settings.MEDIA_URL)).read_bytes()
        return url, stored

    def test_a_gif_named_pdf_is_stored_as_gif_under_a_slug_of_its_name(self):
        url, stored = self.post_json(
            SimpleUploadedFile("Route Map.pdf", animated_gif_bytes(), "application/pdf")
        )

        assert re.fullmatch(r"/media/articles/inline/\d{4}/\d{2}/route-map-[a-z0-9]{8}\.gif", url)
        assert Image.open(io.BytesIO(stored)).format == "GIF"

    def test_an_animated_webp_loses_its_metadata_and_stays_animated(self):
        original = animated_webp_bytes()

        url, stored = self.post_json(SimpleUploadedFile("loop.webp", original, "image/webp"))

        image = Image.open(io.BytesIO(stored))
        assert url.endswith(".webp")
        assert not image.getexif()
        assert "xmp" not in image.info
        assert animation_of(stored) == animation_of(original)

    def test_upload_page_hands_the_url_back_to_the_editor_window(self):
        self.client.force_login(self.editor)

        response = self.client.post(
            f"{self.url}?CKEditorFuncNum=-1", {"image": png_upload(), "caption": "Route"}
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-editor-callback="-1"' in html
        assert 'data-url="/media/articles/inline/' in html
        assert "articles/admin/inline_image_picker.js" in html

    @override_settings(SITE_URL="https://news.example", ALLOWED_HOSTS=["admin.internal.example"])
    def test_upload_page_offers_a_root_relative_address_never_the_admin_host(self):
        """The address goes into a published body: not the host the editor reached the admin
        on, and not bound to any host, so it works wherever the site is served."""
        self.client.force_login(self.editor)

        response = self.client.post(
            self.url, {"image": png_upload()}, headers={"host": "admin.internal.example"}
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert "admin.internal.example" not in html
        (offered,) = re.findall(r'readonly value="([^"]*)"', html)
        assert re.fullmatch(r"/media/articles/inline/\d{4}/\d{2}/photo-[a-z0-9]{8}\.png", offered)
        assert f'data-url="{offered}"' in html

    def test_svg_upload_is_refused(self):
        self.client.force_login(self.editor)
        svg = png_upload("x.svg")
        svg.file.seek(0)
        svg.file.truncate()
        svg.file.write(b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')
        svg.size = svg.file.tell()

        response = self.client.post(
            self.url, {"image": svg}, headers={"accept": "application/json"}
        )

        assert response.status_code == 400
        assert "SVG" in str(response.json()["errors"])

    def test_staff_without_article_permission_is_refused(self):
        self.client.force_login(StaffFactory(role="Moderator"))

        response = self.client.post(self.url, {"image": png_upload()})

        assert response.status_code == 403

    def test_upload_without_csrf_token_is_refused(self):
        self.client.force_login(self.editor)
        self.client.handler.enforce_csrf_checks = True

        response = self.client.post(self.url, {"image": png_upload()})

        assert response.status_code == 403
