import datetime

from django.test import TestCase, override_settings

from tests.articles.images import png_upload
from tests.articles.page_meta import canonical, meta_names, opengraph
from tests.factories import ArticleFactory, AuthorFactory, KindFactory
from tests.helpers import page_link

UTC = datetime.UTC


class ArticlePreviewTagsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.amara = AuthorFactory(name="Amara Okafor", slug="amara-okafor")
        cls.ben = AuthorFactory(name="Ben Lee", slug="ben-lee")
        with cls.captureOnCommitCallbacks(execute=True):  # makes the renditions
            cls.article = cls.make_article()
        cls.article.refresh_from_db()

    @classmethod
    def make_article(cls):
        return ArticleFactory(
            title="Customs union talks stall",
            slug="customs",
            standfirst='Negotiators left "without a deal" <again>.',
            kind=KindFactory(name="Analysis"),
            authors=[cls.amara, cls.ben],
            tags=["Trade policy", "Shipping"],
            published_at=datetime.datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
            featured_image=png_upload("summit.png", width=1200, height=630),
            featured_image_alt="Delegates at the table",
        )

    def setUp(self):
        self.response = self.client.get(self.article.get_absolute_url())

    def test_opengraph_describes_the_article(self):
        og = opengraph(self.response)

        assert og["og:type"] == ["article"]
        assert og["og:title"] == ["Customs union talks stall"]
        assert og["og:description"] == ['Negotiators left "without a deal" <again>.']
        assert og["og:url"] == ["http://testserver/articles/customs/"]
        assert og["og:site_name"] == ["Byline"]
        assert og["og:locale"] == ["en_GB"]
        assert og["article:published_time"] == ["2025-03-03T09:30:00+00:00"]
        assert og["article:modified_time"] == [self.article.updated_at.isoformat()]
        assert og["article:author"] == [
            "http://testserver/authors/amara-okafor/",
            "http://testserver/authors/ben-lee/",
        ]
        assert og["article:section"] == ["Analysis"]
        assert sorted(og["article:tag"]) == ["Shipping", "Trade policy"]

    def test_opengraph_image_is_the_widest_jpeg_rendition_with_its_size(self):
        og = opengraph(self.response)
        rendition = self.article.featured_image.storage.url(
            next(
                file["name"]
                for file in self.article.featured_image_renditions["files"]
                if file["format"] == "jpeg" and file["width"] == 1200
            )
        )

        assert og["og:image"] == [f"http://testserver{rendition}"]
        assert og["og:image:type"] == ["image/jpeg"]
        assert og["og:image:width"] == ["1200"]
        assert og["og:image:height"] == ["630"]
        assert og["og:image:alt"] == ["Delegates at the table"]

    def test_without_renditions_the_original_image_and_its_size_are_used(self):
        self.article.featured_image_renditions = {}
        self.article.save()

        og = opengraph(self.client.get(self.article.get_absolute_url()))

        assert og["og:image"] == [f"http://testserver{self.article.featured_image.url}"]
        assert og["og:image:type"] == ["image/png"]
        assert (og["og:image:width"], og["og:image:height"]) == (["1200"], ["630"])

    def test_twitter_card_is_large_with_an_image(self):
        names = meta_names(self.response)

        assert names["twitter:card"] == "summary_large_image"
        assert names["twitter:title"] == "Customs union talks stall"
        assert names["twitter:image"] == opengraph(self.response)["og:image"][0]
        assert names["twitter:image:alt"] == "Delegates at the table"

    def test_meta_description_is_the_standfirst_and_canonical_is_absolute(self):
        assert meta_names(self.response)["description"] == (
            'Negotiators left "without a deal" <again>.'
        )
        assert canonical(self.response) == "http://testserver/articles/customs/"
        assert "&lt;again&gt;" in self.response.content.decode()

    def test_article_without_image_gets_the_sites_share_image_in_a_large_card(self):
        article = ArticleFactory(standfirst="", body="<p>Only a <em>body</em> here.</p>")

        response = self.client.get(article.get_absolute_url())

        assert meta_names(response)["twitter:card"] == "summary_large_image"
        assert meta_names(response)["description"] == "Only a body here."
        assert opengraph(response)["og:image"] == [
            "http://testserver/static/articles/share-image.png"
        ]

    def test_a_description_from_the_body_reads_its_entities_once(self):
        article = ArticleFactory(standfirst="", body="<p>Ports &amp; harbours&nbsp;matter.</p>")

        response = self.client.get(article.get_absolute_url())

        assert meta_names(response)["description"] == "Ports & harbours matter."


class ListPagePreviewTagsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ArticleFactory(tags=["Trade"], authors=[AuthorFactory(slug="amara", name="Amara")])

    def test_list_pages_have_canonical_description_and_website_tags(self):
        pages = {
            "/": ("Byline", "Byline: Analysis and commentary"),
            "/tags/trade/": ("Trade", "Articles tagged Trade on Byline."),
            "/authors/amara/": (
                "Amara",
                "Amara, Research Associate, Institute for Policy Studies.",
            ),
            "/kinds/analysis/": ("Analysis", "Analysis from Byline."),
        }
        for path, (title, description) in pages.items():
            response = self.client.get(path, {"utm_source": "x"})
            og = opengraph(response)

            assert canonical(response) == f"http://testserver{path}"
            assert meta_names(response)["description"] == description
            assert og["og:type"] == ["website"]
            assert og["og:title"] == [title]
            assert og["og:url"] == [f"http://testserver{path}"]
            assert og["og:image"] == ["http://testserver/static/articles/share-image.png"]
            assert meta_names(response)["twitter:card"] == "summary_large_image"

    @override_settings(ARTICLES_PER_PAGE=1)
    def test_a_later_page_is_its_own_canonical_page(self):
        ArticleFactory()

        first = self.client.get("/", {"utm_source": "feed"})
        address = page_link(first, "next")
        response = self.client.get(address)

        cursor = address.split("before=")[1]
        assert canonical(first) == "http://testserver/"
        assert canonical(response) == f"http://testserver/?before={cursor}"
