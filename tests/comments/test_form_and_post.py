"""The reader's comment form: what it shows, what it stores, and what it refuses."""

import re

from django.conf import settings
from django.test import TestCase

from comments.models import Comment
from comments.views.posting import AWAITING_MODERATION
from tests.comments.html import (
    comment_tree,
    comments_heading,
    input_value,
    page_text,
    textarea_text,
)
from tests.comments.posting import BODY, post_url, valid_data
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    DraftArticleFactory,
    HeldCommentFactory,
    ScheduledArticleFactory,
)


class PostingACommentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Talks in Geneva")

    def post(self, **overrides):
        return self.client.post(
            post_url(self.article),
            valid_data(**overrides),
            HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0",
            REMOTE_ADDR="203.0.113.7",
        )

    def test_valid_comment_is_stored_pending_with_ip_user_agent_and_held_reason(self):
        self.post(website="https://ada.example/blog")

        comment = Comment.objects.get()
        assert comment.article == self.article
        assert comment.parent is None
        assert comment.name == "Ada Reader"
        assert comment.email == "ada.reader@mail.example"
        assert comment.website == "https://ada.example/blog"
        assert comment.body == BODY
        assert comment.status == Comment.Status.PENDING
        assert comment.held_reason == "held: first comment from this address"
        assert comment.moderation_rule == "first_comment"
        assert comment.ip_address == "203.0.113.7"
        assert comment.user_agent == "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"
        assert comment.staff_user is None
        assert comment.moderated_by is None

    def test_a_very_long_user_agent_is_cut_to_the_column_size(self):
        self.client.post(post_url(self.article), valid_data(), HTTP_USER_AGENT="A" * 1000)

        assert Comment.objects.get().user_agent == "A" * 300

    def test_name_and_body_are_stored_without_surrounding_whitespace(self):
        self.post(name="  Ada    Reader ", body="\n\n  " + BODY + "  \n")

        comment = Comment.objects.get()
        assert comment.name == "Ada Reader"
        assert comment.body == BODY

    def test_valid_comment_redirects_to_the_comment_section(self):
        response = self.post()

        assert response.status_code == 302
        assert response["Location"] == f"/articles/{self.article.slug}/#comments"

    def test_after_the_redirect_the_reader_is_told_the_comment_awaits_moderation(self):
        response = self.client.post(post_url(self.article), valid_data(), follow=True)

        assert response.redirect_chain == [(f"/articles/{self.article.slug}/#comments", 302)]
        assert response.status_code == 200
        section = response.content.decode().split('id="comments"', 1)[1]
        assert AWAITING_MODERATION in section
        assert "awaiting moderation" in section

    def test_the_moderation_message_is_shown_once_only(self):
        self.client.post(post_url(self.article), valid_data(), follow=True)

        again = self.client.get(self.article.get_absolute_url())

        assert AWAITING_MODERATION not in again.content.decode()

    def test_the_pending_comment_is_not_shown_on_the_article_page(self):
        response = self.client.post(post_url(self.article), valid_data(), follow=True)

        content = response.content.decode()
        assert BODY not in content
        assert "Ada Reader" not in content
        assert comment_tree(content) == ({}, [])
        assert "No comments yet." in content

    def test_posting_does_not_render_a_page_cached_by_proxies(self):
        response = self.post()

        assert "no-cache" in response["Cache-Control"]


class CommentDisplayTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.first = CommentFactory(article=cls.article, name="Ines", body="First approved.")
        cls.second = CommentFactory(article=cls.article, name="Omar", body="Second approved.")
        cls.reply = CommentFactory(
            article=cls.article, parent=cls.first, name="Pia", body="Reply to Ines."
        )
        cls.nested = CommentFactory(
            article=cls.article, parent=cls.reply, name="Quinn", body="Reply to Pia."
        )
        cls.held = HeldCommentFactory(article=cls.article, name="Held Hal", body="Held text.")
        cls.held_reply = HeldCommentFactory(
            article=cls.article, parent=cls.first, name="Held Reply", body="Held reply text."
        )
        cls.spam = CommentFactory(
            article=cls.article, status=Comment.Status.SPAM, name="Spammer", body="Buy pills."
        )
        cls.removed = CommentFactory(
            article=cls.article, status=Comment.Status.REMOVED, name="Rude", body="Removed text."
        )
        # An approved reply under a comment that is not approved is not shown either.
        cls.orphan = CommentFactory(
            article=cls.article, parent=cls.held, name="Orphan", body="Under a held comment."
        )
        cls.elsewhere = CommentFactory(name="Elsewhere", body="On another article.")

    def setUp(self):
        self.content = self.client.get(self.article.get_absolute_url()).content.decode()

    def test_only_approved_comments_of_this_article_are_shown(self):
        _parents, order = comment_tree(self.content)

        assert sorted(order) == sorted(
            [self.first.pk, self.second.pk, self.reply.pk, self.nested.pk]
        )
        for hidden in ("Held text.", "Held reply text.", "Buy pills.", "Removed text."):
            assert hidden not in self.content
        assert "Under a held comment." not in self.content
        assert "On another article." not in self.content

    def test_replies_are_threaded_under_their_parent(self):
        parents, order = comment_tree(self.content)

        assert parents == {
            self.first.pk: None,
            self.reply.pk: self.first.pk,
            self.nested.pk: self.reply.pk,
            self.second.pk: None,
        }
        assert order == [self.first.pk, self.reply.pk, self.nested.pk, self.second.pk]

    def test_heading_counts_the_shown_comments(self):
        assert comments_heading(self.content) == "4 comments"

    def test_heading_says_two_comments_for_an_approved_comment_and_reply(self):
        article = ArticleFactory()
        parent = CommentFactory(article=article)
        CommentFactory(article=article, parent=parent)
        HeldCommentFactory(article=article)

        content = self.client.get(article.get_absolute_url()).content.decode()

        assert comments_heading(content) == "2 comments"

    def test_heading_is_singular_for_one_comment(self):
        article = ArticleFactory()
        CommentFactory(article=article)
        HeldCommentFactory(article=article)

        content = self.client.get(article.get_absolute_url()).content.decode()

        assert comments_heading(content) == "1 comment"

    def test_an_article_without_approved_comments_says_so(self):
        article = ArticleFactory()
        HeldCommentFactory(article=article)

        content = self.client.get(article.get_absolute_url()).content.decode()

        assert comments_heading(content) == "Comments"
        assert "No comments yet." in content

    def test_each_shown_comment_below_the_deepest_level_has_a_reply_link(self):
        url = self.article.get_absolute_url()
        for comment in (self.first, self.second, self.reply):
            assert f'href="{url}?replyto={comment.pk}#respond"' in self.content
        # Three levels deep by default: the reply to a reply is the deepest.
        assert f"?replyto={self.nested.pk}" not in self.content
        assert f"?replyto={self.held.pk}" not in self.content


class CommentFormDisplayTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def setUp(self):
        self.content = self.client.get(self.article.get_absolute_url()).content.decode()
        # The comment form is the page's only POST form (the masthead's search form is GET).
        self.form = re.search(r'<form[^>]*method="post".*?</form>', self.content, re.S).group(0)

    def test_form_is_headed_leave_a_reply(self):
        assert re.search(r'id="respond".*?<h2[^>]*>Leave a Reply</h2>', self.content, re.S)

    def test_form_says_the_email_address_is_not_published(self):
        assert (
            "Your email address will not be published. Required fields are marked *"
            in page_text(self.content)
        )

    def test_form_posts_to_the_comment_url_of_this_article(self):
        assert f'action="{post_url(self.article)}"' in self.form
        assert 'method="post"' in self.form
        # A shared page: no per-reader token in it (comments/form_check.py, test_cached_form.py).
        assert 'name="csrfmiddlewaretoken"' not in self.form
        assert 'name="timestamp"' not in self.form

    def test_required_labels_carry_an_asterisk(self):
        for field, label in (("name", "Name"), ("email", "Email"), ("body", "Comment")):
            match = re.search(rf'<label[^>]*for="id_{field}"[^>]*>(.*?)</label>', self.form, re.S)
            assert match, field
            assert label in match.group(1)
            assert '<span class="asteriskField">*</span>' in match.group(1), field

    def test_website_label_has_no_asterisk(self):
        match = re.search(r'<label[^>]*for="id_website"[^>]*>(.*?)</label>', self.form, re.S)

        assert match
        assert "Website" in match.group(1)
        assert "*" not in match.group(1)

    def test_required_inputs_have_the_required_attribute(self):
        for tag, field in (("input", "name"), ("input", "email"), ("textarea", "body")):
            match = re.search(rf'<{tag}[^>]*\bname="{field}"[^>]*>', self.form)
            assert match, field
            assert re.search(r"\srequired(\s|>|=)", match.group(0)), field

    def test_website_input_is_not_required(self):
        match = re.search(r'<input[^>]*\bname="website"[^>]*>', self.form)

        assert match
        assert not re.search(r"\srequired(\s|>|=)", match.group(0))

    def test_email_input_is_an_email_field_and_empty(self):
        match = re.search(r'<input[^>]*\bname="email"[^>]*>', self.form)

        assert match
        assert 'type="email"' in match.group(0)
        assert input_value(self.form, "email") is None

    def test_the_hidden_parent_field_is_empty_without_replyto(self):
        assert input_value(self.form, "parent") is None
        assert "Replying to" not in self.content


