"""Varnish in front of Byline: readers' pages served from it, dropped exactly when they change.

The live tests run Debian's varnishd (with varnish-modules' xkey) on Byline's own VCL,
config/varnish/byline.vcl, in front of the test's live server, with FRONT_CACHE_PURGE_URLS
pointing at it: what Byline sends after each change is what a production Varnish receives.
"""

import http.client
import io
import re
import subprocess
import tempfile

from django.core.management import CommandError, call_command
from django.test import LiveServerTestCase, SimpleTestCase, override_settings

from comments import moderation
from comments.models import Comment
from config import front_cache
from config.page_cache import private_cookie_names
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    DraftArticleFactory,
    HeldCommentFactory,
    StaffFactory,
)
from tests.servers import VarnishServer, free_port, require_binary


class VclTests(SimpleTestCase):
    def test_the_vcl_compiles_in_debian_varnish(self):
        require_binary("varnishd", "varnish varnish-modules")
        with tempfile.TemporaryDirectory() as work:
            compiled = subprocess.run(
                ["varnishd", "-C", "-j", "none", "-f", VarnishServer.VCL, "-n", work],
                capture_output=True,
                text=True,
            )
        assert compiled.returncode == 0, compiled.stderr[-2000:]

    def test_the_vcl_passes_exactly_the_cookies_that_make_a_page_a_readers_own(self):
        with open(VarnishServer.VCL) as vcl:
            passed = re.search(r'req\.http\.Cookie ~ "\(\^\|;\\s\*\)\(([^)]+)\)="', vcl.read())
        assert passed, "the VCL's cookie rule was not found"
        assert set(passed.group(1).split("|")) == private_cookie_names()


class PurgeMessageTests(SimpleTestCase):
    def test_a_front_cache_that_does_not_answer_is_reported_not_raised(self):
        unreachable = f"http://127.0.0.1:{free_port()}/"

        with self.assertLogs("byline.front_cache", "WARNING") as logs:
            failed = front_cache.purge(["article-7"], urls=[unreachable])

        assert failed == [unreachable]
        assert "Front cache purge failed" in logs.output[0]

    def test_purging_every_page_of_an_unreachable_front_cache_fails_clearly(self):
        unreachable = f"http://127.0.0.1:{free_port()}/"

        with (
            override_settings(FRONT_CACHE_PURGE_URLS=[unreachable]),
            self.assertLogs("byline.front_cache", "WARNING"),
            self.assertRaisesMessage(CommandError, f"Not confirmed by {unreachable}"),
        ):
            call_command("purge_front_cache", stdout=io.StringIO())

    def test_keys_go_in_batches_varnish_accepts(self):
        require_binary("varnishd", "varnish varnish-modules")
        varnish = VarnishServer(backend_port=free_port()).start()
        self.addCleanup(varnish.close)
        keys = [f"article-{number}" for number in range(1000)]

        assert front_cache.purge(keys, urls=[varnish.url]) == []


