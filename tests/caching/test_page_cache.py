"""Which pages the page cache keeps, for whom, with which headers (config/page_cache.py)."""

import datetime
import re
from unittest import mock

import time_machine
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import resolve
from django.utils import timezone

from articles.models import Tag
from caching import dependencies
from comments.commenters import remember, verification
from config.page_cache import PROCESS_LOCAL_SECONDS, PageCacheMiddleware, deploy_version
from tests.caching.pages import HIT, MISS, PageCacheTestCase
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    KindFactory,
    ScheduledArticleFactory,
    StaffFactory,
)
from tests.helpers import page_link

DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def s_maxage(response):
    return int(re.search(r"s-maxage=(\d+)", response["Cache-Control"])[1])


class ReaderPagesTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = AuthorFactory(slug="ada")
        cls.tag = Tag.objects.create(name="Trade", slug="trade")
        cls.article = ArticleFactory(
            slug="closed",
            comments_open=False,
            authors=[cls.author],
            tags=[cls.tag],
            kind=KindFactory(name="Analysis"),
        )
        CommentFactory(article=cls.article, email="private.reader@mail.example")

    def reader_pages(self):
        year = self.article.published_at.year
        month = self.article.published_at.month
        return [
            "/",
            self.article.get_absolute_url(),
            "/tags/trade/",
            "/kinds/analysis/",
            "/authors/ada/",
            "/archive/",
            f"/archive/{year}/",
            f"/archive/{year}/{month:02d}/",
            "/feed/",
            "/feed/atom/",
            "/tags/trade/feed/",
            "/tags/trade/feed/atom/",
            "/authors/ada/feed/",
            "/authors/ada/feed/atom/",
            "/kinds/analysis/feed/",
            "/kinds/analysis/feed/atom/",
            "/comments/feed/closed/",
            "/comments/feed/closed/atom/",
            "/sitemap.xml",
        ]

    def test_every_reader_page_is_served_from_the_cache_the_second_time(self):
        for url in self.reader_pages():
            first, _ = self.fetch(url)
            again, queries = self.fetch(url)

            assert first["X-Page-Cache"] == MISS, url
            assert again["X-Page-Cache"] == HIT, url
            assert again.content == first.content, url
            assert queries == 0, url

    def test_a_hit_on_a_page_this_process_knows_is_one_cache_round_trip(self):
        self.fetch("/")
        self.fetch("/")

        with (
            mock.patch.object(
                dependencies, "get_with_versions", wraps=dependencies.get_with_versions
            ) as one_get_many,
            mock.patch.object(dependencies, "versions", wraps=dependencies.versions) as another,
        ):
            response, _ = self.fetch("/")

        assert response["X-Page-Cache"] == HIT
        assert (one_get_many.call_count, another.call_count) == (1, 0)

    def test_a_hit_sets_no_cookie_and_keeps_the_security_headers(self):
        first, _ = self.fetch("/")
        again, _ = self.fetch("/")

        assert again["X-Page-Cache"] == HIT
        assert not again.cookies
        for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
            assert again[header] == first[header], header
        assert again["X-Request-ID"] != first["X-Request-ID"]

    def test_head_is_answered_from_the_cache(self):
        self.fetch("/")

        response = self.client.head("/")

        assert response["X-Page-Cache"] == HIT
        assert response.content == b""

    def test_cacheable_pages_are_public_for_shared_caches_only(self):
        response, _ = self.fetch("/")
        again, _ = self.fetch("/")

        for each in (response, again):
            directives = {d.strip() for d in each["Cache-Control"].split(",")}
            assert {"public", "max-age=0"} <= directives
            assert 0 < s_maxage(each) <= settings.PAGE_CACHE_SECONDS

    def test_dependency_keys_are_listed_for_a_front_cache(self):
        response, _ = self.fetch(self.article.get_absolute_url())

        keys = set(response["xkey"].split())
        assert {
            f"article-{self.article.pk}",
            f"author-{self.author.pk}",
            f"tag-{self.tag.pk}",
            f"kind-{self.article.kind_id}",
            f"list-tag-{self.tag.pk}",
            f"comments-{self.article.pk}",
            "discussion",
            "schedule",
        } <= keys
        assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*(-\d+)?", key) for key in keys), keys

    def test_no_key_holds_an_address_or_a_digest(self):
        for url in self.reader_pages():
            response, _ = self.fetch(url)
            header = response["xkey"]
            assert "@" not in header and "mail.example" not in header, url
            assert not re.search(r"[0-9a-f]{16,}", header), url

    @override_settings(PAGE_CACHE_KEYS_HEADER="Surrogate-Key")
    def test_the_keys_header_is_configurable(self):
        response, _ = self.fetch("/")

        assert "list" in response["Surrogate-Key"].split()
        assert "xkey" not in response

    def test_an_older_page_of_a_list_has_a_page_of_its_own(self):
        for n in range(settings.ARTICLES_PER_PAGE):
            ArticleFactory(published_at=timezone.now() - datetime.timedelta(days=3 + n))

        first = self.fetch("/")[0]
        older = page_link(first, "next")
        second = self.fetch(older)[0]

        assert "?before=" in older
        assert second["X-Page-Cache"] == MISS
        assert second.content != first.content
        assert self.cache_state(older) == HIT


class NeverCachedTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(slug="closed", comments_open=False)

    def assert_not_cached(self, url="/", **extra):
        for _ in range(2):
            response, queries = self.fetch(url, **extra)
            # Rendered (some answers, such as a malformed page's 404, run no query), not stored.
            assert "X-Page-Cache" not in response
            assert "public" not in response.get("Cache-Control", "")

    def test_not_with_the_session_cookie(self):
        self.client.cookies[settings.SESSION_COOKIE_NAME] = "anything"
        self.assert_not_cached()

    def test_not_for_signed_in_staff(self):
        self.client.force_login(StaffFactory())
        self.assert_not_cached(self.article.get_absolute_url())

    def test_not_with_the_saved_details_cookie(self):
        self.client.cookies[remember.COOKIE_NAME] = "anything"
        self.assert_not_cached(self.article.get_absolute_url())

    def test_not_with_the_commenter_proof_cookie(self):
        self.client.cookies[verification.PROOF_COOKIE] = "anything"
        self.assert_not_cached(self.article.get_absolute_url())

    def test_not_with_a_messages_cookie(self):
        self.client.cookies["messages"] = "anything"
        self.assert_not_cached(self.article.get_absolute_url())

    def test_a_cached_page_is_not_served_to_a_browser_with_its_own_cookie(self):
        self.fetch("/")
        self.client.cookies[remember.COOKIE_NAME] = "anything"

        response, _ = self.fetch("/")

        assert "X-Page-Cache" not in response

    def test_not_with_a_reply_link_or_an_unknown_query(self):
        queries = (
            "?replyto=1",
            "?utm_source=x",
            "?before=1764892800000000_1&x=1",
            "?before=not-a-cursor",
            "?before=1764892800000000_1&after=1764892800000000_2",
            "?before=1764892800000000_1&before=1764892800000000_2",
            "?page=2",
        )
        for query in queries:
            self.assert_not_cached(f"/{query}")

    def test_not_the_search_page(self):
        self.assert_not_cached("/search/")

    def test_not_a_404(self):
        for _ in range(2):
            response, _ = self.fetch("/articles/nothing-here/")
            assert response.status_code == 404
            assert "X-Page-Cache" not in response

    def test_not_a_post(self):
        response = self.client.post("/")
        assert "X-Page-Cache" not in response

    def test_not_a_moderators_article_page_whose_comment_form_carries_a_csrf_token(self):
        open_article = ArticleFactory(slug="open")
        self.client.force_login(StaffFactory(role="Moderator"))

        response, _ = self.fetch(open_article.get_absolute_url())

        assert 'name="csrfmiddlewaretoken"' in response.content.decode()
        self.assert_not_cached(open_article.get_absolute_url())


class OpenCommentFormTests(PageCacheTestCase):
    """The comment form carries no per-reader token (comments/form_check.py), so an article
    page open to comments is the same for every anonymous reader, and cached."""

    def test_an_article_page_with_the_open_comment_form_is_cached(self):
        open_article = ArticleFactory(slug="open")

        first, _ = self.fetch(open_article.get_absolute_url())

        assert 'id="comment-form"' in first.content.decode()
        assert self.cache_state(open_article.get_absolute_url()) == HIT
        assert self.fetch(open_article.get_absolute_url())[0].content == first.content

    def middleware_around(self, view):
        """The page cache around `view`, which answers for the home page's URL."""

        def render(request):
            request.resolver_match = resolve("/")
            dependencies.depends_on(request, dependencies.LIST)
            return view(request)

        return PageCacheMiddleware(render)

    def test_not_a_page_marked_personal(self):
        def personal(request):
            remember.mark_personal(request)
            return HttpResponse("Commenting as Ada (staff)")

        middleware = self.middleware_around(personal)
        for _ in range(2):
            assert "X-Page-Cache" not in middleware(RequestFactory().get("/"))

    def test_not_a_response_that_sets_a_cookie(self):
        def with_cookie(request):
            response = HttpResponse("hello")
            response.set_cookie("anything", "1")
            return response

        middleware = self.middleware_around(with_cookie)
        for _ in range(2):
            assert "X-Page-Cache" not in middleware(RequestFactory().get("/"))

    def test_not_a_response_that_varies_on_cookies(self):
        def read_the_session(request):
            response = HttpResponse("hello")
            response["Vary"] = "Cookie"
            return response

        middleware = self.middleware_around(read_the_session)
        for _ in range(2):
            assert "X-Page-Cache" not in middleware(RequestFactory().get("/"))

    def test_not_a_response_marked_private(self):
        def private(request):
            response = HttpResponse("hello")
            response["Cache-Control"] = "private"
            return response

        middleware = self.middleware_around(private)
        for _ in range(2):
            assert "X-Page-Cache" not in middleware(RequestFactory().get("/"))

    def test_a_page_declaring_nothing_it_shows_is_not_stored(self):
        def undeclared(request):
            request.resolver_match = resolve("/")
            return HttpResponse("hello")

        middleware = PageCacheMiddleware(undeclared)
        for _ in range(2):
            assert "X-Page-Cache" not in middleware(RequestFactory().get("/"))


