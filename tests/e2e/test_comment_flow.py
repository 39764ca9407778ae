"""A reader comments on an article, a moderator approves it, and the comment appears.

Walks the whole flow in Chromium against a live server, saving a full-page screenshot of each
step to tests/e2e/screenshots/ (gitignored) for a visual review.
"""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import ArticleFactory, AuthorFactory, KindFactory, StaffFactory

from .browser import BrowserTestCase

COMMENT = "The section on tariffs misses how the 2019 agreement changed the baseline."
EMAIL = "reader.private@mail.example"


@pytest.mark.e2e
class CommentFlowTests(BrowserTestCase):
    def setUp(self):
        self.author = AuthorFactory(
            name="Amara Okafor",
            slug="amara-okafor",
            role="Senior Fellow",
            affiliation="Centre for Trade Policy",
            bio="Amara Okafor writes about trade agreements and regional security in West Africa.",
        )
        self.article = ArticleFactory(
            title="What the new tariff talks mean for the region",
            slug="tariff-talks",
            kind=KindFactory(name="Analysis"),
            standfirst="Negotiators meet again next month. Here is what is on the table.",
            body=(
                "<p>Trade ministers will meet in Accra next month for a third round of talks.</p>"
                "<h2>What is on the table</h2>"
                "<p>Three questions dominate: tariffs on processed goods, rules of origin and "
                "the timetable for phasing out exemptions.</p>"
                "<blockquote><p>Nobody expects a deal this year.</p></blockquote>"
                "<p>Each will shape how much the region trades with itself.</p>"
            ),
            authors=[self.author],
            tags=["Trade", "West Africa"],
        )
        self.moderator = StaffFactory(username="moderator", role="Moderator")
        self.allow_instant_posting()

    def test_reader_comment_is_held_then_approved_by_a_moderator(self):
        reader = self.new_page()
        article_url = self.url(self.article.get_absolute_url())

        # The reader opens the article.
        reader.goto(article_url)
        expect(reader.locator("h1")).to_have_text(
            "What the new tariff talks mean for the region – Analysis"
        )
        topics = reader.get_by_role("navigation", name="Topics")
        expect(topics.get_by_role("link", name="Trade", exact=True)).to_have_attribute(
            "href", "/tags/trade/"
        )
        expect(topics.get_by_role("link", name="West Africa")).to_have_attribute(
            "href", "/tags/west-africa/"
        )
        author_box = reader.locator(".author-box")
        expect(author_box.get_by_role("heading", name="Amara Okafor")).to_be_visible()
        expect(author_box).to_contain_text("Senior Fellow, Centre for Trade Policy")
        expect(author_box).to_contain_text("trade agreements and regional security")
        expect(reader.get_by_role("heading", name="Leave a Reply")).to_be_visible()
        expect(reader.locator(".form-note")).to_contain_text(
            "Your email address will not be published. Required fields are marked *"
        )
        expect(reader.get_by_text("No comments yet.")).to_be_visible()
        expect(reader.locator("h1")).to_have_count(1)
        self.screenshot(reader, "01-article")

        # The first Tab shows the skip link, which leads to the main content.
        reader.keyboard.press("Tab")
        skip_link = reader.get_by_role("link", name="Skip to content")
        expect(skip_link).to_be_focused()
        expect(skip_link).to_be_in_viewport()

        # A first attempt with a malformed address, past the browser's own check.
        form = reader.locator("#comment-form")
        form.get_by_role("textbox", name="Comment").fill(COMMENT)
        form.get_by_role("textbox", name="Name").fill("Kwame Mensah")
        form.get_by_role("textbox", name="Email").fill("not-an-email")
        form.evaluate("form => { form.noValidate = true; }")
        reader.get_by_role("button", name="Post Comment").click()
        expect(reader.get_by_role("alert")).to_contain_text(
            "Your comment was not posted. Please correct the problem marked below; "
            "your text has been kept."
        )
        form = reader.locator("#comment-form")
        email = form.get_by_role("textbox", name="Email")
        expect(email).to_have_attribute("aria-invalid", "true")
        expect(reader.locator("#id_email_error")).to_have_text("Enter a valid email address.")
        expect(form.get_by_role("textbox", name="Comment")).to_have_value(COMMENT)
        expect(form.get_by_role("textbox", name="Name")).to_have_value("Kwame Mensah")
        assert Comment.objects.count() == 0
        self.screenshot(reader, "02-comment-form-errors")

        # The reader fixes the address and posts.
        email.fill(EMAIL)
        reader.get_by_role("button", name="Post Comment").click()
        expect(reader).to_have_url(article_url + "#comments")
        expect(reader.locator("#comments .message--success")).to_contain_text("awaiting moderation")
        expect(reader.get_by_text(COMMENT)).to_have_count(0)
        expect(reader.locator("#comments-title")).to_have_text("Comments")
        comment = Comment.objects.get()
        assert comment.status == Comment.Status.PENDING
        assert comment.email == EMAIL
        self.screenshot(reader, "03-awaiting-moderation")

        # A moderator signs in and approves it from the moderation queue.
        moderator = self.signed_in_page("moderator")
        moderator.locator("tr.model-comment").get_by_role("link", name="Comments").click()
        expect(moderator).to_have_url(re.compile(r"/admin/comments/comment/$"))
        row = moderator.locator("#result_list tbody tr", has_text="Kwame Mensah")
        expect(row).to_contain_text("Pending")
        expect(moderator.locator("#result_list")).not_to_contain_text(EMAIL)
        row.locator("input[name=_selected_action]").check()
        moderator.locator("select[name=action]").select_option(label="Approve selected comments")
        self.screenshot(moderator, "04-admin-changelist")
        moderator.get_by_role("button", name="Go").click()
        expect(moderator.locator(".messagelist .success")).to_have_text("1 comment approved.")
        expect(row).to_contain_text("Approved")
        comment.refresh_from_db()
        assert comment.status == Comment.Status.APPROVED
        assert comment.moderated_by == self.moderator

        # The reader reloads the article: the comment is published, the address is not.
        reader.goto(article_url)
        expect(reader.locator("#comments-title")).to_have_text("1 comment")
        published = reader.locator(f"#comment-{comment.pk}")
        expect(published.get_by_role("heading", name="Kwame Mensah")).to_be_visible()
        expect(published).to_contain_text(COMMENT)
        expect(reader.locator("#comments .message")).to_have_count(0)
        assert EMAIL not in reader.content()
        self.screenshot(reader, "05-approved-comment")

        # The same page on a phone, and in the dark colour scheme.
        phone = self.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        phone.goto(article_url)
        expect(phone.locator("#comments-title")).to_have_text("1 comment")
        page_width = phone.evaluate("document.documentElement.scrollWidth")
        assert page_width <= 390, f"the page scrolls sideways on a phone ({page_width}px wide)"
        self.screenshot(phone, "06-phone-390")

        dark = self.new_page(color_scheme="dark")
        dark.goto(article_url)
        expect(dark.locator("#comments-title")).to_have_text("1 comment")
        assert EMAIL not in dark.content()
        self.screenshot(dark, "07-dark")

        # From the article to a topic, to the author, and back home through the masthead.
        reader.get_by_role("navigation", name="Topics").get_by_role("link", name="Trade").click()
        expect(reader.locator("h1")).to_have_text("Trade")
        self.screenshot(reader, "08-tag")
        reader.locator(".card .meta").get_by_role("link", name="Amara Okafor").click()
        expect(reader.locator("h1")).to_have_text("Amara Okafor")
        expect(reader.get_by_role("heading", name="Articles by Amara Okafor")).to_be_visible()
        self.screenshot(reader, "09-author")
        reader.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
        expect(reader.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
        expect(reader.locator("h1")).to_have_count(1)
        expect(reader.locator(".lead__title")).to_have_text(
            "What the new tariff talks mean for the region"
        )
        self.screenshot(reader, "10-home")
