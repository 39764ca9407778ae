"""An article's whole life in the newsroom admin, driven in Chromium against a live server.

A contributor writes a draft with a featured image and tags (after two refused uploads) and
sends it for review; an editor finds it on the dashboard, previews it, shares it with an outside
reviewer and schedules it. Readers cannot see it until its publish time passes (the clock is
moved with time-machine, which the live server's thread sees too), then it is on the home page,
its tag page and the feeds. The editor restores an earlier revision, and a save from a stale
form is refused. Screenshots of the dashboard, the article form and the preview are written to
tests/e2e/screenshots/.
"""

import datetime
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, KindFactory, StaffFactory

from .browser import BrowserTestCase

TITLE = "Why the Danube grid deal matters for winter prices"
SLUG = "why-the-danube-grid-deal-matters-for-winter-prices"
STANDFIRST = "Four countries will share reserve power from November. Households may not notice."
FIRST_PARAGRAPH = "Grid operators in four Danube states signed a reserve-sharing deal on Monday."
SECOND_PARAGRAPH = "The deal pools spare capacity so that no single country pays for idle plants."
CARELESS_STANDFIRST = "TK TK standfirst to follow"
ALT_TEXT = "Pylons carrying power lines across a river valley at dusk"
GPS_IFD = 0x8825
BODY_EDITOR = ".field-body [contenteditable=true]"


