"""In Chromium: the opt-in "save my details" cookie and the locally drawn avatars.

What only a browser can show: scripts cannot read the cookie (HttpOnly), the browser keeps it
SameSite=Lax, the form comes back prefilled only in that browser, and the avatar is a
decorative drawing beside the name.
"""

import pytest
from playwright.sync_api import expect

from comments.commenters.remember import COOKIE_NAME
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

from .browser import BrowserTestCase

EMAIL = "browser.owner@private-mail.example"
SAVE = "Save my name, email, and website in this browser for the next time I comment."


@pytest.mark.e2e
class CommenterPrivacyTests(BrowserTestCase):
    def setUp(self):
        self.article = ArticleFactory(title="Ports and the price of rice", slug="ports-and-rice")
        self.moderator = StaffFactory(role="Moderator")
        self.allow_instant_posting()

    def post(self, page, body, *, save):
        form = page.locator("#comment-form")
        form.get_by_role("textbox", name="Comment").fill(body)
        form.get_by_role("textbox", name="Name").fill("Lin Okoye")
        form.get_by_role("textbox", name="Email").fill(EMAIL)
        form.get_by_role("textbox", name="Website").fill("https://lin.example/")
        form.get_by_role("checkbox", name=SAVE).set_checked(save)
        with page.expect_navigation():
            page.get_by_role("button", name="Post Comment").click()
        assert Comment.objects.filter(body=body).exists()

    def saved_cookie(self, page):
        cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
        return cookies.get(COOKIE_NAME)

    def test_saved_details_prefill_this_browser_only_and_stay_out_of_scripts(self):
        reader = self.new_page()
        url = self.url(self.article.get_absolute_url())
        reader.goto(url)
        expect(reader.get_by_role("checkbox", name=SAVE)).not_to_be_checked()

        self.post(reader, "Rice prices follow the freight rates.", save=True)

        cookie = self.saved_cookie(reader)
        assert cookie["httpOnly"] is True
        assert cookie["sameSite"] == "Lax"
        assert EMAIL not in cookie["value"]
        assert COOKIE_NAME not in reader.evaluate("document.cookie")
        reader.goto(url)
        form = reader.locator("#comment-form")
        expect(form.get_by_role("textbox", name="Name")).to_have_value("Lin Okoye")
        expect(form.get_by_role("textbox", name="Email")).to_have_value(EMAIL)
        expect(form.get_by_role("checkbox", name=SAVE)).to_be_checked()
        self.screenshot(reader, "privacy-01-prefilled")

        stranger = self.new_page()
        stranger.goto(url)
        expect(
            stranger.locator("#comment-form").get_by_role("textbox", name="Email")
        ).to_have_value("")

        # Unticking the box and posting again forgets the details.
        self.post(reader, "And on insurance costs.", save=False)
        assert self.saved_cookie(reader) is None
        reader.goto(url)
        expect(reader.locator("#comment-form").get_by_role("textbox", name="Email")).to_have_value(
            ""
        )

    def test_each_approved_comment_has_a_decorative_avatar_beside_the_name(self):
        # Lin wrote both of theirs from the browser proving the address: one avatar for both.
        for name, email, proven in [
            ("Lin Okoye", EMAIL, True),
            ("Sam Reyes", "sam.reyes@private-mail.example", False),
            ("Lin Okoye", EMAIL.upper(), True),
        ]:
            CommentFactory(
                article=self.article,
                name=name,
                email=email,
                body=f"A comment by {name}.",
                proven=proven,
            )
        reader = self.new_page()

        reader.goto(self.url(self.article.get_absolute_url()))

        avatars = reader.locator(".thread li > svg")
        expect(avatars).to_have_count(3)
        for index in range(3):
            avatar = avatars.nth(index)
            expect(avatar).to_be_visible()
            expect(avatar).to_have_attribute("aria-hidden", "true")
            box = avatar.bounding_box()
            assert 30 <= box["width"] <= 48 and box["width"] == box["height"]
        drawings = [avatars.nth(index).evaluate("svg => svg.outerHTML") for index in range(3)]
        assert drawings[0] == drawings[2] != drawings[1]
        # The name alone names the comment: the avatar adds nothing for screen readers.
        expect(reader.get_by_role("heading", name="Sam Reyes", exact=True)).to_be_visible()
        self.screenshot(reader, "privacy-02-avatars")
