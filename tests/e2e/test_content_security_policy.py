"""The reader's site and the newsroom admin, working in Chromium under the site's own
Content-Security-Policy, with not one violation reported.

Every page in a test's browser context reports `securitypolicyviolation` events back to the
test, and the console is read for Chromium's own "Refused to ..." messages and for header
errors (an unknown Permissions-Policy feature, say); script errors fail the test too. The
admin is not only loaded but used: the body editor is typed in and the text saved, an image is
uploaded through the editor's picker window, tags are suggested, a held comment is approved
from the queue and another answered, and the discussion settings are saved.
"""

import io
import re

import pytest
from django.test import override_settings
from django.urls import path
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment, DiscussionSettings
from config.urls import urlpatterns as site_urlpatterns
from tests.broken_urls import broken_view
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    HeldCommentFactory,
    KindFactory,
    StaffFactory,
)

from .browser import BrowserTestCase

BODY_EDITOR = ".field-body [contenteditable=true]"
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    page: location.pathname,
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
"""
# What Chromium writes to the console when a policy header refuses something or is malformed.
POLICY_COMPLAINTS = re.compile(
    r"Content Security Policy|Refused to|Permissions-Policy|Permissions policy|"
    r"Cross-Origin-Opener-Policy",
    re.IGNORECASE,
)


urlpatterns = [path("broken/", broken_view), *site_urlpatterns]
handler500 = "config.errors.server_error"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), (40, 90, 140)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.e2e
@override_settings(ROOT_URLCONF=__name__)
class ContentSecurityPolicyTests(BrowserTestCase):
    def setUp(self):
        DiscussionSettings.objects.update_or_create(pk=1, defaults={"min_seconds_to_post": 0})
        self.author = AuthorFactory(name="Amara Okafor", slug="amara-okafor")
        self.article = ArticleFactory(
            title="What the new tariff talks mean for the region",
            slug="tariff-talks",
            kind=KindFactory(name="Analysis"),
            authors=[self.author],
            tags=["Trade", "West Africa"],
        )
        self.approved = CommentFactory(
            article=self.article, name="Olga Petrova", body="When is the next round?"
        )
        self.held = HeldCommentFactory(
            article=self.article,
            name="Piet de Vries",
            body="Sources: https://a.example https://b.example https://c.example",
            held_reason="held: 3 links, limit 2",
            moderation_rule="links",
        )
        self.question = HeldCommentFactory(
            article=self.article,
            name="Nadia Bello",
            body="The port authority said the same in 2015. What is different this time?",
        )
        self.editor = StaffFactory(
            username="editor", first_name="Marta", last_name="Kovac", role="Editor"
        )
        self.editor.groups.add(*self.editor.groups.model.objects.filter(name="Moderator"))

    def watched_page(self):
        """A page whose context reports every policy violation, policy complaint and error."""
        page = self.new_page()
        context = page.context
        self.violations, self.complaints, self.script_errors = [], [], []
        context.expose_binding(
            "reportCspViolation", lambda source, violation: self.violations.append(violation)
        )
        context.add_init_script(REPORT_VIOLATIONS)

        def watch(new_page):
            new_page.on("console", self.read_console)
            new_page.on("pageerror", lambda error: self.script_errors.append(str(error)))

        watch(page)
        context.on("page", watch)
        return page

    def read_console(self, message):
        if POLICY_COMPLAINTS.search(message.text):
            self.complaints.append(f"{message.type}: {message.text} ({message.location})")

    def assert_nothing_refused(self):
        assert self.violations == [], "\n".join(map(str, self.violations))
        assert self.complaints == []
        assert self.script_errors == []

    def test_reader_pages_show_and_post_without_a_violation(self):
        reader = self.watched_page()

        for page_path, heading in [
            ("/", None),
            (self.article.get_absolute_url(), "What the new tariff talks mean for the region"),
            ("/tags/trade/", "Trade"),
            ("/authors/amara-okafor/", "Amara Okafor"),
            ("/search/?q=tariff", None),
            ("/archive/", None),
        ]:
            response = reader.goto(self.url(page_path))
            assert response.status == 200, page_path
            assert "nonce-" not in response.headers["content-security-policy"], page_path
            if heading:
                expect(reader.locator("h1")).to_contain_text(heading)
        self.screenshot(reader, "csp-archive")

        reader.goto(self.url(self.article.get_absolute_url()))
        expect(reader.get_by_text("When is the next round?")).to_be_visible()
        form = reader.locator("#comment-form")
        form.get_by_role("textbox", name="Comment").fill("The baseline changed in 2019.")
        form.get_by_role("textbox", name="Name").fill("Kwame Mensah")
        form.get_by_role("textbox", name="Email").fill("not-an-email")
        form.evaluate("form => { form.noValidate = true; }")
        reader.get_by_role("button", name="Post Comment").click()
        expect(reader.locator("#id_email_error")).to_have_text("Enter a valid email address.")
        reader.locator("#comment-form").get_by_role("textbox", name="Email").fill(
            "kwame@mail.example"
        )
        reader.get_by_role("button", name="Post Comment").click()
        expect(reader.locator("#comments .message--success")).to_contain_text("awaiting moderation")
        assert Comment.objects.filter(name="Kwame Mensah").exists()
        self.screenshot(reader, "csp-article-after-posting")

        # A form whose CSRF cookie is gone (the confirmation button's: the comment form has a
        # check of its own, comments/form_check.py): the standalone "form expired" page and its
        # styles.
        reader.context.clear_cookies()
        reader.get_by_role("button", name="Email me a confirmation link").click()
        expect(reader.locator("h1")).to_have_text("Your form has expired")
        assert reader.locator("body").evaluate("body => getComputedStyle(body).fontFamily") == (
            "Georgia, serif"
        )

        # The server error page, standalone with its own styles.
        response = reader.goto(self.url("/broken/"))
        assert response.status == 500
        expect(reader.locator("h1")).to_have_text("Something went wrong")
        assert reader.locator("body").evaluate("body => getComputedStyle(body).fontFamily") == (
            'Georgia, "Times New Roman", serif'
        )

        self.assert_nothing_refused()

    def test_the_admin_works_without_a_violation(self):
        page = self.watched_page()
        self.sign_in(page, "editor")
        expect(page.locator(".newsroom-dashboard")).to_be_visible()
        self.screenshot(page, "csp-dashboard")

        # A new article: the body typed into the editor, tags suggested as they are typed.
        page.goto(self.url("/admin/articles/article/add/"))
        page.get_by_label("Title").press_sequentially("Ports under pressure")
        expect(page.get_by_label("Slug")).to_have_value("ports-under-pressure")
        page.get_by_label("Kind").select_option(label="Analysis")
        page.get_by_label("Standfirst").fill("Three harbours, one budget.")
        page.locator(BODY_EDITOR).click()
        page.keyboard.type("Harbour fees rose by a third in a year.")
        page.keyboard.press("Enter")
        page.get_by_label("Tags").press_sequentially("Trade, We")
        expect(
            page.locator('#id_tags_suggestions option[value="Trade, West Africa"]')
        ).to_have_count(1)

        # An image for the body, uploaded in the picker window the figure dialog opens.
        page.locator(".prose-menubar__button[title=figure]").click()
        dialog = page.locator("dialog[open]")
        with page.expect_popup() as popup_info:
            dialog.get_by_role("button", name="Browse...").click()
        picker = popup_info.value
        expect(picker.locator("h1")).to_have_text("Upload an image for the article body")
        picker.get_by_label("Image").set_input_files(
            {"name": "harbour.png", "mimeType": "image/png", "buffer": png_bytes()}
        )
        picker.get_by_label("Alt text").fill("Cranes over the harbour at dawn")
        with picker.expect_event("close"):
            picker.get_by_role("button", name="Upload").click()
        expect(dialog.locator("input[name=altText]")).to_have_value(
            "Cranes over the harbour at dawn"
        )
        dialog.get_by_role("button", name="Insert").click()
        expect(page.locator(f"{BODY_EDITOR} figure img")).to_have_count(1)
        page.get_by_label("Tags").fill("Trade, West Africa")
        self.screenshot(page, "csp-article-form")

        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
        article = Article.objects.get(slug="ports-under-pressure")
        assert article.body.startswith("<p>Harbour fees rose by a third in a year.</p><figure>")
        assert 'alt="Cranes over the harbour at dawn"' in article.body
        assert sorted(article.tags.names()) == ["Trade", "West Africa"]

        # The saved article's form: the editor holds the text and saves a change.
        expect(page.locator(BODY_EDITOR)).to_contain_text("Harbour fees rose by a third")
        page.locator(f"{BODY_EDITOR} p").first.click()
        page.keyboard.press("End")
        page.keyboard.type(" Shippers blame the tolls.")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
        article.refresh_from_db()
        assert article.body.startswith(
            "<p>Harbour fees rose by a third in a year. Shippers blame the tolls.</p>"
        )

        # The history: two revisions compared, the older one opened in the editor to restore.
        page.get_by_role("link", name="History").click()
        page.get_by_role("button", name="Compare the chosen revisions").click()
        body_diff = page.locator(
            "fieldset", has=page.get_by_role("heading", name="Body", exact=True)
        )
        expect(body_diff.locator("ins")).to_contain_text("Shippers blame the tolls.")
        page.go_back()
        page.locator("#change-history tbody tr").nth(1).get_by_role("link").click()
        expect(page.locator("h1")).to_contain_text("Restore")
        expect(page.locator(BODY_EDITOR)).not_to_contain_text("Shippers blame the tolls.")

        # The moderation queue: one comment approved with its button, another answered.
        page.locator("#pending-comments-link").click()
        page.get_by_role("button", name="Approve the comment by Piet de Vries").click()
        expect(page.locator(".messagelist .success")).to_have_text(
            "Piet de Vries’s comment: approved."
        )
        self.held.refresh_from_db()
        assert self.held.status == Comment.Status.APPROVED
        self.screenshot(page, "csp-moderation-queue")
        page.get_by_role("link", name="Reply to Nadia Bello").click()
        expect(page.locator("#replied-comment")).to_contain_text("What is different this time?")
        page.get_by_label("Your reply").fill("The 2015 plan had no budget; this one has.")
        page.get_by_role("button", name="Approve and reply").click()
        expect(page.locator(".messagelist .success")).to_contain_text("published your reply")
        assert Comment.objects.get(parent=self.question).staff_user == self.editor

        # The discussion settings are saved.
        page.goto(self.url("/admin/comments/discussionsettings/1/change/"))
        page.get_by_role("button", name="Save").first.click()
        expect(page.locator(".messagelist .success")).to_be_visible()

        self.assert_nothing_refused()
