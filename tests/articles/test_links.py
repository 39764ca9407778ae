"""Public absolute addresses are built on `SITE_URL` (articles/links.py)."""

from django.test import SimpleTestCase, override_settings

from articles.links import absolute_url

PUBLIC = "https://news.example"


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
