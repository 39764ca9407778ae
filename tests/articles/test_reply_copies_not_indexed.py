"""Reply links give one copy of an article page per comment (`?replyto=`): crawlers are asked
neither to follow them nor to index the copies, whose canonical link is the article's."""

import lxml.html
from django.test import TestCase

from tests.articles.page_meta import canonical, meta_names
from tests.factories import ArticleFactory, CommentFactory


class ReplyCopiesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.comment = CommentFactory(article=cls.article, name="Ines")

    def test_reply_links_are_not_followed(self):
        response = self.client.get(self.article.get_absolute_url())

        [link] = lxml.html.fromstring(response.content).xpath("//a[contains(@href, '?replyto=')]")
        assert link.get("rel") == "nofollow"

    def test_the_article_itself_is_indexed(self):
        response = self.client.get(self.article.get_absolute_url())

        assert "robots" not in meta_names(response)

    def test_a_reply_copy_is_not_indexed_and_names_the_article_as_canonical(self):
        url = self.article.get_absolute_url()
        response = self.client.get(f"{url}?replyto={self.comment.pk}")

        assert meta_names(response)["robots"] == "noindex, follow"
        assert canonical(response) == f"http://testserver{url}"
        assert 'id="respond"' in response.content.decode()
