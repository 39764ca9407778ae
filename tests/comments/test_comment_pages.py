"""Long threads in pages (comments/pages.py): 50 top-level comments per page with all their
replies, the newest page at the article's address, the others at their own canonical addresses
linked by "Older comments" / "Newer comments", permalinks that land on the right page, and a
cost that does not grow with the thread."""

import datetime
import importlib
import re

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import pages
from comments.models import Comment, CommentsPage, DiscussionSettings
from tests.caching.pages import PageCacheTestCase
from tests.comments.html import comment_tree, comments_heading
from tests.comments.posting import valid_data
from tests.factories import ArticleFactory, CommentFactory, StaffFactory
from tests.query_budgets import ARTICLE_PAGE_QUERIES, every_request_rendered

THREAD_ROOT_MIGRATION = "0012_comment_pages_and_thread_root"
START = timezone.now() - datetime.timedelta(days=1)


def at(minutes):
    return START + datetime.timedelta(minutes=minutes)


def set_pages(per_page=50, default=CommentsPage.NEWEST, **more):
    rules = DiscussionSettings.current()
    rules.comments_per_page = per_page
    rules.default_comments_page = default
    for field, value in more.items():
        setattr(rules, field, value)
    rules.save()


def canonical(content):
    return re.search(r'<link rel="canonical" href="([^"]+)">', content).group(1)


def title(content):
    return re.search(r"<title>(.*?)</title>", content, flags=re.S).group(1)


def pager_links(content):
    """`{"prev": href, "next": href}` of the comment pages' links."""
    nav = re.search(r'<nav class="comments-pager"[^>]*>(.*?)</nav>', content, flags=re.S)
    if nav is None:
        return {}
    return dict(re.findall(r'<a [^>]*rel="(prev|next)" href="([^"]+)"', nav.group(1)))


