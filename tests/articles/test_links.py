"""Every public absolute address is on `SITE_URL` (articles/links.py), whatever Host header the
request came in on: a second allowed host (the bare domain beside www, an internal host editors
reach the admin on) never reaches a page's canonical link, its preview tags or structured data,
a feed, the sitemap or robots.txt, and two hosts get the same answer to cache."""

import json
import re
from urllib.parse import quote

import feedparser
import lxml.html
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from lxml import etree

from articles.links import absolute_url, site_relative
from tests.articles.images import png_upload
from tests.factories import ArticleFactory, AuthorFactory, KindFactory

PUBLIC = "https://news.example"
INTERNAL_HOST = "internal.example"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class AbsoluteUrlTests(SimpleTestCase):
    @override_settings(SITE_URL=PUBLIC)
    def test_a_path_is_put_on_the_site_url(self):
        assert absolute_url("/articles/customs/") == f"{PUBLIC}/articles/customs/"

    @override_settings(SITE_URL=f"{PUBLIC}/")
    def test_a_site_url_with_a_trailing_slash_gives_no_double_slash(self):
        assert absolute_url("/media/a.png") == f"{PUBLIC}/media/a.png"

    @override_settings(SITE_URL="http://127.0.0.1:8000")
    def test_the_site_urls_port_is_kept(self):
        assert absolute_url("/feed/") == "http://127.0.0.1:8000/feed/"

    @override_settings(SITE_URL=PUBLIC)
    def test_an_address_already_absolute_is_kept(self):
        # Media on another host (a CDN storage) already comes with its own origin.
        assert absolute_url("https://cdn.example/a.png") == "https://cdn.example/a.png"

    @override_settings(SITE_URL=PUBLIC)
    def test_a_protocol_relative_address_takes_the_site_urls_scheme(self):
        assert absolute_url("//cdn.example/a.png") == "https://cdn.example/a.png"

    @override_settings(SITE_URL=PUBLIC)
    def test_non_ascii_characters_are_percent_encoded(self):
        assert absolute_url("/tags/café/") == f"{PUBLIC}/tags/caf%C3%A9/"


@override_settings(SITE_URL=PUBLIC, ALLOWED_HOSTS=[INTERNAL_HOST])
class SiteRelativeTests(SimpleTestCase):
    def test_an_address_on_an_allowed_host_loses_its_origin(self):
        assert site_relative(f"http://{INTERNAL_HOST}/media/a.png?v=2") == "/media/a.png?v=2"

    def test_an_address_elsewhere_is_kept(self):
        assert site_relative("https://elsewhere.example/a/") == "https://elsewhere.example/a/"

    def test_a_relative_address_is_kept(self):
        assert site_relative("/articles/x/") == "/articles/x/"

    def test_a_malformed_address_is_kept_not_an_error(self):
        assert site_relative("https://[news.example/x/") == "https://[news.example/x/"
        assert site_relative(f"https://{INTERNAL_HOST}:99999/x/") == (
            f"https://{INTERNAL_HOST}:99999/x/"
        )


