import datetime
import json

import time_machine
from django.core import signing
from django.test import Client, TestCase
from django.urls import reverse

from comments.commenters import selfservice
from comments.commenters.privacy import digest
from comments.models import Comment, CommenterAddress
from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory

NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
READER = "private.reader@mail.example"
OTHER = "someone.else@mail.example"


def path(url):
    return "/" + url.split("/", 3)[3]


class SelfServiceTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Tariff talks")
        cls.address = CommenterAddress.objects.create(email=READER)
        cls.published = CommentFactory(article=cls.article, email=READER, body="Published words.")
        cls.held = HeldCommentFactory(article=cls.article, email=READER, body="Held words.")
        cls.spam = CommentFactory(
            article=cls.article, email=READER, body="Spammy words.", status=Comment.Status.SPAM
        )
        cls.others = CommentFactory(article=cls.article, email=OTHER, body="Someone else's.")

    def manage_path(self):
        return path(selfservice.manage_url(self.address))

    def assert_private(self, response):
        page = response.content.decode()
        for secret in (READER, digest(READER), OTHER, digest(OTHER)):
            assert secret not in page
            assert secret not in response.request["PATH_INFO"]
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


class ManagePageTests(SelfServiceTestCase):
    def test_lists_the_addresses_comments_with_their_status_and_nobody_elses(self):
        response = self.client.get(self.manage_path())

        assert response.status_code == 200
        page = response.content.decode()
        assert "Published words." in page
        assert "Held words." in page
        assert "Spammy words." in page
        assert "Someone else&#x27;s." not in page
        assert "<strong>Approved</strong>" in page
        assert "<strong>Pending</strong>" in page
        assert "<strong>Spam</strong>" in page
        self.assert_private(response)

    def test_page_takes_the_same_queries_whatever_the_number_of_comments(self):
        self.client.get(self.manage_path())
        with self.assertNumQueries(4):
            self.client.get(self.manage_path())
        for _ in range(5):
            CommentFactory(article=ArticleFactory(), email=READER)
        with self.assertNumQueries(4):
            self.client.get(self.manage_path())

    def test_withdrawing_a_comment_takes_it_off_the_site(self):
        response = self.client.post(
            self.manage_path(), {"action": "withdraw", "comment": self.published.pk}
        )

        assert response.status_code == 302
        self.published.refresh_from_db()
        assert self.published.status == Comment.Status.WITHDRAWN
        page = self.client.get(response["Location"]).content.decode()
        assert "Your comment was withdrawn." in page
        article_page = self.client.get(self.article.get_absolute_url()).content.decode()
        assert "Published words." not in article_page

    def test_another_addresses_comment_cannot_be_withdrawn(self):
        response = self.client.post(
            self.manage_path(), {"action": "withdraw", "comment": self.others.pk}
        )

        assert response.status_code == 400
        assert "That comment cannot be withdrawn." in response.content.decode()
        self.others.refresh_from_db()
        assert self.others.status == Comment.Status.APPROVED

    def test_spam_cannot_be_withdrawn_to_hide_it_from_moderators(self):
        self.client.post(self.manage_path(), {"action": "withdraw", "comment": self.spam.pk})

        self.spam.refresh_from_db()
        assert self.spam.status == Comment.Status.SPAM

    def test_malformed_comment_id_is_refused_plainly(self):
        response = self.client.post(self.manage_path(), {"action": "withdraw", "comment": "1 OR 1"})

        assert response.status_code == 400

    def test_forms_need_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)

        response = client.post(self.manage_path(), {"action": "withdraw", "comment": self.held.pk})

        assert response.status_code == 403
        self.held.refresh_from_db()
        assert self.held.status == Comment.Status.PENDING

    def test_choosing_comments_to_notify_turns_notifications_on_for_those_only(self):
        response = self.client.post(
            self.manage_path(), {"action": "notifications", "notify": [self.held.pk, self.spam.pk]}
        )

        assert response.status_code == 302
        assert list(Comment.objects.filter(notify_replies=True)) == [self.held]
        self.address.refresh_from_db()
        assert self.address.receives_notifications

    def test_choosing_no_comment_stops_notifications(self):
        self.client.post(self.manage_path(), {"action": "notifications", "notify": [self.held.pk]})

        self.client.post(self.manage_path(), {"action": "notifications"})

        assert not Comment.objects.filter(notify_replies=True).exists()
        self.address.refresh_from_db()
        assert not self.address.receives_notifications

    def test_export_downloads_everything_held_for_the_address(self):
        response = self.client.post(self.manage_path(), {"action": "export"})

        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response["Content-Disposition"].startswith('attachment; filename="my-comments-')
        data = json.loads(response.content)
        assert data["address"] == READER
        assert data["commenter_address"]["email"] == READER
        assert sorted(comment["body"] for comment in data["comments"]) == [
            "Held words.",
            "Published words.",
            "Spammy words.",
        ]

    def test_erasure_needs_the_box_ticked(self):
        response = self.client.post(self.manage_path(), {"action": "erase"})

        assert response.status_code == 400
        assert "Tick the box" in response.content.decode()
        assert CommenterAddress.objects.filter(pk=self.address.pk).exists()

    def test_erasure_forgets_the_address_and_ends_the_link(self):
        manage = self.manage_path()

        response = self.client.post(manage, {"action": "erase", "confirm": "yes"})

        assert response.status_code == 200
        assert "Your data is erased" in response.content.decode()
        assert not Comment.objects.from_address(READER).exists()
        again = self.client.get(manage)
        assert again.status_code == 400
        assert "no longer hold any data" in again.content.decode()

    def test_unknown_action_is_refused(self):
        response = self.client.post(self.manage_path(), {"action": "delete-everything"})

        assert response.status_code == 400


