"""The newsroom admin fits a 1280×800 laptop screen, in light and dark.

Without the navigation sidebar (the dashboard is home, every page has breadcrumbs) a moderator
sees each held comment's excerpt, name, article, reason and age and its Approve / Spam / Remove /
Reply buttons, and an editor sees each article's title, kind, state, authors and date, without
scrolling sideways; long titles and comments are clipped to one or two lines with the whole text
on hover. The dashboard and the article form fit too. Screenshots of each, light and dark, go to
tests/e2e/screenshots/ (gitignored) for a visual review.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    HeldCommentFactory,
    KindFactory,
    ScheduledArticleFactory,
    StaffFactory,
)

from .browser import LAPTOP, BrowserTestCase

SCHEMES = ["light", "dark"]

LONG_TITLE = (
    "Between two capitals: what the energy contracts, the stalled rail corridor and the "
    "currency swap line tell us about the next decade of regional diplomacy"
)
LONG_COMMENT = (
    "I have followed these talks since the first round in 2019 and I think the piece misses "
    "the most important point, which is that the corridor was never really about freight at "
    "all: it was about who sets the rules at the border, and that has not changed."
)
LONG_REASON = "held: matched moderation word 'casino' in the commenter's website address"


def hours_ago(hours):
    return timezone.now() - datetime.timedelta(hours=hours)


@pytest.mark.e2e
class AdminFitsTheScreenTests(BrowserTestCase):
    def setUp(self):
        self.editor = StaffFactory(username="editor", role="Editor")
        self.editor.groups.add(Group.objects.get(name="Moderator"))
        self.moderator = StaffFactory(username="moderator", role="Moderator")
        analysis = KindFactory(name="Analysis")
        opinion = KindFactory(name="Opinion")
        farah = AuthorFactory(name="Farah Siddiqui")
        tanvir = AuthorFactory(name="Tanvir Ahmed Chowdhury")
        lena = AuthorFactory(name="Lena Hoffmann-Castellanos")
        self.long = ArticleFactory(
            title=LONG_TITLE, kind=analysis, authors=[farah, tanvir, lena], slug="two-capitals"
        )
        ScheduledArticleFactory(
            title="A corridor without a financier: who pays for the last two hundred kilometres",
            kind=analysis,
            authors=[tanvir],
        )
        DraftArticleFactory(
            title="What smaller neighbours make of the talks", kind=opinion, authors=[lena]
        )
        ArticleFactory(title="Ports under pressure", kind=opinion, authors=[farah])
        HeldCommentFactory(
            article=self.long,
            name="Maximilian Alexander von Hohenberg-Sternfeld",
            body=LONG_COMMENT,
            held_reason=LONG_REASON,
            moderation_rule="moderation_word",
            created_at=hours_ago(50),
        )
        HeldCommentFactory(
            article=self.long,
            name="Piet de Vries",
            body="Sources: https://a.example/a-very-long-path/that-never-breaks-anywhere-at-all",
            held_reason="held: 3 links, limit 2",
            moderation_rule="links",
            created_at=hours_ago(3),
        )
        HeldCommentFactory(
            article=ArticleFactory(title="Port reform in Lagos"),
            name="Nadia Bello",
            body="The port authority said the same in 2015. What is different this time?",
            held_reason="held: first comment from this address",
            moderation_rule="first_comment",
            created_at=hours_ago(1),
        )

    def laptop_page(self, username, scheme):
        return self.signed_in_page(username, viewport=LAPTOP, color_scheme=scheme)

    def assert_fits(self, page, *locators):
        """No sideways scrolling, no navigation sidebar, and each element (every match of each
        locator) wholly inside the viewport's width."""
        expect(page.locator("#nav-sidebar")).to_have_count(0)
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= LAPTOP["width"], f"the page scrolls sideways: {scroll_width}px"
        for locator in locators:
            expect(locator.first).to_be_visible()
            for element in locator.all():
                box = element.bounding_box()
                assert box is not None, locator
                assert box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], (
                    f"{element.evaluate('e => e.outerHTML')[:200]} is outside the screen: {box}"
                )

    def assert_at_most_two_lines(self, locator):
        for element in locator.all():
            lines = element.evaluate(
                "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"
            )
            assert lines <= 2.1, f"{element.text_content()!r} takes {lines:.1f} lines"

    def test_a_moderator_sees_every_column_and_button_of_the_queue(self):
        for scheme in SCHEMES:
            page = self.laptop_page("moderator", scheme)
            page.locator("#pending-comments-link").click()
            rows = page.locator("#result_list tbody tr")
            expect(rows).to_have_count(3)
            self.screenshot(page, f"admin-fit-queue-{scheme}")
            held = rows.filter(has_text="Maximilian")
            for header in ["Comment", "Name", "Article", "Status and reason", "Age", "Moderate"]:
                self.assert_fits(page, page.locator("#result_list thead th", has_text=header))
            self.assert_fits(
                page,
                rows.locator("th.field-excerpt"),
                rows.locator("td.field-commenter"),
                rows.locator("td.field-article_title"),
                rows.locator("td.field-status_and_reason"),
                rows.locator("td.field-age time"),
                rows.locator(".moderate-buttons .button"),
                page.locator("#changelist-filter"),
            )
            for label in ["Approve", "Spam", "Remove", "Reply"]:
                name = f"{label} the comment by" if label != "Reply" else "Reply to"
                button = held.get_by_role("link" if label == "Reply" else "button", name=name)
                self.assert_fits(page, button)
            # The whole reason shows; a long comment and article title are clipped, and whole
            # on hover.
            expect(held.locator("td.field-status_and_reason")).to_contain_text(LONG_REASON)
            excerpt = held.locator("th.field-excerpt .clipped")
            expect(excerpt).to_have_attribute("title", LONG_COMMENT)
            article = held.locator("td.field-article_title .clipped")
            expect(article).to_have_attribute("title", LONG_TITLE)
            self.assert_at_most_two_lines(rows.locator(".clipped"))

    def test_an_editor_sees_title_kind_state_authors_and_date_of_each_article(self):
        for scheme in SCHEMES:
            page = self.laptop_page("editor", scheme)
            page.goto(self.url("/admin/articles/article/"))
            rows = page.locator("#result_list tbody tr")
            expect(rows).to_have_count(5)
            self.screenshot(page, f"admin-fit-articles-{scheme}")
            for header in ["Title", "Kind", "State", "Authors", "Date", "Comments"]:
                self.assert_fits(page, page.locator("#result_list thead th", has_text=header))
            self.assert_fits(
                page,
                rows.locator("th.field-headline"),
                rows.locator("td.field-kind"),
                rows.locator("td.field-state_label"),
                rows.locator("td.field-byline"),
                rows.locator("td.field-date"),
                page.locator("#changelist-filter"),
            )
            # Long titles and bylines are clipped to two lines, and whole on hover.
            row = rows.filter(has_text="Between two capitals")
            expect(row.locator(".field-headline .clipped")).to_have_attribute("title", LONG_TITLE)
            expect(row.locator(".field-byline .clipped")).to_have_attribute(
                "title", "Farah Siddiqui, Tanvir Ahmed Chowdhury, Lena Hoffmann-Castellanos"
            )
            self.assert_at_most_two_lines(rows.locator(".clipped"))

    def test_the_dashboard_fits(self):
        for scheme in SCHEMES:
            page = self.laptop_page("editor", scheme)
            expect(page.locator(".newsroom-dashboard")).to_be_visible()
            self.assert_fits(
                page,
                page.locator(".newsroom-dashboard .module"),
                page.locator("#content-main .module"),
                page.locator("#user-tools"),
            )
            self.screenshot(page, f"admin-fit-dashboard-{scheme}")

    def test_the_article_form_fits_to_add_and_to_change(self):
        for scheme in SCHEMES:
            page = self.laptop_page("editor", scheme)
            for action, path in [
                ("add", "/admin/articles/article/add/"),
                ("change", f"/admin/articles/article/{self.long.pk}/change/"),
            ]:
                page.goto(self.url(path))
                self.assert_fits(
                    page,
                    page.get_by_label("Title"),
                    page.get_by_label("Kind"),
                    page.get_by_label("Standfirst"),
                    page.locator(".prose-editor, [contenteditable=true]").first,
                    page.get_by_label("Tags"),
                    page.locator(".inline-group"),
                    page.locator(".submit-row input, .submit-row a"),
                    page.locator("#content-main"),
                )
                if action == "change":
                    self.assert_fits(page, page.locator(".object-tools a, .object-tools button"))
                self.screenshot(page, f"admin-fit-article-{action}-{scheme}")
