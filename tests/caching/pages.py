"""Helpers for the page cache's tests: is a page served from the cache?"""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

HIT = "hit"
MISS = "miss"


class PageCacheTestCase(TestCase):
    def fetch(self, url, **extra):
        """GET `url`; returns the response and the number of SQL queries it ran."""
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, **extra)
        return response, len(queries)

    def cache_state(self, url):
        """ "hit" when `url` came from the page cache, "miss" when rendered and stored, None when
        rendered and not stored."""
        response, _ = self.fetch(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.headers.get("X-Page-Cache")

    def warm(self, *urls):
        for url in urls:
            assert self.cache_state(url) in (HIT, MISS), url
            assert self.cache_state(url) == HIT, url

    def assert_cached(self, *urls):
        states = {url: self.cache_state(url) for url in urls}
        assert states == dict.fromkeys(urls, HIT), states

    def assert_dropped(self, *urls):
        """Each of `urls` is rendered again (and stored again)."""
        states = {url: self.cache_state(url) for url in urls}
        assert states == dict.fromkeys(urls, MISS), states

    def assert_only_dropped(self, dropped, among):
        """Exactly `dropped` of the warm pages `among` are rendered again; the rest stay."""
        self.assert_dropped(*dropped)
        self.assert_cached(*(url for url in among if url not in dropped))
