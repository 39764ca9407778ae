"""Replying without JavaScript: the reply link, the "Replying to" form, moderation, nesting and
the author's badge, in Chromium with JavaScript switched off for the reader."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    KindFactory,
    StaffFactory,
)

from .browser import BrowserTestCase

REPLY = "The 2019 baseline matters less than the exemptions timetable, surely?"
AUTHOR_REPLY = "Both matter: the exemptions run out in 2027, which is why the baseline is back."


@pytest.mark.e2e
class ReplyWithoutJavaScriptTests(BrowserTestCase):
    def setUp(self):
        self.author_account = StaffFactory(
            username="amara", first_name="Amara", last_name="Okafor", role="Moderator"
        )
        self.author = AuthorFactory(
            name="Amara Okafor", slug="amara-okafor", user=self.author_account
        )
        self.article = ArticleFactory(
            title="What the new tariff talks mean for the region",
            slug="tariff-talks",
            kind=KindFactory(name="Analysis"),
            authors=[self.author],
        )
        self.first = CommentFactory(
            article=self.article,
            name="Ines Duarte",
            body="The section on tariffs misses how the 2019 agreement changed the baseline.",
        )
        self.moderator = StaffFactory(username="moderator", role="Moderator")
        self.allow_instant_posting()

    def test_reader_replies_without_javascript_and_the_thread_nests_with_the_authors_badge(self):
        reader = self.new_page(java_script_enabled=False)
        article_url = self.url(self.article.get_absolute_url())
        reader.goto(article_url)

        # The reader follows the Reply link under Ines's comment: a plain link, no script.
        first = reader.locator(f"#comment-{self.first.pk}")
        first.get_by_role("link", name="Reply to Ines Duarte").click()
        expect(reader).to_have_url(f"{article_url}?replyto={self.first.pk}#respond")
        expect(reader.get_by_role("heading", name="Reply to Ines Duarte")).to_be_visible()
        note = reader.locator(".replying-to")
        expect(note).to_have_text("Replying to Ines Duarte’s comment. Cancel reply")
        expect(note.get_by_role("link", name="Cancel reply")).to_have_attribute(
            "href", f"{self.article.get_absolute_url()}#respond"
        )
        expect(reader.locator("input[name=parent]")).to_have_value(str(self.first.pk))

        form = reader.locator("#comment-form")
        form.get_by_role("textbox", name="Comment").fill(REPLY)
        form.get_by_role("textbox", name="Name").fill("Kwame Mensah")
        form.get_by_role("textbox", name="Email").fill("kwame.private@mail.example")
        reader.get_by_role("button", name="Post Comment").click()
        expect(reader.locator("#comments .message--success")).to_contain_text("awaiting moderation")
        expect(reader.get_by_text(REPLY)).to_have_count(0)
        reply = Comment.objects.get(body=REPLY)
        assert reply.parent == self.first
        assert reply.status == Comment.Status.PENDING

        # A moderator approves it with the row's button in the queue.
        moderator = self.new_page()
        self.sign_in(moderator, "moderator", start="/admin/comments/comment/")
        moderator.get_by_role("button", name="Approve the comment by Kwame Mensah").click()
        expect(moderator.locator(".messagelist .success")).to_have_text(
            "Kwame Mensah’s comment: approved."
        )

        # The article's author, signed in, answers on the site, also without JavaScript.
        author = self.new_page(java_script_enabled=False)
        self.sign_in(author, "amara", start="/admin/login/?next=/admin/")
        author.goto(article_url)
        author.locator(f"#comment-{reply.pk}").get_by_role(
            "link", name="Reply to Kwame Mensah"
        ).click()
        expect(author.locator(".replying-to")).to_contain_text("Replying to Kwame Mensah’s comment")
        # A moderator comments under their account: no name or address to type.
        expect(author.locator("#respond .commenting-as")).to_have_text(
            re.compile(r"^Commenting as Amara Okafor \(staff\)\.")
        )
        form = author.locator("#comment-form")
        expect(form.get_by_role("textbox", name="Name")).to_have_count(0)
        expect(form.get_by_role("textbox", name="Email")).to_have_count(0)
        form.get_by_role("textbox", name="Comment").fill(AUTHOR_REPLY)
        author.get_by_role("button", name="Post Comment").click()
        expect(author.locator("#comments .message--success")).to_contain_text("published")
        answer = Comment.objects.get(body=AUTHOR_REPLY)
        assert answer.status == Comment.Status.APPROVED
        assert answer.staff_user == self.author_account
        assert (answer.name, answer.email) == ("Amara Okafor", "amara@staff.example")

        # The reader reloads: three levels, nested lists, the author's reply badged.
        reader.goto(article_url)
        expect(reader.locator("#comments-title")).to_have_text("3 comments")
        nested = reader.locator(f"#comment-{self.first.pk} > ol > #comment-{reply.pk}")
        expect(nested.get_by_role("heading", name="Kwame Mensah", level=4)).to_be_visible()
        deepest = nested.locator(f":scope > ol > #comment-{answer.pk}")
        heading = deepest.get_by_role("heading", level=5)
        expect(heading).to_have_text(re.compile(r"^\s*Amara Okafor\s+Author\s*$"))
        expect(heading.locator(".badge")).to_have_text("Author")
        expect(deepest).to_contain_text(AUTHOR_REPLY)
        # Three levels deep is the default limit: the deepest reply has no Reply link.
        expect(deepest.get_by_role("link", name=re.compile("^Reply"))).to_have_count(0)
        expect(nested.get_by_role("link", name="Reply to Kwame Mensah")).to_have_count(1)
        assert "kwame.private@mail.example" not in reader.content()
        reader.locator("#comments").scroll_into_view_if_needed()
        self.screenshot(reader, "comment-thread")