class RefusedFormTests(TestCase):
    """What a refused form gives back (every refusal is catalogued in test_bad_input.py)."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.other_article = ArticleFactory()
        cls.closed_article = ArticleFactory(comments_open=False)
        cls.approved = CommentFactory(article=cls.article)
        cls.pending = HeldCommentFactory(article=cls.article)
        cls.foreign = CommentFactory(article=cls.other_article)

    def test_the_refused_page_is_the_article_page_with_its_comments(self):
        response = self.client.post(post_url(self.article), valid_data(email="nope"))

        content = response.content.decode()
        assert response.status_code == 400
        assert self.article.title in content
        _parents, order = comment_tree(content)
        assert order == [self.approved.pk]
        assert "Your comment was not posted" in content

    def test_a_refused_parent_is_cleared_so_the_text_can_be_posted_as_a_new_comment(self):
        for n, bad_parent in enumerate(
            (str(self.foreign.pk), str(self.pending.pk), "abc", "-1", "1.5", "9" * 23)
        ):
            with self.subTest(bad_parent):
                # One reader each: refused forms count against the per-IP flood limit too.
                response = self.client.post(
                    post_url(self.article),
                    valid_data(parent=bad_parent),
                    REMOTE_ADDR=f"198.51.100.{n + 1}",
                )

                content = response.content.decode()
                assert response.status_code == 400
                assert input_value(content, "parent") in (None, "")
                assert "Replying to" not in content

    def test_resubmitting_the_refused_form_as_is_then_succeeds(self):
        response = self.client.post(post_url(self.article), valid_data(parent="abc"))
        content = response.content.decode()
        resubmitted = valid_data(
            body=textarea_text(content),
            name=input_value(content, "name"),
            email=input_value(content, "email"),
            parent=input_value(content, "parent") or "",
        )

        again = self.client.post(post_url(self.article), resubmitted)

        assert again.status_code == 302
        assert Comment.objects.filter(body=BODY, parent=None).count() == 1

    def test_body_of_exactly_the_maximum_length_is_accepted(self):
        body = "y" * settings.COMMENT_MAX_LENGTH

        response = self.client.post(post_url(self.article), valid_data(body=body))

        assert response.status_code == 302
        assert Comment.objects.filter(body=body).exists()

    def test_an_http_website_is_accepted(self):
        response = self.client.post(
            post_url(self.article), valid_data(website="http://ada.example/")
        )

        assert response.status_code == 302
        assert Comment.objects.get(name="Ada Reader").website == "http://ada.example/"


class ClosedCommentsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(comments_open=False)
        cls.comment = CommentFactory(article=cls.article, body="Posted before closing.")

    def test_closed_article_shows_its_comments_but_no_form_and_no_reply_links(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode()

        assert "Posted before closing." in content
        assert "Comments are closed on this article." in content
        assert 'id="comment-form"' not in content
        assert "?replyto=" not in content
        assert "Leave a Reply" not in content

    def test_text_posted_to_a_closed_article_is_given_back_read_only(self):
        response = self.client.post(post_url(self.article), valid_data())

        content = response.content.decode()
        assert response.status_code == 400
        assert textarea_text(content) == BODY
        tag = re.search(r'<textarea[^>]*\bid="id_body"[^>]*>', content).group(0)
        assert re.search(r"\sreadonly(\s|>|=)", tag)
        assert 'id="comment-form"' not in content
        assert Comment.objects.count() == 1


class ArticleAvailabilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.draft = DraftArticleFactory()
        cls.scheduled = ScheduledArticleFactory()
        cls.published = ArticleFactory()

    def test_unknown_article_slug_is_404(self):
        response = self.client.post("/comments/post/no-such-article/", valid_data())

        assert response.status_code == 404
        assert Comment.objects.count() == 0

    def test_draft_article_is_404(self):
        response = self.client.post(post_url(self.draft), valid_data())

        assert response.status_code == 404
        assert Comment.objects.count() == 0

    def test_scheduled_article_is_404(self):
        response = self.client.post(post_url(self.scheduled), valid_data())

        assert response.status_code == 404
        assert Comment.objects.count() == 0

    def test_get_on_the_post_url_is_405(self):
        response = self.client.get(post_url(self.published))

        assert response.status_code == 405
        assert response["Allow"] == "POST"


class EscapingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.comment = CommentFactory(
            article=cls.article,
            name='<b>Bold</b> "Name"',
            body=(
                "First line\nsecond line\n\n"
                '<script>alert("pwned")</script> and '
                '<a href="https://evil.example/phish">click here</a>'
            ),
        )

    def setUp(self):
        self.content = self.client.get(self.article.get_absolute_url()).content.decode()
        self.shown = self.content.split(f'id="comment-{self.comment.pk}"', 1)[1]

    def test_script_in_a_comment_is_shown_as_text(self):
        assert "<script>alert" not in self.content
        assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in self.shown

    def test_a_link_in_a_comment_is_not_clickable(self):
        assert 'href="https://evil.example/phish"' not in self.content
        assert "&lt;a href=&quot;https://evil.example/phish&quot;&gt;click here&lt;/a&gt;" in (
            self.shown
        )

    def test_markup_in_the_name_is_shown_as_text(self):
        assert "<b>Bold</b>" not in self.content
        assert "&lt;b&gt;Bold&lt;/b&gt; &quot;Name&quot;" in self.shown

    def test_line_breaks_are_kept(self):
        assert "<p>First line<br>second line</p>" in self.shown


class ReplyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.parent = CommentFactory(article=cls.article, name="Ines")
        cls.pending = HeldCommentFactory(article=cls.article, name="Held Hal")
        cls.foreign = CommentFactory(name="Elsewhere")

    def test_reply_link_preselects_the_parent_and_says_replying_to(self):
        response = self.client.get(f"{self.article.get_absolute_url()}?replyto={self.parent.pk}")

        content = response.content.decode()
        assert input_value(content, "parent") == str(self.parent.pk)
        assert "Replying to Ines’s comment" in page_text(content)
        assert f'href="#comment-{self.parent.pk}"' in content
        assert re.search(r"<h2[^>]*>Reply to Ines</h2>", content)

    def test_replyto_a_pending_comment_preselects_nothing(self):
        response = self.client.get(f"{self.article.get_absolute_url()}?replyto={self.pending.pk}")

        content = response.content.decode()
        assert input_value(content, "parent") is None
        assert "Replying to" not in content
        assert "Held Hal" not in content

    def test_replyto_a_comment_of_another_article_preselects_nothing(self):
        response = self.client.get(f"{self.article.get_absolute_url()}?replyto={self.foreign.pk}")

        content = response.content.decode()
        assert input_value(content, "parent") is None
        assert "Replying to" not in content

    def test_replyto_garbage_is_ignored(self):
        for value in ("abc", "", "1e3", "-1"):
            with self.subTest(value):
                response = self.client.get(f"{self.article.get_absolute_url()}?replyto={value}")

                assert response.status_code == 200
                assert "Replying to" not in response.content.decode()

    def test_a_valid_reply_is_stored_under_its_parent(self):
        response = self.client.post(
            post_url(self.article), valid_data(parent=str(self.parent.pk), body="I agree.")
        )

        assert response.status_code == 302
        reply = Comment.objects.get(body="I agree.")
        assert reply.parent == self.parent
        assert reply.article == self.article
        assert reply.status == Comment.Status.PENDING

    def test_a_refused_reply_keeps_the_parent_and_still_says_replying_to(self):
        response = self.client.post(
            post_url(self.article), valid_data(parent=str(self.parent.pk), email="broken")
        )

        content = response.content.decode()
        assert response.status_code == 400
        assert input_value(content, "parent") == str(self.parent.pk)
        assert "Replying to Ines’s comment" in page_text(content)

    def test_an_approved_reply_appears_under_its_parent(self):
        self.client.post(
            post_url(self.article), valid_data(parent=str(self.parent.pk), body="I agree.")
        )
        Comment.objects.get(body="I agree.").approve()

        content = self.client.get(self.article.get_absolute_url()).content.decode()

        parents, _order = comment_tree(content)
        reply = Comment.objects.get(body="I agree.")
        assert parents[reply.pk] == self.parent.pk