class PagesOfALongThreadTests(TestCase):
    """120 top-level comments, 50 a page: pages 1 (1st to 50th), 2 (51st to 100th) and 3 (the
    newest 20, shown at the article's address)."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(slug="ports")
        cls.roots = [CommentFactory(article=cls.article, created_at=at(n)) for n in range(120)]
        # Replies posted long after every top-level comment stay with their own comment: a
        # reply (and a reply to it) on the 11th comment, page 1, and one on the 101st, page 3.
        cls.reply = CommentFactory(article=cls.article, parent=cls.roots[10], created_at=at(500))
        cls.nested = CommentFactory(article=cls.article, parent=cls.reply, created_at=at(501))
        cls.late_reply = CommentFactory(
            article=cls.article, parent=cls.roots[100], created_at=at(502)
        )
        # And one on the 91st, page 2, read with the newest page's neighbours but not shown.
        cls.page_two_reply = CommentFactory(
            article=cls.article, parent=cls.roots[90], created_at=at(503)
        )
        cls.article_url = cls.article.get_absolute_url()

    def setUp(self):
        set_pages()

    def get(self, path, status=200):
        response = self.client.get(path)
        assert response.status_code == status, (path, response.status_code)
        return response.content.decode()

    def page(self, number, status=200):
        return self.get(pages.page_path(self.article, number), status)

    def test_the_article_shows_the_newest_page_with_a_link_to_older_comments(self):
        content = self.get(self.article_url)

        parents, order = comment_tree(content)
        roots = [pk for pk in order if parents[pk] is None]
        assert roots == [root.pk for root in self.roots[100:]]
        assert parents[self.late_reply.pk] == self.roots[100].pk
        assert order.index(self.late_reply.pk) == order.index(self.roots[100].pk) + 1
        assert self.page_two_reply.pk not in order
        assert comments_heading(content) == "124 comments"  # every page's, not this page's
        assert "Page 3 of 3" in content
        assert pager_links(content) == {"prev": "/articles/ports/comments/2/#comments"}
        assert canonical(content) == f"http://testserver{self.article_url}"
        assert "Comments page" not in title(content)

    def test_each_page_holds_its_fifty_top_level_comments_with_all_their_replies(self):
        first, second = self.page(1), self.page(2)

        parents, order = comment_tree(first)
        assert [pk for pk in order if parents[pk] is None] == [r.pk for r in self.roots[:50]]
        assert order[order.index(self.roots[10].pk) + 1 : order.index(self.roots[11].pk)] == [
            self.reply.pk,
            self.nested.pk,
        ]
        assert parents[self.nested.pk] == self.reply.pk
        parents, order = comment_tree(second)
        assert [pk for pk in order if parents[pk] is None] == [r.pk for r in self.roots[50:100]]
        assert parents[self.page_two_reply.pk] == self.roots[90].pk

    def test_pages_link_older_and_newer_and_are_their_own_canonical_addresses(self):
        first, second = self.page(1), self.page(2)

        assert pager_links(first) == {"next": "/articles/ports/comments/2/#comments"}
        assert pager_links(second) == {
            "prev": "/articles/ports/comments/1/#comments",
            "next": f"{self.article_url}#comments",  # the newest page is the article's
        }
        assert canonical(second) == "http://testserver/articles/ports/comments/2/"
        assert title(second).startswith(f"{self.article.display_title} — Comments page 2 — ")
        assert "Page 2 of 3" in second
        assert 'content="noindex' not in second

    def test_the_default_page_at_its_own_address_names_the_article_as_canonical(self):
        content = self.page(3)

        assert canonical(content) == f"http://testserver{self.article_url}"
        assert comment_tree(content)[1] == comment_tree(self.get(self.article_url))[1]

    def test_a_page_past_the_end_or_a_malformed_number_is_not_found(self):
        self.page(4, status=404)
        for number in ("0", "01", "-1", "2x", "two", "9999999999"):
            self.get(f"/articles/ports/comments/{number}/", status=404)
        self.get("/articles/no-such-article/comments/1/", status=404)

    def test_with_the_oldest_page_by_default_the_article_shows_page_one(self):
        set_pages(default=CommentsPage.OLDEST)
        content = self.get(self.article_url)

        parents, order = comment_tree(content)
        assert [pk for pk in order if parents[pk] is None] == [r.pk for r in self.roots[:50]]
        assert pager_links(content) == {"next": "/articles/ports/comments/2/#comments"}
        assert pager_links(self.page(2)) == {
            "prev": f"{self.article_url}#comments",
            "next": "/articles/ports/comments/3/#comments",
        }
        assert canonical(self.page(1)) == f"http://testserver{self.article_url}"
        assert canonical(self.page(3)) == "http://testserver/articles/ports/comments/3/"

    def test_zero_per_page_shows_every_comment_on_the_article_page(self):
        set_pages(per_page=0)
        content = self.get(self.article_url)

        assert len(comment_tree(content)[1]) == 124
        assert pager_links(content) == {}
        assert "Page 1 of" not in content
        assert canonical(self.page(1)) == f"http://testserver{self.article_url}"
        self.page(2, status=404)
        assert self.reply.get_absolute_url() == f"{self.article_url}#comment-{self.reply.pk}"

    def test_a_comments_permalink_lands_on_the_page_showing_it(self):
        on_page_one = Comment.objects.get(pk=self.nested.pk)
        assert on_page_one.get_absolute_url() == (
            f"/articles/ports/comments/1/#comment-{self.nested.pk}"
        )
        assert f'id="comment-{self.nested.pk}"' in self.page(1)
        assert self.roots[60].get_absolute_url() == (
            f"/articles/ports/comments/2/#comment-{self.roots[60].pk}"
        )
        newest = self.late_reply
        assert newest.get_absolute_url() == f"{self.article_url}#comment-{newest.pk}"

    def test_the_moderation_queues_view_on_site_goes_to_the_comments_page(self):
        self.client.force_login(StaffFactory(role="Moderator"))
        content_type = ContentType.objects.get_for_model(Comment)
        response = self.client.get(
            reverse("admin:view_on_site", args=[content_type.pk, self.reply.pk])
        )

        assert response.status_code == 302
        assert response["Location"].endswith(f"/articles/ports/comments/1/#comment-{self.reply.pk}")

    def test_reply_links_on_a_page_stay_on_that_page(self):
        first = self.page(1)
        assert f'href="?replyto={self.roots[10].pk}#respond"' in first

        content = self.get(f"/articles/ports/comments/1/?replyto={self.roots[10].pk}")
        assert "Replying to" in content
        assert f'name="parent" value="{self.roots[10].pk}"' in content

    def test_a_reply_posted_to_a_comment_on_page_one_returns_to_page_one(self):
        set_pages(mode=DiscussionSettings.Mode.APPROVE_ALL, min_seconds_to_post=0)
        response = self.client.post(
            reverse("comments:post", kwargs={"slug": self.article.slug}),
            valid_data(parent=str(self.roots[5].pk)),
        )

        reply = Comment.objects.get(parent=self.roots[5])
        assert reply.status == Comment.Status.APPROVED
        assert reply.thread_root_id == self.roots[5].pk
        assert response.status_code == 302
        assert response["Location"] == f"/articles/ports/comments/1/#comment-{reply.pk}"

    def test_a_new_comment_posted_returns_to_the_page_showing_it(self):
        set_pages(mode=DiscussionSettings.Mode.APPROVE_ALL, min_seconds_to_post=0)
        url = reverse("comments:post", kwargs={"slug": self.article.slug})

        newest = self.client.post(url, valid_data(body="Newest page."))
        set_pages(
            default=CommentsPage.OLDEST,
            mode=DiscussionSettings.Mode.APPROVE_ALL,
            min_seconds_to_post=0,
        )
        oldest = self.client.post(url, valid_data(body="Oldest page first."))

        first, second = Comment.objects.filter(parent=None).order_by("-pk")[:2][::-1]
        assert newest["Location"] == f"{self.article_url}#comment-{first.pk}"
        assert oldest["Location"] == f"/articles/ports/comments/3/#comment-{second.pk}"

    def test_the_comment_feeds_link_each_comment_on_its_page(self):
        content = self.get(reverse("comments:feed", args=[self.article.slug]))

        assert f"http://testserver/articles/ports/comments/1/#comment-{self.nested.pk}" in content
        assert f"http://testserver{self.article_url}#comment-{self.late_reply.pk}" in content


class UnpublishedArticleTests(TestCase):
    def test_a_preview_shows_the_default_page_without_links_to_pages_readers_cannot_open(self):
        article = ArticleFactory()
        for n in range(3):
            CommentFactory(article=article, created_at=at(n))
        article.status = article.Status.DRAFT
        article.save()
        set_pages(per_page=2)
        self.client.force_login(StaffFactory(role="Editor"))

        content = self.client.get(f"/articles/preview/{article.pk}/").content.decode()

        assert len(comment_tree(content)[1]) == 1  # the newest page: the third comment
        assert pager_links(content) == {}
        assert self.client.get(pages.page_path(article, 1)).status_code == 404


class ThreadRootTests(TestCase):
    def test_every_reply_stores_its_top_level_comment(self):
        top = CommentFactory()
        reply = CommentFactory(article=top.article, parent=top)
        nested = CommentFactory(article=top.article, parent=reply)

        assert top.thread_root_id is None
        assert reply.thread_root_id == top.pk
        assert nested.thread_root_id == top.pk

    def test_the_migration_gives_comments_stored_before_it_their_top_level_comment(self):
        from django.apps import apps

        migration = importlib.import_module(
            "comments.migrations.0012_comment_pages_and_thread_root"
        )
        top = CommentFactory()
        reply = CommentFactory(article=top.article, parent=top)
        nested = CommentFactory(article=top.article, parent=reply)
        other = CommentFactory(article=top.article)
        Comment.objects.update(thread_root=None)

        migration.store_thread_roots(apps, None)

        roots = dict(Comment.objects.values_list("pk", "thread_root_id"))
        assert roots == {top.pk: None, reply.pk: top.pk, nested.pk: top.pk, other.pk: None}


@every_request_rendered
class PageCostTests(TestCase):
    """The same queries for 1 comment and for 300 (100 top-level, each with two replies), and
    the page of 50 read with a LIMIT rather than the whole thread."""

    @classmethod
    def setUpTestData(cls):
        cls.one = ArticleFactory()
        CommentFactory(article=cls.one)
        cls.many = ArticleFactory()
        for n in range(100):
            top = CommentFactory(article=cls.many, created_at=at(n))
            reply = CommentFactory(article=cls.many, parent=top, created_at=at(n + 200))
            CommentFactory(article=cls.many, parent=reply, created_at=at(n + 400))

    def setUp(self):
        set_pages()

    def measure(self, path):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path)
        assert response.status_code == 200
        return queries, response.content.decode()

    def test_the_article_page_costs_the_same_at_one_comment_and_at_three_hundred(self):
        one, one_content = self.measure(self.one.get_absolute_url())
        many, many_content = self.measure(self.many.get_absolute_url())

        assert len(comment_tree(one_content)[1]) == 1
        assert len(comment_tree(many_content)[1]) == 150  # the newest 50, with their replies
        assert comments_heading(many_content) == "300 comments"
        assert len(one) == len(many) == ARTICLE_PAGE_QUERIES

    def test_a_numbered_page_costs_the_same_as_the_article_page(self):
        one, _ = self.measure(pages.page_path(self.one, 1))
        many, content = self.measure(pages.page_path(self.many, 1))

        assert len(comment_tree(content)[1]) == 150
        assert len(one) == len(many) == ARTICLE_PAGE_QUERIES

    def comment_reads(self, path):
        queries, _ = self.measure(path)
        return [
            query["sql"]
            for query in queries.captured_queries
            if '"comments_comment"."body"' in query["sql"]
        ]

    def test_a_page_reads_fifty_top_level_comments_not_the_whole_thread(self):
        (reading,) = self.comment_reads(pages.page_path(self.many, 1))

        assert re.search(r"ASC LIMIT 50\b", reading)

    def test_the_newest_page_reads_the_newest_fifty_top_level_comments(self):
        (reading,) = self.comment_reads(self.many.get_absolute_url())

        assert re.search(r"DESC LIMIT 50\b", reading)


class CachedCommentPagesTests(PageCacheTestCase):
    """A page of comments is kept in the page cache like the article page, and dropped with it
    when the article's comments or the discussion settings change."""

    def test_a_comments_page_is_cached_and_dropped_when_a_comment_is_approved(self):
        article = ArticleFactory()
        for n in range(3):
            CommentFactory(article=article, created_at=at(n))
        other = ArticleFactory()
        set_pages(per_page=2)
        page_one = pages.page_path(article, 1)
        urls = (page_one, article.get_absolute_url(), other.get_absolute_url())
        self.warm(*urls)

        CommentFactory(article=article, created_at=at(10))

        self.assert_only_dropped([page_one, article.get_absolute_url()], among=urls)

    def test_changing_the_comments_per_page_drops_the_comments_pages(self):
        article = ArticleFactory()
        for n in range(3):
            CommentFactory(article=article, created_at=at(n))
        set_pages(per_page=2)
        page_one = pages.page_path(article, 1)
        self.warm(page_one)

        set_pages(per_page=1)

        self.assert_dropped(page_one)
