"""The article form is a page to write a 3,000-word analysis on, at 1280×800 in light and dark.

Title, standfirst and body take the form's width in the reading font, the body editor is at
least 60% of the screen tall and grows with the text, its toolbar stays in view while
scrolling, and the length in words and minutes of reading follows the text. Screenshots go to
tests/e2e/screenshots/ (gitignored) for a visual review.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import StaffFactory

from .browser import BrowserTestCase

PASSWORD = "correct horse battery staple"
LAPTOP = {"width": 1280, "height": 800}
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

    def signed_in_page(self, scheme="light"):
        page = self.new_page(viewport=LAPTOP, color_scheme=scheme)
        page.goto(self.url("/admin/"))
        page.get_by_label("Username").fill("editor")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#user-tools")).to_contain_text("Welcome")
        return page

    def body_editor(self, page):
        return page.locator(".field-body .tiptap.ProseMirror")

    def test_title_standfirst_and_a_tall_body_come_first_with_its_length(self):
        for scheme in ["light", "dark"]:
            page = self.signed_in_page(scheme)
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

    def screenshot_path(self, name):
        from .browser import SCREENSHOTS

        return SCREENSHOTS / f"{name}.png"
