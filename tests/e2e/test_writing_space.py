"""The article form is a page to write a 3,000-word analysis on, at 1280×800 in light and dark.

Title, standfirst and body take the form's width in the reading font, the body editor is at
least 60% of the screen tall and grows with the text, its toolbar stays in view while
scrolling, and the length in words and minutes of reading follows the text. Screenshots go to
tests/e2e/screenshots/ (gitignored) for a visual review.
"""

import re

import pytest
from playwright.sync_api import expect
from reversion.models import Version

from articles.models import Article
from articles.revisions import AUTOSAVE_COMMENT
from tests.factories import ArticleFactory, DraftArticleFactory, StaffFactory

from .browser import LAPTOP, PASSWORD, BrowserTestCase

PARAGRAPH = (
    "The corridor was never only about freight: it was about who sets the rules at the border, "
    "and the contracts signed this spring say more about that than any communiqué. "
)


@pytest.mark.e2e
class WritingSpaceTests(BrowserTestCase):
    def setUp(self):
        self.editor = StaffFactory(username="editor", role="Editor")
        self.editor.set_password(PASSWORD)
        self.editor.save()

    def editor_page(self, scheme="light"):
        return self.signed_in_page("editor", viewport=LAPTOP, color_scheme=scheme)

    def body_editor(self, page):
        return page.locator(".field-body .tiptap.ProseMirror")

    def test_title_standfirst_and_a_tall_body_come_first_with_its_length(self):
        for scheme in ["light", "dark"]:
            page = self.editor_page(scheme)
            page.goto(self.url("/admin/articles/article/add/"))
            body = self.body_editor(page)
            expect(body).to_be_visible()
            width = page.locator("#article_form fieldset.writing").bounding_box()["width"]
            for field in [page.get_by_label("Title"), page.get_by_label("Standfirst")]:
                assert field.bounding_box()["width"] >= width * 0.95
                assert "Georgia" in field.evaluate("e => getComputedStyle(e).fontFamily")
            assert body.bounding_box()["width"] >= width * 0.95
            assert "Georgia" in body.evaluate("e => getComputedStyle(e).fontFamily")
            assert body.bounding_box()["height"] >= 0.6 * LAPTOP["height"]
            # Metadata comes after the body, not between the title and the body.
            body_bottom = body.bounding_box()["y"] + body.bounding_box()["height"]
            for field in ["kind", "tags", "slug", "status", "featured_image"]:
                assert page.locator(f"#id_{field}").bounding_box()["y"] > body_bottom, field
            length = page.locator("output.writing-length")
            expect(length).to_have_text("0 words · 1 min read")

            page.get_by_label("Title").fill("Between two capitals")
            page.get_by_label("Standfirst").fill("What the energy contracts tell us.")
            body.click()
            page.keyboard.insert_text(PARAGRAPH * 40)
            paragraph = body.locator("p").first
            assert "Georgia" in paragraph.evaluate("e => getComputedStyle(e).fontFamily")
            page.keyboard.press("Enter")
            page.keyboard.insert_text(PARAGRAPH * 40)
            words = len(PARAGRAPH.split()) * 80
            expect(length).to_have_text(f"{words:,} words · {-(-words // 220)} min read")
            # The editor grew with the text; its toolbar and the length stay in view.
            assert body.bounding_box()["height"] > LAPTOP["height"]
            # Half way down the body.
            page.evaluate("window.scrollTo(0, 0)")
            page.mouse.wheel(0, body.bounding_box()["y"] + 800)
            page.wait_for_timeout(200)
            menubar = page.locator(".field-body .prose-menubar").bounding_box()
            assert 0 <= menubar["y"] < 10, menubar
            output = length.bounding_box()
            assert output["y"] + output["height"] <= LAPTOP["height"] + 1, output
            self.screenshot(page, f"writing-space-scrolled-{scheme}")
            page.evaluate("window.scrollTo(0, 0)")
            self.screenshot(page, f"writing-space-{scheme}")
            page.set_viewport_size(LAPTOP)
            page.screenshot(path=self.screenshot_path(f"writing-space-screen-{scheme}"))

    def test_text_typed_then_closed_is_offered_back_and_restored(self):
        page = self.editor_page()
        page.goto(self.url("/admin/articles/article/add/"))
        offer = page.locator("#unsaved-copy")
        expect(offer).to_be_hidden()
        page.get_by_label("Title").fill("A piece nearly lost")
        self.body_editor(page).click()
        page.keyboard.insert_text(PARAGRAPH * 30)
        page.wait_for_timeout(600)
        context = page.context
        page.close()

        page = context.new_page()
        page.goto(self.url("/admin/articles/article/add/"))
        expect(offer := page.locator("#unsaved-copy")).to_be_visible()
        expect(offer).to_contain_text("Unsaved changes from")
        expect(offer.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
        expect(self.body_editor(page)).not_to_contain_text("The corridor")
        page.screenshot(path=self.screenshot_path("writing-space-unsaved-copy"))
        offer.get_by_role("button", name="Restore").click()
        expect(offer).to_be_hidden()
        expect(page.get_by_label("Title")).to_have_value("A piece nearly lost")
        expect(self.body_editor(page)).to_contain_text(PARAGRAPH.strip())
        words = len(PARAGRAPH.split()) * 30
        expect(page.locator("output.writing-length")).to_contain_text(f"{words} words")

        # Saved: the copy is dropped, and the next new article starts empty.
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist .success")).to_be_visible()
        page.goto(self.url("/admin/articles/article/add/"))
        expect(self.body_editor(page)).to_be_visible()
        page.wait_for_timeout(300)
        expect(page.locator("#unsaved-copy")).to_be_hidden()
        with self.server_paused():
            article = Article.objects.get(title="A piece nearly lost")
            assert article.word_count == words

    def test_a_discarded_copy_is_not_offered_again(self):
        article = DraftArticleFactory(created_by=self.editor, body="<p>As saved.</p>")
        page = self.editor_page()
        change = self.url(f"/admin/articles/article/{article.pk}/change/")
        page.goto(change)
        self.body_editor(page).click()
        page.keyboard.press("End")
        page.keyboard.insert_text(" And more.")
        page.wait_for_timeout(600)
        page.goto(change)
        offer = page.locator("#unsaved-copy")
        offer.get_by_role("button", name="Discard").click()
        expect(offer).to_be_hidden()
        page.goto(change)
        expect(self.body_editor(page)).to_have_text("As saved.")
        page.wait_for_timeout(300)
        expect(page.locator("#unsaved-copy")).to_be_hidden()

    def test_a_refused_stale_save_offers_the_text_back_after_reloading(self):
        article = DraftArticleFactory(created_by=self.editor, body="<p>First draft.</p>")
        page = self.editor_page()
        change = self.url(f"/admin/articles/article/{article.pk}/change/")
        page.goto(change)
        self.body_editor(page).click()
        page.keyboard.press("End")
        page.keyboard.insert_text(" My careful rewrite.")
        with self.server_paused():
            stored = Article.objects.get(pk=article.pk)
            stored.title = "Changed in another window"
            stored.save()
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".errornote")).to_be_visible()
        page.goto(change)
        expect(page.get_by_label("Title")).to_have_value("Changed in another window")
        offer = page.locator("#unsaved-copy")
        expect(offer).to_be_visible()
        offer.get_by_role("button", name="Restore").click()
        expect(self.body_editor(page)).to_contain_text("My careful rewrite.")

    def test_a_draft_is_autosaved_as_a_revision_and_a_published_article_stays_as_it_is(self):
        draft = DraftArticleFactory(created_by=self.editor, body="<p>Draft.</p>")
        published = ArticleFactory(title="Live", body="<p>Live text.</p>")
        versions = {
            article.pk: Article.objects.get(pk=article.pk).version for article in [draft, published]
        }
        page = self.editor_page()
        page.clock.install()
        for article, addition in [(draft, " Autosaved words."), (published, " Not live yet.")]:
            page.goto(self.url(f"/admin/articles/article/{article.pk}/change/"))
            self.body_editor(page).click()
            page.keyboard.press("End")
            page.keyboard.insert_text(addition)
            with page.expect_response(lambda response: "/autosave/" in response.url):
                page.clock.run_for(31_000)
            expect(page.locator("output.writing-length")).to_contain_text("Autosaved at")
            with self.server_paused():
                stored = Article.objects.get(pk=article.pk)
                assert stored.version == versions[article.pk]
                assert addition.strip() not in stored.body
                newest = Version.objects.get_for_object(stored).latest("pk")
                assert newest.revision.comment == AUTOSAVE_COMMENT
                assert addition.strip() in newest.field_dict["body"]
            # The history lists it.
            page.goto(self.url(f"/admin/articles/article/{article.pk}/history/"))
            expect(page.locator("#change-history")).to_contain_text("Autosaved while writing")
        response = page.goto(self.url(published.get_absolute_url()))
        assert response.status == 200
        expect(page.locator("article")).to_contain_text("Live text.")
        expect(page.locator("article")).not_to_contain_text("Not live yet.")

    def screenshot_path(self, name):
        from .browser import SCREENSHOTS

        return SCREENSHOTS / f"{name}.png"
