"""Reader pages run a fixed number of SQL queries, however much they show.

Each page is measured for a small case (1 article, 1 author, 1 tag, 1 comment) and a large one
(3 authors and 10 tags per article, 10 articles on list pages, 100 approved comments with
replies on the article page). The counts must be equal, and equal to the number pinned here:
a new per-row query (an N+1) or an extra per-page query both fail.
"""

from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from articles.models import Tag
from tests.articles.images import png_upload
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    EducationFactory,
    HeldCommentFactory,
    KindFactory,
)
from tests.helpers import days_ago, page_link
from tests.query_budgets import (
    ARTICLE_PAGE_QUERIES,
    AUTHOR_PAGE_QUERIES,
    HOME_PAGE_QUERIES,
    TAG_PAGE_QUERIES,
    every_request_rendered,
)

LARGE_LIST = 10


def make_tags(prefix, count):
    return [Tag.objects.create(name=f"{prefix} {n}", slug=f"{prefix}-{n}") for n in range(count)]


def make_authors(count):
    # A photo on each author: rendering it must not cost a query either.
    return [AuthorFactory(photo=png_upload(f"author{n}.png")) for n in range(count)]


def with_credentials(*authors):
    """Two degrees and three areas of expertise on each author: showing them costs one query
    for every author of the page together."""
    for author in authors:
        EducationFactory(author=author, degree="MA")
        EducationFactory(author=author, degree="PhD", institution="Kingsbridge University")
        author.expertise = "Trade\nShipping\nSanctions"
        author.save()
    return list(authors)