@override_settings(SITE_URL=PUBLIC, ALLOWED_HOSTS=["testserver", INTERNAL_HOST])
class PublicAddressesIgnoreTheHostTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = AuthorFactory(
            name="Amara Okafor", slug="amara", photo=png_upload("amara.png", 64, 64)
        )
        cls.article = ArticleFactory(
            title="Customs union talks stall",
            slug="customs",
            standfirst="Negotiators left without a deal.",
            body=(
                '<p>See <a href="/articles/other/">the other piece</a>.</p>'
                '<figure><img src="/media/articles/inline/2025/03/map.png" alt="Map"></figure>'
            ),
            kind=KindFactory(name="Analysis", slug="analysis"),
            authors=[cls.author],
            tags=["Trade"],
            featured_image=png_upload("summit.png", width=1200, height=630),
            featured_image_alt="Delegates",
        )

    def get(self, path, host=INTERNAL_HOST, **params):
        response = self.client.get(path, params, headers={"host": host})
        assert response.status_code == 200, (path, response.status_code)
        assert host not in response.content.decode(), path
        return response

    def head_of(self, response):
        return lxml.html.fromstring(response.content).find("head")

    def test_article_page_canonical_and_preview_tags_are_on_site_url(self):
        head = self.head_of(self.get(self.article.get_absolute_url()))
        meta = {
            element.get("property") or element.get("name"): element.get("content")
            for element in head.iterfind("meta")
        }

        page = f"{PUBLIC}/articles/customs/"
        assert head.xpath("link[@rel='canonical']/@href") == [page]
        assert meta["og:url"] == page
        assert meta["article:author"] == f"{PUBLIC}/authors/amara/"
        assert meta["og:image"].startswith(f"{PUBLIC}/media/")
        assert meta["twitter:image"] == meta["og:image"]

    def test_article_pages_structured_data_is_on_site_url(self):
        head = self.head_of(self.get(self.article.get_absolute_url()))
        (script,) = head.xpath("script[@type='application/ld+json']/text()")
        data = json.loads(script)

        assert data["url"] == f"{PUBLIC}/articles/customs/"
        assert data["mainEntityOfPage"]["@id"] == f"{PUBLIC}/articles/customs/"
        assert data["image"][0]["url"].startswith(f"{PUBLIC}/media/")
        (person,) = data["author"]
        assert person["url"] == f"{PUBLIC}/authors/amara/"
        assert person["image"].startswith(f"{PUBLIC}/media/")

    def test_article_pages_share_links_pass_on_the_site_url(self):
        html = self.get(self.article.get_absolute_url()).content.decode()

        assert quote(f"{PUBLIC}/articles/customs/", safe="") in html

    def test_a_body_pasted_from_the_internal_host_is_published_without_it(self):
        article = ArticleFactory(
            body=f'<figure><img src="https://{INTERNAL_HOST}/media/map.png" alt="Map"></figure>'
        )

        html = self.get(article.get_absolute_url(), host="testserver").content.decode()

        assert INTERNAL_HOST not in html
        assert '<img src="/media/map.png" alt="Map">' in html

    def test_list_pages_canonical_and_og_url_are_on_site_url(self):
        for path in ["/", "/tags/trade/", "/authors/amara/", "/kinds/analysis/", "/archive/"]:
            head = self.head_of(self.get(path))

            assert head.xpath("link[@rel='canonical']/@href") == [f"{PUBLIC}{path}"], path
            assert head.xpath("meta[@property='og:url']/@content") == [f"{PUBLIC}{path}"], path

    @override_settings(FEED_FULL_TEXT=True)
    def test_feeds_link_only_to_site_url(self):
        feeds = {
            "articles:feed": ([], "/"),
            "articles:atom_feed": ([], "/"),
            "articles:tag_feed": (["trade"], "/tags/trade/"),
            "articles:tag_atom_feed": (["trade"], "/tags/trade/"),
            "articles:author_feed": (["amara"], "/authors/amara/"),
            "articles:author_atom_feed": (["amara"], "/authors/amara/"),
            "articles:kind_feed": (["analysis"], "/kinds/analysis/"),
            "articles:kind_atom_feed": (["analysis"], "/kinds/analysis/"),
        }
        for name, (args, page) in feeds.items():
            path = reverse(name, args=args)
            feed = feedparser.parse(self.get(path).content)

            assert feed.bozo == 0, (name, feed.get("bozo_exception"))
            links = {link.rel: link.href for link in feed.feed.links}
            assert links["alternate"] == f"{PUBLIC}{page}", name
            assert links["self"] == f"{PUBLIC}{path}", name
            (entry,) = feed.entries
            assert entry.link == f"{PUBLIC}/articles/customs/", name
            assert entry.id == f"{PUBLIC}/articles/customs/", name
            (content,) = entry.content
            assert f'href="{PUBLIC}/articles/other/"' in content.value, name
            assert f'src="{PUBLIC}/media/articles/inline/2025/03/map.png"' in content.value, name
        atom = feedparser.parse(self.get(reverse("articles:atom_feed")).content)
        assert atom.entries[0].authors[0].href == f"{PUBLIC}/authors/amara/"

    def test_sitemap_locations_are_on_site_url(self):
        tree = etree.fromstring(self.get("/sitemap.xml").content)
        locations = [url.findtext("sm:loc", namespaces=SITEMAP_NS) for url in tree]

        assert sorted(locations) == [
            f"{PUBLIC}/",
            f"{PUBLIC}/articles/customs/",
            f"{PUBLIC}/authors/amara/",
            f"{PUBLIC}/kinds/analysis/",
            f"{PUBLIC}/tags/trade/",
        ]

    def test_robots_txt_names_the_sitemap_on_site_url(self):
        lines = self.get("/robots.txt").content.decode().splitlines()

        assert f"Sitemap: {PUBLIC}/sitemap.xml" in lines

    @override_settings(FEED_FULL_TEXT=True)
    def test_two_hosts_get_the_same_feeds_sitemap_and_robots_txt(self):
        """What a shared cache keeps for one host is right for every other."""
        for path in ["/feed/", "/feed/atom/", "/sitemap.xml", "/robots.txt"]:
            internal = self.get(path).content
            public = self.get(path, host="testserver").content

            assert internal == public, path

    def test_two_hosts_get_the_same_addresses_on_the_article_page(self):
        def addresses(host):
            html = self.get(self.article.get_absolute_url(), host=host).content.decode()
            return re.findall(r"https?://[^\"'\s<>]+", html)

        assert addresses(INTERNAL_HOST) == addresses("testserver")