def photo_jpeg(width=1200, height=675):
    """A small landscape JPEG that carries a GPS position, as a phone photo would."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = y / height
        draw.line([(0, y), (width, y)], fill=(int(40 + 180 * shade), int(70 + 90 * shade), 140))
    draw.ellipse([820, 90, 940, 210], fill=(250, 200, 120))
    draw.polygon([(0, 520), (300, 380), (620, 500), (900, 360), (1200, 470), (1200, 675), (0, 675)],
                 fill=(34, 60, 48))  # fmt: skip
    for x in (180, 560, 940):
        draw.line([(x, 600), (x + 40, 260), (x + 80, 600)], fill=(20, 20, 24), width=6)
        draw.line([(x - 10, 300), (x + 90, 300)], fill=(20, 20, 24), width=5)
    draw.line([(0, 310), (1200, 290)], fill=(15, 15, 15), width=2)
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (45.0, 15.0, 30.0), 3: "E", 4: (19.0, 50.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88, exif=exif)
    return buffer.getvalue()


def jpeg_file(name, data):
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def stored_uploads():
    root = Path(settings.MEDIA_ROOT) / "articles"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.mark.e2e
class EditorialFlowTests(BrowserTestCase):
    def setUp(self):
        self.enterContext(override_settings(SITE_URL=self.live_server_url))
        self.kind = KindFactory(name="Analysis")
        self.author = AuthorFactory(
            name="Ilona Szabó",
            slug="ilona-szabo",
            role="Energy correspondent",
            affiliation="Byline",
            bio="Ilona Szabó covers energy markets in Central and Eastern Europe.",
        )
        # Already live, under the tag the new article will carry: the pages are not empty.
        ArticleFactory(
            title="Gas storage is full, but for how long?",
            slug="gas-storage",
            kind=self.kind,
            authors=[self.author],
            tags=["Energy"],
        )
        self.contributor = StaffFactory(
            username="contributor", first_name="Ilona", last_name="Szabó", role="Contributor"
        )
        self.editor = StaffFactory(
            username="editor", first_name="Marta", last_name="Kovac", role="Editor"
        )
        self.desk_editor = StaffFactory(
            username="desk", first_name="Tomas", last_name="Brenner", role="Editor"
        )
        for path in stored_uploads():
            path.unlink()

    def stored_article(self):
        """The article as saved (tags and bylines prefetched), or None."""
        with self.server_paused():
            return Article.objects.with_listing_relations().filter(slug=SLUG).first()

    def change_url(self, article):
        return self.url(f"/admin/articles/article/{article.pk}/change/")

    def expect_public(self, reader, visible):
        """The article is (or is not) on the home page, its tag page and the feeds."""
        expectation = "to_be_visible" if visible else "not_to_be_attached"
        for path in ["/", "/tags/energy/"]:
            response = reader.goto(self.url(path))
            assert response.status == 200, path
            link = reader.get_by_role("main").get_by_role("link", name=TITLE, exact=True)
            getattr(expect(link.first), expectation)()
        # No live article carried this tag before: its page exists once this one is live.
        response = reader.goto(self.url("/tags/central-europe/"))
        assert response.status == (200 if visible else 404)
        if visible:
            link = reader.get_by_role("main").get_by_role("link", name=TITLE, exact=True)
            expect(link.first).to_be_visible()
        for path in ["/feed/", "/feed/atom/", "/tags/energy/feed/"]:
            feed = reader.request.get(self.url(path))
            assert feed.ok, path
            assert (TITLE in feed.text()) is visible, path
        response = reader.goto(self.url(f"/articles/{SLUG}/"))
        assert response.status == (200 if visible else 404)

    def test_contributor_draft_is_reviewed_scheduled_published_and_revised(self):
        photo = photo_jpeg()

        # A contributor signs in and starts an article.
        contributor = self.signed_in_page("contributor")
        contributor.goto(self.url("/admin/articles/article/"))
        contributor.get_by_role("link", name="Add article").click()
        expect(contributor.locator("h1")).to_have_text("Add article")
        contributor.get_by_label("Title").press_sequentially(TITLE)
        expect(contributor.get_by_label("Slug")).to_have_value(SLUG)
        contributor.get_by_label("Kind").select_option(label="Analysis")
        contributor.get_by_label("Standfirst").fill(STANDFIRST)
        body = contributor.locator(BODY_EDITOR)
        body.click()
        contributor.keyboard.type(FIRST_PARAGRAPH)
        contributor.keyboard.press("Enter")
        contributor.keyboard.type(SECOND_PARAGRAPH)
        contributor.get_by_label("Tags").fill("Energy, Central Europe")
        # A contributor may not publish: the status choices stop at "In review".
        status_options = contributor.get_by_label("Status").locator("option")
        expect(status_options).to_have_text(["Draft", "In review"])
        # The byline: the author is picked through the autocomplete box.
        contributor.locator("#id_bylines-0-author + .select2 .select2-selection").click()
        contributor.locator(".select2-search__field").fill("Szab")
        contributor.locator(".select2-results__option", has_text="Ilona Szabó").click()
        expect(contributor.locator("#select2-id_bylines-0-author-container")).to_have_text(
            "Ilona Szabó"
        )

        # Bad input: a photo cut off half way is refused with a clear message; nothing is kept.
        image_input = contributor.locator("#id_featured_image")
        image_input.set_input_files(jpeg_file("pylons.jpg", photo[: len(photo) // 2]))
        contributor.locator("#id_featured_image_alt").fill(ALT_TEXT)
        contributor.get_by_role("button", name="Save", exact=True).click()
        expect(contributor.locator(".errornote")).to_be_visible()
        expect(contributor.locator(".field-featured_image .errorlist")).to_have_text(
            "This file is not a readable image (it may be damaged or truncated)."
        )
        expect(contributor.get_by_label("Title")).to_have_value(TITLE)
        expect(contributor.locator(BODY_EDITOR)).to_contain_text(SECOND_PARAGRAPH)
        assert self.stored_article() is None
        assert stored_uploads() == []

        # Bad input: an image without alt text is refused too.
        image_input.set_input_files(jpeg_file("pylons.jpg", photo))
        contributor.locator("#id_featured_image_alt").fill("")
        contributor.get_by_role("button", name="Save", exact=True).click()
        expect(contributor.locator(".field-featured_image_alt .errorlist")).to_have_text(
            "Describe the featured image for readers who cannot see it."
        )
        assert self.stored_article() is None
        assert stored_uploads() == []

        # With the photo and its description the draft is saved.
        image_input.set_input_files(jpeg_file("pylons.jpg", photo))
        contributor.locator("#id_featured_image_alt").fill(ALT_TEXT)
        contributor.locator("#id_featured_image_caption").fill("Reserve lines near Novi Sad.")
        contributor.get_by_role("button", name="Save", exact=True).click()
        expect(contributor.locator(".messagelist .success")).to_contain_text(
            "was added successfully"
        )
        article = self.stored_article()
        assert article.status == Article.Status.DRAFT
        assert article.created_by_id == self.contributor.pk
        assert article.body == f"<p>{FIRST_PARAGRAPH}</p><p>{SECOND_PARAGRAPH}</p>"
        assert sorted(tag.name for tag in article.tags.all()) == ["Central Europe", "Energy"]
        assert article.ordered_authors == [self.author]
        with Image.open(article.featured_image.path) as stored:
            assert stored.size == (1200, 675)
            assert GPS_IFD not in stored.getexif()
        assert article.featured_image_renditions["source"] == article.featured_image.name

        # The contributor sends it for review from the article list.
        row = contributor.locator("#result_list tbody tr", has_text=TITLE)
        expect(row).to_contain_text("Draft")
        row.locator("input[name=_selected_action]").check()
        contributor.locator("select[name=action]").select_option(
            label="Submit selected drafts for review"
        )
        contributor.get_by_role("button", name="Go").click()
        expect(contributor.locator(".messagelist .success")).to_have_text(
            "1 article sent to the editors for review."
        )
        expect(row).to_contain_text("In review")
        article = self.stored_article()
        assert article.status == Article.Status.IN_REVIEW

        # An editor signs in: the article waits on the dashboard.
        editor = self.signed_in_page("editor")
        in_review = editor.get_by_role("region", name="Articles in review")
        expect(in_review.get_by_role("link", name=TITLE)).to_be_visible()
        expect(editor.get_by_role("region", name="Scheduled")).to_contain_text(
            "Nothing is scheduled."
        )
        self.screenshot(editor, "dashboard")
        in_review.get_by_role("link", name=TITLE).click()
        expect(editor.locator("h1")).to_have_text("Change article")
        expect(editor.get_by_label("Title")).to_have_value(TITLE)
        expect(editor.locator(BODY_EDITOR)).to_contain_text(FIRST_PARAGRAPH)
        expect(editor.locator(".field-featured_image a")).to_contain_text("pylons")
        self.screenshot(editor, "article-form")

        # The preview shows the article as readers will see it, marked as not published.
        with editor.context.expect_page() as opened:
            editor.get_by_role("link", name="Preview").click()
        preview = opened.value
        preview.wait_for_load_state()
        expect(preview.locator("h1")).to_have_text(f"{TITLE} – Analysis")
        expect(preview.get_by_text("Preview — not published")).to_be_visible()
        expect(preview.get_by_text(STANDFIRST)).to_be_visible()
        expect(preview.get_by_text(SECOND_PARAGRAPH)).to_be_visible()
        featured = preview.get_by_role("img", name=ALT_TEXT)
        expect(featured).to_be_visible()
        assert featured.evaluate("img => img.complete && img.naturalWidth > 0")
        self.screenshot(preview, "preview")
        preview.close()

        # A share link for an outside reviewer works in a browser that is not signed in.
        editor.get_by_role("button", name="Create share link").click()
        shared_message = editor.locator(".messagelist .success")
        expect(shared_message).to_contain_text("Share link for outside review, valid until")
        share_link = shared_message.get_by_role("link").get_attribute("href")
        on_site_url = re.escape(self.live_server_url)
        assert re.fullmatch(rf"{on_site_url}/articles/shared/[^/]+/", share_link)
        reviewer = self.new_page()
        reviewer.goto(share_link)
        expect(reviewer.locator("h1")).to_have_text(f"{TITLE} – Analysis")
        expect(reviewer.get_by_text("Shared draft — not published")).to_be_visible()
        expect(reviewer.get_by_text(FIRST_PARAGRAPH)).to_be_visible()
        assert settings.SESSION_COOKIE_NAME not in {c["name"] for c in reviewer.context.cookies()}

        # The editor schedules it for 09:00 two days from now.
        goes_live = (timezone.now() + datetime.timedelta(days=2)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        editor.get_by_label("Status").select_option(label="Published")
        editor.locator("#id_published_at_0").fill(goes_live.strftime("%Y-%m-%d"))
        editor.locator("#id_published_at_1").fill("09:00:00")
        editor.get_by_role("button", name="Save", exact=True).click()
        expect(editor.locator(".messagelist .success")).to_contain_text("was changed successfully")
        row = editor.locator("#result_list tbody tr", has_text=TITLE)
        expect(row).to_contain_text(f"Scheduled for {goes_live:%-d %b %Y}, 09:00")
        article = self.stored_article()
        assert article.status == Article.Status.PUBLISHED
        assert article.published_at == goes_live
        assert article.is_scheduled()

        # Until its time, readers find it nowhere, and the share link has ended.
        reader = self.new_page()
        self.expect_public(reader, visible=False)
        assert reviewer.goto(share_link).status == 404
        with time_machine.travel(goes_live - datetime.timedelta(minutes=1), tick=True):
            self.expect_public(reader, visible=False)

        # Once its time has passed, it is everywhere at once, with no job run.
        with time_machine.travel(goes_live + datetime.timedelta(seconds=1), tick=True):
            self.expect_public(reader, visible=True)
            reader.goto(self.url(f"/articles/{SLUG}/"))
            expect(reader.locator("h1")).to_have_text(f"{TITLE} – Analysis")
            expect(reader.get_by_role("img", name=ALT_TEXT)).to_be_visible()
            expect(reader.get_by_text("Preview — not published")).to_have_count(0)

            # A careless edit goes live; the editor restores the scheduled revision.
            editor.goto(self.change_url(article))
            editor.get_by_label("Standfirst").fill(CARELESS_STANDFIRST)
            editor.get_by_role("button", name="Save and continue editing").click()
            expect(editor.locator(".messagelist .success")).to_contain_text(
                "was changed successfully"
            )
            reader.goto(self.url(f"/articles/{SLUG}/"))
            expect(reader.get_by_text(CARELESS_STANDFIRST)).to_be_visible()

            editor.get_by_role("link", name="History").click()
            history = editor.locator("#change-history tbody tr")
            expect(history).to_have_count(4)  # added, submitted, scheduled, the careless edit
            editor.get_by_role("button", name="Compare the chosen revisions").click()
            standfirst_diff = editor.locator(
                "fieldset", has=editor.get_by_role("heading", name="Standfirst", exact=True)
            )
            expect(standfirst_diff.locator("del").first).to_be_visible()
            removed = " ".join(standfirst_diff.locator("del").all_inner_texts())
            added = " ".join(standfirst_diff.locator("ins").all_inner_texts())
            assert " ".join(removed.split()) == STANDFIRST
            assert " ".join(added.split()) == CARELESS_STANDFIRST
            expect(editor.get_by_role("heading", name="Body (unchanged)")).to_be_visible()
            editor.go_back()
            editor.locator("#change-history tbody tr").nth(1).get_by_role("link").click()
            expect(editor.locator("h1")).to_contain_text("Restore")
            expect(editor.get_by_label("Standfirst")).to_have_value(STANDFIRST)
            editor.get_by_role("button", name="Save", exact=True).click()
            expect(editor.locator(".messagelist .success")).to_contain_text(
                "was changed successfully"
            )
            editor.goto(self.url(f"/admin/articles/article/{article.pk}/history/"))
            expect(editor.locator("#change-history tbody tr").first).to_contain_text(
                "Restored the version saved on"
            )
            article = self.stored_article()
            assert article.standfirst == STANDFIRST
            assert article.status == Article.Status.PUBLISHED
            assert article.published_at == goes_live
            reader.goto(self.url(f"/articles/{SLUG}/"))
            expect(reader.get_by_text(STANDFIRST)).to_be_visible()

            # Two editors open the article; the second to save from a stale form is refused.
            desk = self.signed_in_page("desk")
            editor.goto(self.change_url(article))
            desk.goto(self.change_url(article))
            desk.get_by_label("Standfirst").fill("Four countries will share reserve power.")
            desk.get_by_role("button", name="Save and continue editing").click()
            expect(desk.locator(".messagelist .success")).to_contain_text(
                "was changed successfully"
            )
            editor.get_by_label("Title").fill("Why the Danube deal matters")
            editor.get_by_role("button", name="Save and continue editing").click()
            refusal = editor.locator(".errornote, .errorlist.nonfield")
            expect(refusal.last).to_contain_text("Someone else saved this article at")
            expect(refusal.last).to_contain_text("Tomas Brenner changed standfirst")
            expect(refusal.last).to_contain_text("Your changes have not been saved")
            expect(editor.get_by_label("Title")).to_have_value("Why the Danube deal matters")
            article = self.stored_article()
            assert article.title == TITLE
            assert article.standfirst == "Four countries will share reserve power."
