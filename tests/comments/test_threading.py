"""Threaded replies: nesting to the configured depth, reply links without JavaScript, badges."""

import re
import sys

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import threads
from comments.models import Comment, DiscussionSettings
from tests.checkers import nu_html_errors
from tests.comments.html import (
    comment_heading,
    comment_tree,
    input_value,
    page_text,
    reply_lists,
    textarea_text,
)
from tests.comments.posting import valid_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    HeldCommentFactory,
    StaffFactory,
)
from tests.query_budgets import ARTICLE_PAGE_QUERIES, every_request_rendered


def set_thread_depth(depth):
    settings_row = DiscussionSettings.current()
    settings_row.thread_depth = depth
    settings_row.save()


def reply_links(content):
    return {int(pk) for pk in re.findall(r'href="[^"]*\?replyto=(\d+)#respond"', content)}


def make_chain(article, length, **kwargs):
    """A comment with a reply, a reply to that, and so on: `length` comments."""
    chain = [CommentFactory(article=article, **kwargs)]
    for _ in range(length - 1):
        chain.append(CommentFactory(article=article, parent=chain[-1], **kwargs))
    return chain


class ThreadDepthTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.chain = make_chain(cls.article, 3)
        cls.top, cls.reply, cls.deepest = cls.chain

    def page(self, **params):
        response = self.client.get(self.article.get_absolute_url(), params)
        assert response.status_code == 200
        return response.content.decode()

    def post_reply(self, parent, body="A reply that goes too deep."):
        return self.client.post(
            reverse("comments:post", kwargs={"slug": self.article.slug}),
            valid_data(email="ada@mail.example", body=body, parent=str(parent.pk)),
        )

    def test_replies_nest_in_ordered_lists_three_levels_deep_by_default(self):
        content = self.page()

        parents, order = comment_tree(content)
        assert parents == {
            self.top.pk: None,
            self.reply.pk: self.top.pk,
            self.deepest.pk: self.reply.pk,
        }
        assert order == [self.top.pk, self.reply.pk, self.deepest.pk]
        assert reply_lists(content) == 2

    def test_each_level_goes_one_heading_down_under_the_sections_h2(self):
        content = self.page()

        for comment, level in ((self.top, 3), (self.reply, 4), (self.deepest, 5)):
            assert comment_heading(content, comment)[0] == level, comment

    def test_the_deepest_level_has_no_reply_link(self):
        assert reply_links(self.page()) == {self.top.pk, self.reply.pk}

    def test_depth_follows_the_discussion_settings(self):
        set_thread_depth(2)
        assert reply_links(self.page()) == {self.top.pk}

        set_thread_depth(1)
        assert reply_links(self.page()) == set()

        set_thread_depth(5)
        assert reply_links(self.page()) == {self.top.pk, self.reply.pk, self.deepest.pk}

    def test_comments_stored_deeper_than_a_lowered_limit_are_still_shown_in_place(self):
        set_thread_depth(1)

        parents, _order = comment_tree(self.page())

        assert parents[self.deepest.pk] == self.reply.pk

    def test_a_reply_link_to_the_deepest_level_explains_and_preselects_nothing(self):
        content = self.page(replyto=self.deepest.pk)

        assert input_value(content, "parent") is None
        assert "Replying to" not in content
        assert (
            f"Replies go at most 3 levels deep, so {self.deepest.name}’s comment cannot take "
            "another reply. Your comment will be posted as a new comment."
        ) in page_text(content)

    def test_a_reply_posted_to_the_deepest_level_is_refused_with_the_text_kept(self):
        before = Comment.objects.count()

        response = self.post_reply(self.deepest)

        content = response.content.decode()
        assert response.status_code == 400
        assert Comment.objects.count() == before
        assert (
            f"Replies go at most 3 levels deep, so {self.deepest.name}’s comment cannot take "
            "another reply. Your text is kept below: post it as a new comment."
        ) in page_text(content)
        assert textarea_text(content) == "A reply that goes too deep."
        # Posting the form again makes a new comment, not a reply nobody chose.
        assert input_value(content, "parent") is None
        assert "Replying to" not in content

    def test_a_reply_is_refused_everywhere_when_threading_is_off(self):
        set_thread_depth(1)

        response = self.post_reply(self.top, body="No threads here.")

        assert response.status_code == 400
        assert not Comment.objects.filter(body="No threads here.").exists()

    def test_a_reply_to_a_comment_below_the_deepest_level_is_stored_one_level_down(self):
        response = self.post_reply(self.reply, body="Level three.")

        assert response.status_code == 302
        stored = Comment.objects.get(body="Level three.")
        assert stored.parent == self.reply
        assert stored.depth == 2


class HiddenParentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.moderator = StaffFactory(role="Moderator")

    def shown(self):
        return comment_tree(self.client.get(self.article.get_absolute_url()).content.decode())[1]

    def test_removing_a_comment_takes_its_approved_replies_off_the_page_until_it_returns(self):
        top, reply, nested = make_chain(self.article, 3)
        other = CommentFactory(article=self.article)

        top.remove(by=self.moderator)
        assert self.shown() == [other.pk]

        top.approve(by=self.moderator)
        assert self.shown() == [top.pk, reply.pk, nested.pk, other.pk]

    def test_a_reply_under_a_held_parent_is_not_shown_nor_counted(self):
        held = HeldCommentFactory(article=self.article)
        CommentFactory(article=self.article, parent=held, body="Under a held comment.")

        content = self.client.get(self.article.get_absolute_url()).content.decode()

        assert "Under a held comment." not in content
        assert "No comments yet." in content

    def test_a_reply_link_to_a_hidden_comment_preselects_nothing(self):
        top, reply = make_chain(self.article, 2)
        top.mark_spam(by=self.moderator)

        content = self.client.get(
            self.article.get_absolute_url(), {"replyto": reply.pk}
        ).content.decode()

        assert input_value(content, "parent") is None
        assert "Replying to" not in content


class BadgeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author_account = StaffFactory(username="nadia", role="Editor")
        cls.author = AuthorFactory(name="Nadia Author", user=cls.author_account)
        cls.other_author_account = StaffFactory(username="omar", role="Editor")
        AuthorFactory(name="Omar Elsewhere", user=cls.other_author_account)
        cls.moderator = StaffFactory(username="mod", role="Moderator")
        cls.article = ArticleFactory(authors=[cls.author, AuthorFactory()])
        cls.question = CommentFactory(article=cls.article, name="Reader")
        cls.by_author = CommentFactory(
            article=cls.article,
            parent=cls.question,
            name="Nadia Author",
            staff_user=cls.author_account,
        )
        cls.by_moderator = CommentFactory(
            article=cls.article, parent=cls.question, name="The desk", staff_user=cls.moderator
        )
        cls.by_other_author = CommentFactory(
            article=cls.article,
            parent=cls.question,
            name="Omar Elsewhere",
            staff_user=cls.other_author_account,
        )
        # A reader who types an author's name gets no badge: only signed-in staff do.
        cls.impostor = CommentFactory(article=cls.article, name="Nadia Author")

    def setUp(self):
        self.content = self.client.get(self.article.get_absolute_url()).content.decode()

    def heading(self, comment):
        heading = comment_heading(self.content, comment)
        assert heading, comment
        return page_text(heading[1])

    def test_a_reply_by_one_of_the_articles_authors_is_badged_author(self):
        assert self.heading(self.by_author) == "Nadia Author Author"
        assert 'class="badge badge--author"' in self.content

    def test_a_reply_by_other_staff_is_badged_staff(self):
        assert self.heading(self.by_moderator) == "The desk Staff"

    def test_an_author_of_other_articles_is_staff_here(self):
        assert self.heading(self.by_other_author) == "Omar Elsewhere Staff"

    def test_readers_carry_no_badge_whatever_name_they_type(self):
        assert self.heading(self.question) == "Reader"
        assert self.heading(self.impostor) == "Nadia Author"

    def test_badge_for(self):
        authors = frozenset({self.author_account.pk})

        assert threads.badge_for(self.by_author, authors) == threads.AUTHOR_BADGE
        assert threads.badge_for(self.by_moderator, authors) == threads.STAFF_BADGE
        assert threads.badge_for(self.impostor, authors) == ""


class BuildTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def test_comments_follow_their_parents_in_posting_order_and_orphans_are_left_out(self):
        first = CommentFactory(article=self.article)
        second = CommentFactory(article=self.article)
        reply = CommentFactory(article=self.article, parent=first)
        held = HeldCommentFactory(article=self.article)
        orphan = CommentFactory(article=self.article, parent=held)
        CommentFactory(article=self.article, parent=orphan)

        thread = threads.build(
            Comment.objects.approved().filter(article=self.article), thread_depth=3
        )

        assert [(node.comment, node.level) for node in thread.nodes] == [
            (first, 1),
            (reply, 2),
            (second, 1),
        ]
        assert thread.count == 3
        assert set(thread.by_id) == {first.pk, second.pk, reply.pk}

    def test_each_node_says_whether_replies_follow_and_how_many_reply_lists_end_after_it(self):
        top, reply, nested = make_chain(self.article, 3)
        sibling = CommentFactory(article=self.article, parent=top)
        last = CommentFactory(article=self.article)

        thread = threads.build([top, reply, nested, sibling, last], thread_depth=5)

        assert [
            (node.comment, node.has_replies, len(node.closed_levels)) for node in thread.nodes
        ] == [
            (top, True, 0),
            (reply, True, 0),
            (nested, False, 1),
            (sibling, False, 1),
            (last, False, 0),
        ]

    def test_headings_stop_at_h6(self):
        chain = make_chain(self.article, 6)

        thread = threads.build(chain, thread_depth=10)

        assert [node.heading_level for node in thread.nodes] == [3, 4, 5, 6, 6, 6]

    def test_a_chain_deeper_than_pythons_recursion_limit_is_built_without_recursion(self):
        length = sys.getrecursionlimit() * 2
        chain = [
            Comment(pk=pk, article=self.article, parent_id=pk - 1 if pk > 1 else None, depth=pk - 1)
            for pk in range(1, length + 1)
        ]

        thread = threads.build(chain, thread_depth=3)

        assert [node.level for node in thread.nodes] == list(range(1, length + 1))
        assert len(thread.nodes[-1].closed_levels) == length - 1
        assert thread.count == length


@every_request_rendered
class DeepChainTests(TestCase):
    """Comments stored deeper than any limit allows (stored before the cap, or by hand) render."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.chain = make_chain(cls.article, 200)

    def test_a_two_hundred_level_chain_renders_every_comment_in_place(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.article.get_absolute_url())

        assert response.status_code == 200
        content = response.content.decode()
        parents, order = comment_tree(content)
        assert order == [comment.pk for comment in self.chain]
        assert parents == {
            comment.pk: (comment.parent_id if comment.parent_id else None) for comment in self.chain
        }
        assert "200 comments" in page_text(content)
        assert reply_lists(content) == 199
        assert content.count("</ol>") - content.count("<ol") == 0
        assert reply_links(content) == {self.chain[0].pk, self.chain[1].pk}
        assert comment_heading(content, self.chain[-1])[0] == 6
        assert len(queries) == ARTICLE_PAGE_QUERIES

    def test_a_deep_tree_with_lists_ending_at_every_level_is_valid_html(self):
        article = ArticleFactory()
        chain = make_chain(article, 12)
        expected = {comment.pk: comment.parent_id for comment in chain}
        for parent in (chain[0], chain[4], chain[10]):
            sibling = CommentFactory(article=article, parent=parent)
            expected[sibling.pk] = parent.pk
        last = CommentFactory(article=article)
        expected[last.pk] = None

        content = self.client.get(article.get_absolute_url()).content.decode()

        assert comment_tree(content)[0] == expected
        errors = nu_html_errors({"deep-thread": content})
        assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)


@every_request_rendered
class ArticlePageQueriesTests(TestCase):
    """The page's query count is fixed whatever the number of comments, replies and badges."""

    @classmethod
    def setUpTestData(cls):
        cls.staff = StaffFactory(role="Moderator")
        cls.author_account = StaffFactory(role="Editor")
        author = AuthorFactory(user=cls.author_account)
        cls.one = ArticleFactory(authors=[author])
        CommentFactory(article=cls.one)
        cls.thirty = ArticleFactory(authors=[author, AuthorFactory()])
        for _ in range(5):
            top, reply, nested = make_chain(cls.thirty, 3)
            CommentFactory(article=cls.thirty, parent=top, staff_user=cls.staff)
            CommentFactory(article=cls.thirty, parent=reply, staff_user=cls.author_account)
            CommentFactory(article=cls.thirty)
            HeldCommentFactory(article=cls.thirty, parent=top)

    def count(self, article, **params):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(article.get_absolute_url(), params)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    def test_one_comment_and_thirty_with_replies_cost_the_same_fixed_number_of_queries(self):
        one, one_content = self.count(self.one)
        thirty, thirty_content = self.count(self.thirty)

        assert len(comment_tree(one_content)[1]) == 1
        assert len(comment_tree(thirty_content)[1]) == 30
        assert thirty_content.count('class="badge badge--staff"') == 5
        assert thirty_content.count('class="badge badge--author"') == 5
        assert one == thirty == ARTICLE_PAGE_QUERIES

    def test_a_reply_link_costs_no_extra_query(self):
        reply_to = self.thirty.comments.filter(parent__isnull=True).first()

        with self.assertNumQueries(ARTICLE_PAGE_QUERIES):
            response = self.client.get(self.thirty.get_absolute_url(), {"replyto": reply_to.pk})

        assert "Replying to" in response.content.decode()
