"""Who comments as staff on the public form (issue 10, hole 4).

Only staff who may moderate comments (the Moderator role, or a superuser) post as the
publication: approved at once, badged, no flood limit, under the name and address of their
account, never what a form says. Every other account (contributors, editors without the
comment permission) posts like any reader.
"""

import re

import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from comments import permissions
from comments.models import Comment, DiscussionSettings
from tests.checkers import nu_html_errors
from tests.comments.html import page_text
from tests.comments.posting import valid_data
from tests.factories import ArticleFactory, AuthorFactory, StaffFactory, UserFactory

TYPED_NAME = "Someone Else"
TYPED_ADDRESS = "someone.else@mail.example"


def rules(**changes):
    DiscussionSettings.objects.filter(pk=DiscussionSettings.current().pk).update(**changes)


class StaffPostingTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.moderator = StaffFactory(
            username="mod", first_name="Mira", last_name="Desk", role="Moderator"
        )
        cls.superuser = StaffFactory(username="chief", first_name="Chief", is_superuser=True)
        cls.editor = StaffFactory(username="ed", first_name="Ed", role="Editor")
        cls.contributor = StaffFactory(username="cora", first_name="Cora", role="Contributor")
        cls.bare_staff = StaffFactory(username="bare")

    def post(self, user=None, **overrides):
        if user is not None:
            self.client.force_login(user)
        data = valid_data(**{"name": TYPED_NAME, "email": TYPED_ADDRESS, **overrides})
        return self.client.post(reverse("comments:post", kwargs={"slug": self.article.slug}), data)


class ModeratorsPostAsStaffTests(StaffPostingTestCase):
    def test_a_moderator_posts_as_staff_under_their_account_not_the_form(self):
        response = self.post(self.moderator, website="https://elsewhere.example/")

        comment = Comment.objects.get()
        assert comment.staff_user == self.moderator
        assert comment.status == Comment.Status.APPROVED
        assert comment.moderation_rule == "staff"
        assert comment.name == "Mira Desk"
        assert comment.email == "mod@staff.example"
        assert comment.website == ""
        assert response["Location"] == comment.get_absolute_url()

    def test_a_superuser_posts_as_staff(self):
        self.post(self.superuser)

        comment = Comment.objects.get()
        assert comment.staff_user == self.superuser
        assert comment.email == "chief@staff.example"

    def test_a_moderator_with_an_author_profile_posts_under_its_name(self):
        AuthorFactory(name="Mira D. Okafor", user=self.moderator)

        self.post(self.moderator)

        assert Comment.objects.get().name == "Mira D. Okafor"

    def test_the_badge_shows_on_the_published_comment(self):
        self.post(self.moderator)
        self.client.logout()

        page = self.client.get(self.article.get_absolute_url()).content.decode()

        assert re.search(r'Mira Desk\s*<span class="badge badge--staff">Staff</span>', page)

    def test_moderators_are_not_flood_limited(self):
        rules(comments_per_ip_per_minute=1)

        with time_machine.travel(timezone.now().replace(second=5), tick=False):
            answers = [self.post(self.moderator, body=f"Note {n}").status_code for n in range(3)]

        assert answers == [302, 302, 302]

    def test_a_signed_in_moderator_sees_who_they_comment_as_instead_of_the_fields(self):
        self.client.force_login(self.moderator)

        response = self.client.get(self.article.get_absolute_url())

        content = response.content.decode()
        respond = content.split('id="respond"', 1)[1]
        form = re.search(r'<form[^>]*id="comment-form".*?</form>', respond, re.S).group(0)
        assert "Commenting as Mira Desk (staff)." in page_text(respond.split("<form", 1)[0])
        for field in ("name", "email", "website", "remember", "notify_replies"):
            assert f'name="{field}"' not in form
        assert 'name="body"' in form
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control

    def test_the_moderators_page_and_its_error_page_are_valid_html(self):
        self.client.force_login(self.moderator)

        pages = {
            "moderator-form": self.client.get(self.article.get_absolute_url()),
            "moderator-form-errors": self.post(body="  "),
        }

        errors = nu_html_errors({name: page.content.decode() for name, page in pages.items()})

        assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)

    def test_a_moderator_form_with_errors_keeps_the_staff_form(self):
        response = self.post(self.moderator, body="  ")

        assert response.status_code == 400
        assert "Commenting as Mira Desk (staff)." in page_text(response.content.decode())
        assert not Comment.objects.exists()

    def test_an_inactive_moderator_account_is_not_staff(self):
        self.moderator.is_active = False

        assert not permissions.can_moderate(self.moderator)

    def test_a_moderator_who_has_not_given_their_two_factor_code_posts_like_a_reader(self):
        TOTPDevice.objects.create(user=self.moderator, name="Authenticator app", confirmed=True)

        self.post(self.moderator)

        comment = Comment.objects.get()
        assert comment.staff_user is None
        assert comment.status == Comment.Status.PENDING
        assert comment.name == TYPED_NAME

    def test_the_permission_outside_staff_is_not_enough(self):
        reader = UserFactory()
        reader.user_permissions.add(Permission.objects.get(codename="change_comment"))

        assert not permissions.can_moderate(reader)


class OtherStaffPostLikeReadersTests(StaffPostingTestCase):
    def test_editors_contributors_and_bare_staff_post_like_any_reader(self):
        for user in (self.editor, self.contributor, self.bare_staff):
            with self.subTest(user.username):
                response = self.post(user, body=f"By {user.username}.")

                comment = Comment.objects.get(body=f"By {user.username}.")
                assert comment.staff_user is None
                assert comment.status == Comment.Status.PENDING
                assert comment.moderation_rule == "first_comment"
                assert comment.name == TYPED_NAME
                assert comment.email == TYPED_ADDRESS
                assert response["Location"] == f"{self.article.get_absolute_url()}#comments"

    def test_they_are_flood_limited_like_readers(self):
        rules(comments_per_ip_per_minute=1, comments_per_address_per_hour=0)

        with time_machine.travel(timezone.now().replace(second=5), tick=False):
            answers = [self.post(self.editor, body=f"Note {n}").status_code for n in range(2)]

        assert answers == [302, 429]

    def test_they_see_the_readers_form(self):
        self.client.force_login(self.editor)

        content = self.client.get(self.article.get_absolute_url()).content.decode()

        assert 'name="email"' in content
        assert "Commenting as" not in content

    def test_an_editor_who_writes_the_article_gets_no_badge_from_the_form(self):
        author = AuthorFactory(name="Ed Writer", user=self.editor)
        self.article.bylines.all().delete()
        self.article.bylines.create(author=author, position=0)
        rules(mode=DiscussionSettings.Mode.APPROVE_ALL)

        self.post(self.editor, name="Ed Writer")
        self.client.logout()
        page = self.client.get(self.article.get_absolute_url()).content.decode()

        assert Comment.objects.get().staff_user is None
        assert "badge--" not in page


class ReaderPageUnchangedTests(StaffPostingTestCase):
    def test_an_anonymous_reader_gets_the_form_without_a_session(self):
        response = self.client.get(self.article.get_absolute_url())

        assert settings.SESSION_COOKIE_NAME not in response.cookies
        assert 'name="email"' in response.content.decode()
        assert "private" not in response.get("Cache-Control", "")