class LinkValidityTests(SelfServiceTestCase):
    def test_manage_link_expires(self):
        with time_machine.travel(NOW, tick=False):
            manage = self.manage_path()
        with time_machine.travel(NOW + datetime.timedelta(days=15), tick=False):
            response = self.client.get(manage)

        assert response.status_code == 400
        assert "has expired" in response.content.decode()
        self.assert_private(response)

    def test_manage_link_works_until_it_expires(self):
        with time_machine.travel(NOW, tick=False):
            manage = self.manage_path()
        with time_machine.travel(NOW + datetime.timedelta(days=13), tick=False):
            assert self.client.get(manage).status_code == 200

    def test_tampered_links_are_refused_with_a_clear_page(self):
        for url in (
            selfservice.manage_url(self.address),
            selfservice.unsubscribe_url(self.address),
        ):
            with self.subTest(url=url):
                forged = path(url).replace(":", "x:", 1)
                response = self.client.get(forged)
                assert response.status_code == 400
                assert "is not valid" in response.content.decode()

    def test_a_token_for_one_purpose_does_not_open_another(self):
        unsubscribe_token = path(selfservice.unsubscribe_url(self.address)).split("/")[-2]

        response = self.client.get(reverse("comments:manage", args=[unsubscribe_token]))

        assert response.status_code == 400

    def test_forged_address_id_needs_the_key(self):
        token = signing.dumps({"a": self.address.pk}, salt="another-salt")

        response = self.client.get(reverse("comments:manage", args=[token]))

        assert response.status_code == 400

    def test_links_name_no_address_and_no_digest(self):
        links = {
            selfservice.MANAGE_SALT: selfservice.manage_url(self.address),
            selfservice.UNSUBSCRIBE_SALT: selfservice.unsubscribe_url(self.address),
        }
        for salt, url in links.items():
            token = path(url).split("/")[-2]
            assert READER not in url
            assert digest(READER) not in url
            assert signing.loads(token, salt=salt) == {"a": self.address.pk}


class UnsubscribeTests(SelfServiceTestCase):
    def setUp(self):
        selfservice.confirm_notifications(self.address)
        Comment.objects.filter(pk=self.held.pk).update(notify_replies=True)
        self.unsubscribe = path(selfservice.unsubscribe_url(self.address))

    def test_following_the_link_asks_before_unsubscribing(self):
        response = self.client.get(self.unsubscribe)

        assert response.status_code == 200
        assert '<button type="submit" class="btn btn-primary">Unsubscribe</button>' in (
            response.content.decode()
        )
        self.address.refresh_from_db()
        assert self.address.receives_notifications
        self.assert_private(response)

    def test_the_button_unsubscribes(self):
        response = self.client.post(self.unsubscribe)

        assert response.status_code == 200
        assert "You are unsubscribed" in response.content.decode()
        self.address.refresh_from_db()
        assert not self.address.receives_notifications
        assert not Comment.objects.filter(notify_replies=True).exists()
        self.assert_private(response)

    def test_unsubscribe_link_never_expires(self):
        with time_machine.travel(NOW, tick=False):
            unsubscribe = path(selfservice.unsubscribe_url(self.address))
        with time_machine.travel(NOW + datetime.timedelta(days=400), tick=False):
            assert self.client.post(unsubscribe).status_code == 200
