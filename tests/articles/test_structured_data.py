import datetime

import extruct
from django.test import TestCase, override_settings

from tests.articles.images import png_upload
from tests.articles.page_meta import news_article
from tests.factories import ArticleFactory, AuthorFactory, DraftArticleFactory, KindFactory

UTC = datetime.UTC


class NewsArticleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.amara = AuthorFactory(
            name="Amara Okafor",
            slug="amara-okafor",
            role="Senior Fellow",
            affiliation="Centre for Trade Research",
            x_url="https://x.example/amara",
        )
        cls.plain = AuthorFactory(name="Ben Lee", slug="ben-lee", role="", affiliation="")
        cls.article = ArticleFactory(
            title="Customs union talks stall",
            slug="customs",
            standfirst="Negotiators left without a deal.",
            kind=KindFactory(name="Analysis"),
            authors=[cls.amara, cls.plain],
            tags=["Trade policy", "Shipping"],
            published_at=datetime.datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
            featured_image=png_upload("summit.png", width=800, height=450),
            featured_image_alt="Delegates",
            featured_image_caption="The summit opened on Monday.",
        )
        cls.article.refresh_from_db()

    def setUp(self):
        self.data = news_article(self.client.get(self.article.get_absolute_url()))

    def test_headline_description_dates_and_page(self):
        assert self.data["headline"] == "Customs union talks stall"
        assert self.data["description"] == "Negotiators left without a deal."
        assert self.data["datePublished"] == "2025-03-03T09:30:00+00:00"
        assert self.data["dateModified"] == self.article.updated_at.isoformat()
        assert self.data["url"] == "http://testserver/articles/customs/"
        assert self.data["mainEntityOfPage"] == {
            "@type": "WebPage",
            "@id": "http://testserver/articles/customs/",
        }
        assert self.data["articleSection"] == "Analysis"
        assert self.data["inLanguage"] == "en-GB"
        assert sorted(self.data["keywords"]) == ["Shipping", "Trade policy"]

    def test_image_is_an_absolute_image_object_with_its_size(self):
        (image,) = self.data["image"]

        assert image["@type"] == "ImageObject"
        assert image["url"].startswith("http://testserver/media/articles/")
        assert (image["width"], image["height"]) == (800, 450)
        assert image["caption"] == "The summit opened on Monday."

    def test_authors_are_people_with_job_title_and_affiliation(self):
        amara, ben = self.data["author"]

        assert amara == {
            "@type": "Person",
            "name": "Amara Okafor",
            "url": "http://testserver/authors/amara-okafor/",
            "jobTitle": "Senior Fellow",
            "affiliation": {"@type": "Organization", "name": "Centre for Trade Research"},
            "sameAs": ["https://x.example/amara"],
        }
        assert ben == {
            "@type": "Person",
            "name": "Ben Lee",
            "url": "http://testserver/authors/ben-lee/",
        }

    def test_publisher_is_the_publication(self):
        assert self.data["publisher"] == {"@type": "Organization", "name": "Byline"}

    @override_settings(SITE_LOGO_URL="https://cdn.example/logo.png")
    def test_publisher_has_the_logo_when_one_is_set(self):
        data = news_article(self.client.get(self.article.get_absolute_url()))

        assert data["publisher"]["logo"] == {
            "@type": "ImageObject",
            "url": "https://cdn.example/logo.png",
        }

    def test_nothing_in_the_data_can_close_the_script_element(self):
        title = "</script><script>alert(1)</script> & more"
        article = ArticleFactory(title=title, standfirst="<b>bold</b>")

        response = self.client.get(article.get_absolute_url())

        assert "<script>alert(1)" not in response.content.decode()
        assert "\\u003C/script\\u003E" in response.content.decode()
        assert news_article(response)["headline"] == title

    def test_list_pages_carry_no_news_article(self):
        DraftArticleFactory()

        data = extruct.extract(self.client.get("/").content.decode(), syntaxes=["json-ld"])

        assert data["json-ld"] == []
