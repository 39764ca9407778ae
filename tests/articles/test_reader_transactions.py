"""Reader pages only read and run outside a transaction; what writes keeps ATOMIC_REQUESTS'.

In tests every request runs inside the test's transaction, so a request's own transaction shows
as a savepoint and its release.
"""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from tests.comments.posting import post_url, valid_data
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory
from tests.helpers import days_ago


def savepoints(queries):
    return [query["sql"] for query in queries if "SAVEPOINT" in query["sql"].upper()]


class ReaderTransactionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        author = AuthorFactory(slug="writer")
        cls.articles = [
            ArticleFactory(tags=["Trade"], authors=[author], published_at=days_ago(n))
            for n in (3, 2, 1)
        ]
        CommentFactory(article=cls.articles[1])

    def test_reader_pages_open_no_transaction(self):
        for url in (
            "/",
            self.articles[1].get_absolute_url(),
            "/tags/trade/",
            "/authors/writer/",
            "/archive/",
            "/search/?q=trade",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert self.client.get(url).status_code == 200, url
            assert queries, url
            assert savepoints(queries) == [], url

    def test_posting_a_comment_keeps_its_transaction(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(post_url(self.articles[1]), valid_data())

        assert response.status_code == 302
        assert savepoints(queries)


class NeighbourTests(TestCase):
    def test_previous_and_next_come_from_one_query_as_before_and_after_give_them(self):
        same_second = days_ago(2)
        articles = [
            ArticleFactory(published_at=days_ago(3)),
            ArticleFactory(published_at=same_second),
            ArticleFactory(published_at=same_second),
            ArticleFactory(published_at=days_ago(1)),
        ]
        live = Article.objects.published()

        for article in articles:
            with self.assertNumQueries(1):
                previous, following = live.neighbours(article)
            assert previous == live.before(article).first()
            assert following == live.after(article).first()
        assert live.neighbours(articles[0])[0] is None
        assert live.neighbours(articles[-1])[1] is None
