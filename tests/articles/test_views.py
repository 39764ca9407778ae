import datetime
import json
import re

from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from articles.models import Tag
from tests.articles.images import png_upload
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    KindFactory,
    ScheduledArticleFactory,
)
from tests.helpers import days_ago, older_page, page_link, titles

UTC = datetime.UTC


def json_ld(response):
    scripts = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(scripts) == 1, scripts
    return json.loads(scripts[0])


def meta_line(response):
    """The byline/date line under the article title."""
    match = re.search(r'<p class="meta">(.*?)</p>', response.content.decode(), re.S)
    assert match, "no meta line on the page"
    return match.group(1)


class HomePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.middle = ArticleFactory(title="Middle", published_at=days_ago(2))
        cls.newest = ArticleFactory(title="Newest", published_at=days_ago(1))
        cls.oldest = ArticleFactory(title="Oldest", published_at=days_ago(3))
        DraftArticleFactory(title="Unfinished draft")
        ScheduledArticleFactory(title="Embargoed scoop")

    def test_home_lists_published_articles_newest_first(self):
        response = self.client.get(reverse("articles:list"))

        assert response.status_code == 200
        assert titles(response) == ["Newest", "Middle", "Oldest"]

    def test_home_links_to_each_article(self):
        response = self.client.get("/")

        for article in (self.newest, self.middle, self.oldest):
            assert f'href="/articles/{article.slug}/"' in response.content.decode()

    def test_home_leaves_out_drafts_and_scheduled_articles(self):
        content = self.client.get("/").content.decode()

        assert "Unfinished draft" not in content
        assert "Embargoed scoop" not in content


class HomePaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.per_page = settings.ARTICLES_PER_PAGE
        cls.count = cls.per_page + 2
        # Article 0 is the newest.
        for n in range(cls.count):
            ArticleFactory(title=f"Story {n:02}", published_at=days_ago(n + 1))

    def test_first_page_holds_one_page_of_the_newest_articles(self):
        response = self.client.get("/")

        assert titles(response) == [f"Story {n:02}" for n in range(self.per_page)]
        assert response.context["is_paginated"]
        assert page_link(response, "next").startswith("/?before=")
        assert page_link(response, "prev") is None

    def test_second_page_holds_the_rest(self):
        response = older_page(self.client, self.client.get("/"))

        assert response.status_code == 200
        assert titles(response) == [f"Story {n:02}" for n in range(self.per_page, self.count)]
        assert page_link(response, "next") is None
        # Page 1 is the home page's own address, not a duplicate of it with a cursor.
        newer = self.client.get(page_link(response, "prev"))
        assert (newer.status_code, newer["Location"]) == (302, "/")

    def test_page_past_the_end_is_404(self):
        assert self.client.get("/", {"page": 999}).status_code == 404

    def test_non_numeric_page_is_404(self):
        assert self.client.get("/", {"page": "abc"}).status_code == 404


class UnpublishedArticleVisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = AuthorFactory(slug="hidden-writer")
        cls.tag = Tag.objects.create(name="Sanctions", slug="sanctions")
        cls.draft = DraftArticleFactory(
            title="Draft on sanctions", authors=[cls.author], tags=[cls.tag]
        )
        cls.scheduled = ScheduledArticleFactory(
            title="Scheduled on sanctions", authors=[cls.author], tags=[cls.tag]
        )
        cls.published = ArticleFactory(
            title="Published on sanctions", authors=[cls.author], tags=[cls.tag]
        )

    def test_draft_article_url_is_404(self):
        assert self.client.get(self.draft.get_absolute_url()).status_code == 404

    def test_scheduled_article_url_is_404(self):
        assert self.client.get(self.scheduled.get_absolute_url()).status_code == 404

    def test_published_article_url_is_200(self):
        assert self.client.get(self.published.get_absolute_url()).status_code == 200

    def test_unpublished_articles_absent_from_home(self):
        assert titles(self.client.get("/")) == ["Published on sanctions"]

    def test_unpublished_articles_absent_from_tag_page(self):
        response = self.client.get(reverse("articles:tag", args=["sanctions"]))

        assert titles(response) == ["Published on sanctions"]
        assert "Draft on sanctions" not in response.content.decode()
        assert "Scheduled on sanctions" not in response.content.decode()

    def test_unpublished_articles_absent_from_author_page(self):
        response = self.client.get(self.author.get_absolute_url())

        assert titles(response) == ["Published on sanctions"]
        assert "Draft on sanctions" not in response.content.decode()
        assert "Scheduled on sanctions" not in response.content.decode()


class ArticlePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.lead = AuthorFactory(
            name="Amara Okafor",
            slug="amara-okafor",
            role="Senior Fellow",
            affiliation="Centre for Trade Research",
            bio="Amara studies customs unions.",
            photo=png_upload("amara.png"),
        )
        cls.second = AuthorFactory(
            name="Ben Lee",
            slug="ben-lee",
            role="Research Associate",
            affiliation="Harbour University",
            bio="Ben writes on shipping.",
        )
        cls.third = AuthorFactory(
            name="Chloé Durand",
            slug="chloe-durand",
            role="",
            affiliation="",
            bio="",
        )
        cls.trade = Tag.objects.create(name="Trade policy", slug="trade-policy")
        cls.shipping = Tag.objects.create(name="Shipping", slug="shipping")
        cls.article = ArticleFactory(
            title="Customs union talks stall",
            slug="customs-union-talks-stall",
            kind=KindFactory(name="Analysis"),
            standfirst="Negotiators left without a deal.",
            body="<h2>Background</h2><p>The talks began in <em>March</em>.</p>",
            published_at=datetime.datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
            authors=[cls.lead, cls.second, cls.third],
            tags=[cls.trade, cls.shipping],
        )

    def setUp(self):
        self.response = self.client.get("/articles/customs-union-talks-stall/")
        self.content = self.response.content.decode()

    def test_article_page_is_found(self):
        assert self.response.status_code == 200
        assert self.response.context["article"] == self.article

    def test_heading_and_page_title_show_the_kind_after_an_en_dash(self):
        assert '<h1 class="article__title">Customs union talks stall \u2013 Analysis</h1>' in (
            self.content
        )
        assert "<title>Customs union talks stall \u2013 Analysis \u2014 Byline</title>" in (
            self.content
        )

    def test_byline_links_every_author_in_byline_order(self):
        links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', meta_line(self.response))

        assert links == [
            ("/authors/amara-okafor/", "Amara Okafor"),
            ("/authors/ben-lee/", "Ben Lee"),
            ("/authors/chloe-durand/", "Chloé Durand"),
        ]
        assert "By <a" in meta_line(self.response)
        assert "</a> and <a" in meta_line(self.response)

    def test_publication_date_is_shown(self):
        assert (
            '<time class="meta__item" datetime="2025-03-03T09:30:00+0000">3 March 2025</time>'
        ) in self.content

    def test_body_html_is_rendered_as_html(self):
        assert "<h2>Background</h2><p>The talks began in <em>March</em>.</p>" in self.content

    def test_standfirst_is_shown(self):
        assert "Negotiators left without a deal." in self.content

    def test_tags_link_to_their_tag_pages(self):
        assert '<a href="/tags/trade-policy/">Trade policy</a>' in self.content
        assert '<a href="/tags/shipping/">Shipping</a>' in self.content

    def test_one_author_box_per_author_in_byline_order(self):
        boxes = re.findall(r'<section class="author-box".*?</section>', self.content, re.S)

        assert len(boxes) == 3
        assert "Amara Okafor" in boxes[0]
        assert "Ben Lee" in boxes[1]
        assert "Chloé Durand" in boxes[2]

    def test_author_box_shows_name_role_affiliation_and_bio(self):
        boxes = re.findall(r'<section class="author-box".*?</section>', self.content, re.S)

        assert '<a href="/authors/ben-lee/">Ben Lee</a>' in boxes[1]
        assert "Research Associate, Harbour University" in boxes[1]
        assert "Ben writes on shipping." in boxes[1]
        assert "Senior Fellow, Centre for Trade Research" in boxes[0]
        assert "Amara studies customs unions." in boxes[0]

    def test_author_box_shows_the_photo_only_when_the_author_has_one(self):
        boxes = re.findall(r'<section class="author-box".*?</section>', self.content, re.S)

        assert self.lead.photo.url.startswith("/media/authors/")
        assert f'src="{self.lead.photo.url}" alt="Portrait of Amara Okafor"' in boxes[0]
        assert "<img" not in boxes[1]
        assert "<img" not in boxes[2]

    def test_author_without_role_or_bio_shows_no_empty_credentials(self):
        boxes = re.findall(r'<section class="author-box".*?</section>', self.content, re.S)

        assert "author-box__credentials" not in boxes[2]
        assert "author-box__bio" not in boxes[2]

    def test_canonical_link_points_at_the_absolute_article_url(self):
        assert (
            '<link rel="canonical" href="http://testserver/articles/customs-union-talks-stall/">'
            in self.content
        )

    def test_structured_data_is_a_news_article(self):
        data = json_ld(self.response)

        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == "Customs union talks stall"
        assert data["description"] == "Negotiators left without a deal."
        assert data["url"] == "http://testserver/articles/customs-union-talks-stall/"
        assert data["datePublished"] == "2025-03-03T09:30:00+00:00"
        assert data["articleSection"] == "Analysis"
        assert sorted(data["keywords"]) == ["Shipping", "Trade policy"]
        assert data["publisher"] == {"@type": "Organization", "name": settings.SITE_NAME}

    def test_structured_data_lists_authors_as_people_with_job_title_and_affiliation(self):
        authors = json_ld(self.response)["author"]

        assert [author["name"] for author in authors] == ["Amara Okafor", "Ben Lee", "Chloé Durand"]
        assert all(author["@type"] == "Person" for author in authors)
        assert authors[1] == {
            "@type": "Person",
            "name": "Ben Lee",
            "url": "http://testserver/authors/ben-lee/",
            "jobTitle": "Research Associate",
            "affiliation": {"@type": "Organization", "name": "Harbour University"},
        }
        assert "jobTitle" not in authors[2]
        assert "affiliation" not in authors[2]


class ArticlePageFeaturedImageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(
            featured_image=png_upload("summit.png", width=12, height=8),
            featured_image_alt="Delegates around the summit table",
            featured_image_caption="The summit opened on Monday.",
        )

    def test_featured_image_is_shown_with_alt_text_size_and_caption(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode()

        assert (
            f'<img src="{self.article.featured_image.url}" '
            'alt="Delegates around the summit table" width="12" height="8">'
        ) in content
        assert "<figcaption>The summit opened on Monday.</figcaption>" in content

    def test_structured_data_includes_the_absolute_image_url(self):
        data = json_ld(self.client.get(self.article.get_absolute_url()))

        assert [image["url"] for image in data["image"]] == [
            f"http://testserver{self.article.featured_image.url}"
        ]


class ArticlePageWithoutKindTests(TestCase):
    def test_article_without_kind_shows_the_plain_title(self):
        article = ArticleFactory(title="Plain headline", kind=None)

        response = self.client.get(article.get_absolute_url())

        assert '<h1 class="article__title">Plain headline</h1>' in response.content.decode()
        assert "articleSection" not in json_ld(response)


class ArticleMetaLineTests(TestCase):
    """The separators between byline, date and reading time are drawn by the stylesheet
    between the items present, so a missing byline leaves no stray "·"."""

    def test_article_without_authors_has_no_stray_separator(self):
        article = ArticleFactory()
        article.bylines.all().delete()

        line = meta_line(self.client.get(article.get_absolute_url()))

        assert "·" not in line
        assert "By " not in line
        assert re.findall(r'class="meta__item"', line) == ['class="meta__item"'] * 2

    def test_card_without_authors_shows_only_the_date(self):
        article = ArticleFactory(published_at=datetime.datetime(2025, 3, 3, 9, 30, tzinfo=UTC))
        article.bylines.all().delete()

        line = meta_line(self.client.get(reverse("articles:list")))

        assert line.strip() == (
            '<time class="meta__item" datetime="2025-03-03T09:30:00+0000">3 March 2025</time>'
        )


class StructuredDataEscapingTests(TestCase):
    def test_title_cannot_close_the_json_ld_script_element(self):
        title = "</script><script>alert(1)</script> & more"
        article = ArticleFactory(title=title)

        response = self.client.get(article.get_absolute_url())

        assert "<script>alert(1)" not in response.content.decode()
        assert json_ld(response)["headline"] == title


class TagPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.energy = Tag.objects.create(name="Energy", slug="energy")
        cls.water = Tag.objects.create(name="Water", slug="water")
        ArticleFactory(title="Older energy piece", tags=[cls.energy], published_at=days_ago(5))
        ArticleFactory(title="Newer energy piece", tags=[cls.energy], published_at=days_ago(1))
        ArticleFactory(
            title="Energy and water", tags=[cls.energy, cls.water], published_at=days_ago(3)
        )
        ArticleFactory(title="Water only", tags=[cls.water], published_at=days_ago(4))
        ArticleFactory(title="Untagged")

    def test_tag_page_lists_only_articles_with_that_tag_newest_first(self):
        response = self.client.get("/tags/energy/")

        assert response.status_code == 200
        assert titles(response) == [
            "Newer energy piece",
            "Energy and water",
            "Older energy piece",
        ]

    def test_tag_page_shows_the_tag_name(self):
        response = self.client.get("/tags/water/")

        assert '<h1 class="page-title">Water</h1>' in response.content.decode()
        assert titles(response) == ["Energy and water", "Water only"]

    def test_unknown_tag_is_404(self):
        assert self.client.get("/tags/no-such-topic/").status_code == 404

    def test_tag_with_no_published_articles_is_404(self):
        # tests/articles/test_tag_visibility.py covers drafts and scheduled articles.
        Tag.objects.create(name="Fisheries", slug="fisheries")

        assert self.client.get("/tags/fisheries/").status_code == 404


class TagPagePaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        tag = Tag.objects.create(name="Ports", slug="ports")
        for n in range(settings.ARTICLES_PER_PAGE + 1):
            ArticleFactory(title=f"Port story {n:02}", tags=[tag], published_at=days_ago(n + 1))

    def test_tag_page_paginates(self):
        first = self.client.get("/tags/ports/")

        assert len(titles(first)) == settings.ARTICLES_PER_PAGE
        assert titles(older_page(self.client, first)) == [
            f"Port story {settings.ARTICLES_PER_PAGE:02}"
        ]
        assert self.client.get("/tags/ports/", {"page": 3}).status_code == 404
