"""Reply links give one copy of an article page per comment (`?replyto=`): crawlers are asked
neither to follow them nor to index the copies, whose canonical link is the article's."""

import re

from django.test import TestCase

from tests.factories import ArticleFactory, CommentFactory


def robots(html):
    return re.findall(r'<meta name="robots" content="([^"]+)"', html)


def canonical(html):
    return re.findall(r'<link rel="canonical" href="([^"]+)"', html)


class ReplyCopiesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.comment = CommentFactory(article=cls.article, name="Ines")

    def test_reply_links_are_not_followed(self):
        html = self.client.get(self.article.get_absolute_url()).content.decode()

        [link] = re.findall(r"<a [^>]*\?replyto=\d+#respond[^>]*>", html)
        assert 'rel="nofollow"' in link

    def test_the_article_itself_is_indexed(self):
        html = self.client.get(self.article.get_absolute_url()).content.decode()

        assert robots(html) == []

    def test_a_reply_copy_is_not_indexed_and_names_the_article_as_canonical(self):
        url = self.article.get_absolute_url()
        html = self.client.get(f"{url}?replyto={self.comment.pk}").content.decode()

        assert robots(html) == ["noindex, follow"]
        assert canonical(html) == [f"http://testserver{url}"]
        assert 'id="respond"' in html
