from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from tests.articles.images import png_upload
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)
from tests.helpers import days_ago, older_page, page_link, titles


class AuthorPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = AuthorFactory(
            name="Priya Raman",
            slug="priya-raman",
            role="Senior Fellow",
            affiliation="Institute for Maritime Studies",
            bio="Priya researches ports.\nShe previously reported from Chennai.",
            photo=png_upload("priya.png"),
            website="https://priya.example/",
        )
        cls.colleague = AuthorFactory(name="Tom Berg", slug="tom-berg")
        ArticleFactory(title="Older solo piece", authors=[cls.author], published_at=days_ago(9))
        ArticleFactory(
            title="Co-written piece",
            authors=[cls.colleague, cls.author],
            published_at=days_ago(2),
        )
        ArticleFactory(title="Newest solo piece", authors=[cls.author], published_at=days_ago(1))
        ArticleFactory(title="Colleague's own piece", authors=[cls.colleague])
        DraftArticleFactory(title="Her unfinished draft", authors=[cls.author])
        ScheduledArticleFactory(title="Her embargoed piece", authors=[cls.author])

    def setUp(self):
        self.response = self.client.get(reverse("authors:detail", args=["priya-raman"]))
        self.content = self.response.content.decode()

    def test_author_page_is_found(self):
        assert self.response.status_code == 200
        assert self.response.context["author"] == self.author

    def test_author_page_shows_name_role_and_affiliation(self):
        assert '<h1 class="page-title">Priya Raman</h1>' in self.content
        assert (
            '<p class="profile__credentials">Senior Fellow, Institute for Maritime Studies</p>'
            in self.content
        )

    def test_author_page_shows_bio_with_line_breaks(self):
        assert "Priya researches ports.<br>She previously reported from Chennai." in self.content

    def test_author_page_shows_the_photo(self):
        assert self.author.photo.url.startswith("/media/authors/")
        assert (
            f'<img class="profile__photo" src="{self.author.photo.url}" '
            'alt="Portrait of Priya Raman"'
        ) in self.content

    def test_author_page_links_the_authors_website(self):
        assert '<a href="https://priya.example/" rel="me noopener">Website</a>' in self.content

    def test_author_page_lists_only_their_published_articles_newest_first(self):
        assert titles(self.response) == [
            "Newest solo piece",
            "Co-written piece",
            "Older solo piece",
        ]

    def test_author_page_leaves_out_drafts_scheduled_and_other_authors_articles(self):
        assert "Her unfinished draft" not in self.content
        assert "Her embargoed piece" not in self.content
        assert "Colleague&#x27;s own piece" not in self.content
        assert "Colleague's own piece" not in self.content

    def test_co_written_article_appears_on_each_authors_page(self):
        response = self.client.get(reverse("authors:detail", args=["tom-berg"]))

        assert titles(response) == ["Colleague's own piece", "Co-written piece"]


class AuthorWithoutPhotoTests(TestCase):
    def test_author_page_without_photo_shows_no_image(self):
        author = AuthorFactory(name="No Photo", slug="no-photo")

        content = self.client.get(author.get_absolute_url()).content.decode()

        assert '<h1 class="page-title">No Photo</h1>' in content
        assert "profile__photo" not in content

    def test_author_without_articles_shows_an_empty_list(self):
        author = AuthorFactory(slug="new-writer")

        response = self.client.get(author.get_absolute_url())

        assert response.status_code == 200
        assert titles(response) == []
        assert "Nothing has been published here yet." in response.content.decode()


class AuthorPagePaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = AuthorFactory(slug="prolific")
        cls.count = settings.ARTICLES_PER_PAGE + 3
        for n in range(cls.count):
            ArticleFactory(
                title=f"Piece {n:02}", authors=[cls.author], published_at=days_ago(n + 1)
            )

    def test_first_page_holds_the_newest_articles(self):
        response = self.client.get("/authors/prolific/")

        assert titles(response) == [f"Piece {n:02}" for n in range(settings.ARTICLES_PER_PAGE)]
        assert page_link(response, "next").startswith("/authors/prolific/?before=")

    def test_second_page_holds_the_rest(self):
        response = older_page(self.client, self.client.get("/authors/prolific/"))

        assert titles(response) == [
            f"Piece {n:02}" for n in range(settings.ARTICLES_PER_PAGE, self.count)
        ]

    def test_page_past_the_end_is_404(self):
        assert self.client.get("/authors/prolific/", {"page": 999}).status_code == 404


class UnknownAuthorTests(TestCase):
    def test_unknown_author_slug_is_404(self):
        assert self.client.get("/authors/nobody-by-that-name/").status_code == 404