def add_comments(article, total):
    """`total` approved comments: a third top-level, the rest replies and replies to replies."""
    top_level = [CommentFactory(article=article) for _ in range(total // 3)]
    replies = [
        CommentFactory(article=article, parent=top_level[n % len(top_level)])
        for n in range(total // 3)
    ]
    nested = total - len(top_level) - len(replies)
    for n in range(nested):
        CommentFactory(article=article, parent=replies[n % len(replies)])
    # Held comments are not shown and must not change anything either.
    HeldCommentFactory(article=article)


class QueryCountMixin:
    def count_queries(self, url, **params):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, params)
        assert response.status_code == 200
        return len(queries), response

    def assert_same_queries_small_and_large(self, small_url, large_url):
        """The list page with a full page of articles runs as many queries as the small one."""
        small_count, _ = self.count_queries(small_url)
        large_count, response = self.count_queries(large_url)

        assert len(response.context["object_list"]) == LARGE_LIST
        assert small_count == large_count

    def assert_each_runs(self, expected, *urls):
        for url in urls:
            with self.assertNumQueries(expected):
                self.client.get(url)


@every_request_rendered
class ArticlePageQueryCountTests(QueryCountMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.small = ArticleFactory(authors=make_authors(1), tags=make_tags("small", 1))
        CommentFactory(article=cls.small)

        cls.large = ArticleFactory(
            kind=KindFactory(name="Analysis"),
            featured_image=png_upload("large.png"),
            featured_image_alt="A chart",
            authors=with_credentials(*make_authors(3)),
            tags=make_tags("large", 10),
        )
        add_comments(cls.large, 100)
        large_tags = list(cls.large.tags.all())
        for n in range(5):
            ArticleFactory(
                kind=KindFactory(name=f"Kind {n}"),
                tags=large_tags[: n + 1],
                published_at=days_ago(n + 2),
            )

    def test_large_article_really_shows_everything(self):
        _count, response = self.count_queries(self.large.get_absolute_url())

        content = response.content.decode()
        assert "100 comments" in content
        assert content.count('class="author-box"') == 3
        assert content.count("MA in International Relations, University of Dhaka") == 3
        assert content.count("PhD in International Relations, Kingsbridge University") == 3
        assert content.count('href="/tags/large-') == 10
        assert content.count('class="related__item"') == 3
        assert 'class="article-pager"' in content

    def test_article_page_query_count_does_not_grow_with_comments_tags_and_authors(self):
        small_count, _ = self.count_queries(self.small.get_absolute_url())
        large_count, _ = self.count_queries(self.large.get_absolute_url())

        assert small_count == large_count

    def test_article_page_runs_a_fixed_number_of_queries(self):
        self.assert_each_runs(
            ARTICLE_PAGE_QUERIES, self.small.get_absolute_url(), self.large.get_absolute_url()
        )

    def test_reply_link_view_runs_the_same_number_of_queries(self):
        reply_to = self.large.comments.filter(parent__isnull=True).first()

        with self.assertNumQueries(ARTICLE_PAGE_QUERIES):
            response = self.client.get(self.large.get_absolute_url(), {"replyto": reply_to.pk})
        assert f"Reply to {reply_to.name}" in response.content.decode()


def make_large_article(tags, authors=None, **kwargs):
    article = ArticleFactory(
        authors=authors or make_authors(3),
        tags=tags,
        kind=KindFactory(name="Analysis"),
        featured_image=png_upload("card.png"),
        featured_image_alt="A card image",
        **kwargs,
    )
    CommentFactory(article=article)
    return article


@every_request_rendered
class HomePageQueryCountTests(QueryCountMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first = ArticleFactory(authors=make_authors(1), tags=make_tags("small", 1))
        CommentFactory(article=cls.first)

    def add_large_data(self):
        tags = make_tags("large", 10)
        for n in range(LARGE_LIST - 1):
            make_large_article(tags, published_at=days_ago(n + 2))

    def test_home_page_query_count_does_not_grow_with_articles(self):
        small_count, _ = self.count_queries("/")
        self.add_large_data()
        large_count, response = self.count_queries("/")

        assert len(response.context["object_list"]) == LARGE_LIST
        assert small_count == large_count

    def test_home_page_runs_a_fixed_number_of_queries(self):
        with self.assertNumQueries(HOME_PAGE_QUERIES):
            self.client.get("/")
        self.add_large_data()
        with self.assertNumQueries(HOME_PAGE_QUERIES):
            self.client.get("/")

    def test_second_page_runs_the_same_number_of_queries(self):
        self.add_large_data()
        tags = list(Tag.objects.filter(slug__startswith="large-"))
        for n in range(settings.ARTICLES_PER_PAGE):
            make_large_article(tags, published_at=days_ago(50 + n))

        older = page_link(self.client.get("/"), "next")
        with self.assertNumQueries(HOME_PAGE_QUERIES):
            response = self.client.get(older)
        assert len(response.context["object_list"]) == settings.ARTICLES_PER_PAGE


@every_request_rendered
class TagPageQueryCountTests(QueryCountMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.small_tag = Tag.objects.create(name="Small", slug="small")
        small = ArticleFactory(authors=make_authors(1), tags=[cls.small_tag])
        CommentFactory(article=small)

        cls.large_tag = Tag.objects.create(name="Large", slug="large")
        tags = [cls.large_tag, *make_tags("other", 9)]
        for n in range(LARGE_LIST):
            make_large_article(tags, published_at=days_ago(n + 1))

    def test_tag_page_query_count_does_not_grow_with_articles(self):
        self.assert_same_queries_small_and_large("/tags/small/", "/tags/large/")

    def test_tag_page_runs_a_fixed_number_of_queries(self):
        self.assert_each_runs(TAG_PAGE_QUERIES, "/tags/small/", "/tags/large/")


@every_request_rendered
class AuthorPageQueryCountTests(QueryCountMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.small_author = AuthorFactory(slug="small-author", photo=png_upload("small.png"))
        small = ArticleFactory(authors=[cls.small_author], tags=make_tags("small", 1))
        CommentFactory(article=small)

        cls.large_author = AuthorFactory(slug="large-author", photo=png_upload("large.png"))
        with_credentials(cls.large_author)
        tags = make_tags("large", 10)
        for n in range(LARGE_LIST):
            make_large_article(
                tags, authors=[cls.large_author, *make_authors(2)], published_at=days_ago(n + 1)
            )

    def test_author_page_query_count_does_not_grow_with_articles(self):
        self.assert_same_queries_small_and_large("/authors/small-author/", "/authors/large-author/")

    def test_author_page_runs_a_fixed_number_of_queries(self):
        self.assert_each_runs(
            AUTHOR_PAGE_QUERIES, "/authors/small-author/", "/authors/large-author/"
        )