@override_settings(CACHES=DUMMY_CACHE)
class CacheOffTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(comments_open=False)

    def test_dummy_cache_turns_the_page_cache_off(self):
        for url in ("/", self.article.get_absolute_url(), "/feed/"):
            for _ in range(2):
                response, queries = self.fetch(url)
                assert "X-Page-Cache" not in response
                assert "public" not in response.get("Cache-Control", "")
                assert queries > 0

    def test_rendered_pages_still_answer_304_to_their_etag(self):
        response, _ = self.fetch("/")

        again, _ = self.fetch("/", HTTP_IF_NONE_MATCH=response["ETag"])

        assert again.status_code == 304


class ConditionalGetTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(slug="closed", comments_open=False)

    def test_etag_and_last_modified_on_articles_lists_and_feeds(self):
        for url in (self.article.get_absolute_url(), "/", "/feed/"):
            response, _ = self.fetch(url)
            assert response.has_header("ETag"), url
            assert response.has_header("Last-Modified"), url

    def test_304_to_if_none_match_from_the_render_and_from_the_cache(self):
        for url in (self.article.get_absolute_url(), "/", "/feed/atom/"):
            rendered, _ = self.fetch(url)
            from_cache, queries = self.fetch(url, HTTP_IF_NONE_MATCH=rendered["ETag"])
            assert from_cache.status_code == 304, url
            assert queries == 0
            assert from_cache.content == b""
            cache.clear()
            from_render, _ = self.fetch(url, HTTP_IF_NONE_MATCH=rendered["ETag"])
            assert from_render.status_code == 304, url

    def test_304_to_if_modified_since(self):
        rendered, _ = self.fetch("/")

        response, _ = self.fetch("/", HTTP_IF_MODIFIED_SINCE=rendered["Last-Modified"])

        assert response.status_code == 304

    def test_a_changed_page_is_sent_whole_again(self):
        rendered, _ = self.fetch("/")
        self.article.title = "A new title"
        self.article.save()

        response, _ = self.fetch("/", HTTP_IF_NONE_MATCH=rendered["ETag"])

        assert response.status_code == 200
        assert "A new title" in response.content.decode()


class LifetimeTests(PageCacheTestCase):
    def test_a_list_is_kept_only_until_the_next_scheduled_publication(self):
        ArticleFactory(title="Already out")
        soon = timezone.now() + datetime.timedelta(seconds=40)
        ScheduledArticleFactory(title="Coming soon", published_at=soon)

        response, _ = self.fetch("/")

        assert s_maxage(response) <= 40
        assert "Coming soon" not in response.content.decode()
        with time_machine.travel(soon + datetime.timedelta(seconds=1)):
            later, _ = self.fetch("/")
        assert later["X-Page-Cache"] == MISS
        assert "Coming soon" in later.content.decode()

    def test_an_article_page_is_kept_only_until_its_comments_close(self):
        closes = timezone.now() + datetime.timedelta(seconds=30)
        request = RequestFactory().get("/")
        request.page_expires_at = closes

        assert 20 < PageCacheMiddleware(lambda request: None).lifetime(request) <= 30

    def test_a_page_showing_open_comments_expires_when_they_close(self):
        article = ArticleFactory(comments_open=True, comments_close_after_days=2)
        request_time = timezone.now()
        # The comment form carries a token today, so the lifetime is checked on the record the
        # comment section leaves on the request.
        response = self.client.get(article.get_absolute_url())
        closes = article.published_at + datetime.timedelta(days=2)
        assert response.wsgi_request.page_expires_at == closes
        assert closes > request_time

    def test_with_a_cache_local_to_the_process_pages_live_a_minute_at_most(self):
        ArticleFactory()
        with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        ):
            response, _ = self.fetch("/")
        assert s_maxage(response) <= PROCESS_LOCAL_SECONDS

    def test_a_page_rendered_while_something_changed_is_not_stored(self):
        ArticleFactory()
        looked_up = dependencies.get_with_versions

        def then_something_changes(*args):
            found = looked_up(*args)
            dependencies.changed("article-999999")  # while the page renders
            return found

        with mock.patch.object(dependencies, "get_with_versions", then_something_changes):
            response, _ = self.fetch("/")

        assert "X-Page-Cache" not in response
        assert self.cache_state("/") == MISS


@override_settings(SITE_NAME="Another Name")
def test_a_new_configuration_starts_with_pages_of_its_own():
    renamed = deploy_version()
    with override_settings(SITE_NAME="Byline"):
        assert deploy_version() != renamed