class FrontCacheTests(LiveServerTestCase):
    """Pages read through Varnish: `X-Cache: hit` when Varnish answered without Byline."""

    @classmethod
    def setUpClass(cls):
        require_binary("varnishd", "varnish varnish-modules")
        super().setUpClass()
        cls.varnish = VarnishServer(backend_port=cls.server_thread.port).start()

    @classmethod
    def tearDownClass(cls):
        cls.varnish.close()
        super().tearDownClass()

    def setUp(self):
        purging = override_settings(FRONT_CACHE_PURGE_URLS=[self.varnish.url])
        purging.enable()
        self.addCleanup(purging.disable)
        # Pages kept for an earlier test carry that test's rows' keys: start empty.
        assert front_cache.purge_everything() == []
        self.author = AuthorFactory(name="Ada Okafor", slug="ada")
        self.seven = ArticleFactory(slug="seven", title="Seven", authors=[self.author])
        self.eight = ArticleFactory(slug="eight", title="Eight")
        CommentFactory(article=self.seven, body="The first word on seven.")

    def get(self, path, cookie=None):
        """`(status, "hit" or "miss", body)` for GET `path` through Varnish."""
        connection = http.client.HTTPConnection("127.0.0.1", self.varnish.port, timeout=10)
        headers = {"Host": "localhost"}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        return response.status, response.getheader("X-Cache"), body

    def warm(self, *paths):
        """Read each of `paths` until Varnish answers it itself (Byline may decline to let the
        first render after a change be kept, config/page_cache.py)."""
        for path in paths:
            states = []
            while len(states) < 3 and "hit" not in states:
                status, state, _ = self.get(path)
                assert status == 200, (path, status)
                states.append(state)
            assert states[-1] == "hit", f"{path} was not kept by Varnish: {states}"

    def test_readers_pages_are_served_by_varnish(self):
        status, state, body = self.get("/articles/seven/")
        assert (status, state) == (200, "miss")
        assert "The first word on seven." in body

        self.warm("/articles/seven/")

        assert self.get("/articles/seven/") == (200, "hit", body)

    def test_the_keys_are_not_shown_to_readers(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.varnish.port, timeout=10)
        connection.request("GET", "/articles/seven/", headers={"Host": "localhost"})
        response = connection.getresponse()
        response.read()
        assert response.getheader("xkey") is None

    def test_approving_a_comment_drops_its_article_page_only(self):
        held = HeldCommentFactory(article=self.seven, body="A later thought on seven.")
        self.warm("/articles/seven/", "/articles/eight/", "/", "/authors/ada/")

        moderation.moderate([held], Comment.Status.APPROVED, StaffFactory())

        status, state, body = self.get("/articles/seven/")
        assert (status, state) == (200, "miss")
        assert "A later thought on seven." in body
        assert self.get("/articles/eight/")[1] == "hit"
        assert self.get("/")[1] == "hit"
        assert self.get("/authors/ada/")[1] == "hit"

    def test_publishing_an_article_drops_the_lists_it_joins(self):
        self.warm("/", "/authors/ada/", "/articles/seven/")
        draft = DraftArticleFactory(
            slug="nine", title="Nine, just published", authors=[self.author]
        )

        draft.publish()

        for path in ("/", "/authors/ada/"):
            status, state, body = self.get(path)
            assert (status, state) == (200, "miss"), path
            assert "Nine, just published" in body, path
        # Seven links neither to nine nor to a page nine changed (eight's "next" link did).
        assert self.get("/articles/seven/")[1] == "hit"

    def test_editing_an_author_drops_the_pages_showing_them(self):
        self.warm("/articles/seven/", "/articles/eight/", "/authors/ada/")

        self.author.bio = "Writes about the long view."
        self.author.save()

        assert self.get("/authors/ada/")[1] == "miss"
        status, state, body = self.get("/articles/seven/")
        assert state == "miss" and "Writes about the long view." in body
        assert self.get("/articles/eight/")[1] == "hit"

    def test_staff_and_readers_with_saved_details_are_never_served_from_it(self):
        self.warm("/articles/seven/")

        for cookie in ("sessionid=abc", "byline_commenter=xyz", "messages=m"):
            assert self.get("/articles/seven/", cookie=cookie)[1] == "miss", cookie

    def test_purge_front_cache_drops_every_page_after_a_release(self):
        self.warm("/articles/seven/", "/")

        output = io.StringIO()
        call_command("purge_front_cache", stdout=output)

        assert "every page dropped" in output.getvalue()
        assert self.get("/articles/seven/")[1] == "miss"
        assert self.get("/")[1] == "miss"

    def test_each_reader_gets_a_form_check_cookie_of_their_own(self):
        path = "/comments/form-check/seven/"
        cookies = []
        for _ in range(2):
            connection = http.client.HTTPConnection("127.0.0.1", self.varnish.port, timeout=10)
            connection.request("GET", path, headers={"Host": "localhost"})
            response = connection.getresponse()
            response.read()
            connection.close()
            assert response.status == 200
            cookies.append(response.getheader("Set-Cookie"))

        assert all(cookies) and cookies[0] != cookies[1]

    def test_other_cookies_do_not_split_the_cache(self):
        self.warm("/articles/seven/")

        assert self.get("/articles/seven/", cookie="_ga=GA1.2.3; theme=dark")[1] == "hit"
