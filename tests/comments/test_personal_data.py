import io
import json

from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from comments.admin import personal_data as admin_personal_data
from comments.commenters import personal_data
from comments.models import ERASED_BODY, Comment, CommenterAddress
from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory, StaffFactory

READER = "private.reader@mail.example"
OTHER = "someone.else@mail.example"


class PersonalDataTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Tariff talks")
        CommenterAddress.objects.create(email=READER)
        cls.published = CommentFactory(
            article=cls.article,
            name="Ada Reader",
            email=READER,
            website="https://ada.example",
            body="Published words.",
            ip_address="203.0.113.9",
            user_agent="Firefox",
            notify_replies=True,
        )
        cls.held = HeldCommentFactory(article=cls.article, email=READER, body="Held words.")
        cls.removed = CommentFactory(
            article=cls.article, email=READER, body="Removed words.", status=Comment.Status.REMOVED
        )
        cls.reply_to_removed = CommentFactory(
            article=cls.article, parent=cls.removed, email=OTHER, body="A reply to it."
        )
        cls.others = CommentFactory(article=cls.article, email=OTHER, body="Someone else's.")


class ExportTests(PersonalDataTestCase):
    def test_export_holds_every_comment_and_the_address_record_decrypted(self):
        data = personal_data.export(READER.upper())

        assert data["address"] == READER.upper()
        assert data["commenter_address"]["email"] == READER
        published = next(c for c in data["comments"] if c["id"] == self.published.pk)
        assert published == {
            "id": self.published.pk,
            "article": "Tariff talks",
            "article_url": self.article.get_absolute_url(),
            "in_reply_to": None,
            "name": "Ada Reader",
            "email": READER,
            "website": "https://ada.example",
            "body": "Published words.",
            "status": "approved",
            "created_at": self.published.created_at.isoformat(),
            "ip_address": "203.0.113.9",
            "user_agent": "Firefox",
            "notify_replies": True,
        }
        assert sorted(c["body"] for c in data["comments"]) == [
            "Held words.",
            "Published words.",
            "Removed words.",
        ]
        json.dumps(data)  # ready for a JSON file as it is

    def test_unknown_address_exports_nothing(self):
        data = personal_data.export("nobody@mail.example")

        assert data["commenter_address"] is None
        assert data["comments"] == []


class EraseTests(PersonalDataTestCase):
    def test_published_comment_stays_anonymised_with_its_text(self):
        personal_data.erase(READER)

        self.published.refresh_from_db()
        assert self.published.name == "Anonymous"
        assert self.published.email == ""
        assert self.published.email_digest == ""
        assert self.published.website == ""
        assert self.published.ip_address is None
        assert self.published.user_agent == ""
        assert self.published.notify_replies is False
        assert self.published.body == "Published words."
        assert self.published.status == Comment.Status.APPROVED

    def test_unpublished_comments_are_deleted_unless_someone_replied(self):
        result = personal_data.erase(READER)

        assert not Comment.objects.filter(pk=self.held.pk).exists()
        self.removed.refresh_from_db()
        assert self.removed.body == ERASED_BODY
        assert self.removed.name == "Anonymous"
        assert Comment.objects.filter(pk=self.reply_to_removed.pk).exists()
        assert result == {"anonymised": 2, "deleted": 1, "address_deleted": True}

    def test_erasure_forgets_the_address_and_leaves_others_alone(self):
        personal_data.erase(READER)

        assert not CommenterAddress.objects.exists()
        assert not Comment.objects.from_address(READER).exists()
        assert Comment.objects.from_address(OTHER).count() == 2
        assert personal_data.export(READER)["comments"] == []

    def test_kept_comments_lose_the_digest_of_the_browser_that_posted_them(self):
        Comment.objects.filter(pk__in=[self.published.pk, self.removed.pk]).update(
            browser_digest="b" * 64
        )

        personal_data.erase(READER)

        for kept in (self.published, self.removed):
            kept.refresh_from_db()
            assert kept.name == "Anonymous"
            assert kept.browser_digest == ""


class CommandTests(PersonalDataTestCase):
    def test_export_writes_json_to_stdout(self):
        out = io.StringIO()

        call_command("commenter_data", "export", "--email", READER, stdout=out)

        assert len(json.loads(out.getvalue())["comments"]) == 3

    def test_erase_with_yes_erases(self):
        out = io.StringIO()

        call_command("commenter_data", "erase", "--email", READER, "--yes", stdout=out)

        assert out.getvalue().strip() == (
            "2 comment(s) anonymised, 1 deleted; address record deleted."
        )
        assert not CommenterAddress.objects.exists()

    def test_malformed_address_is_refused(self):
        with self.assertRaisesMessage(CommandError, "Not an email address"):
            call_command("commenter_data", "export", "--email", "not-an-address")


class AdminActionTests(PersonalDataTestCase):
    changelist = reverse("admin:comments_comment_changelist")

    def privacy_officer(self, see_addresses=False):
        officer = StaffFactory(username="privacy", role="Moderator")
        codenames = ["manage_personal_data"] + (["view_commenter_email"] if see_addresses else [])
        officer.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
        return officer

    def run_action(self, **extra):
        return self.client.post(
            self.changelist,
            {"action": "export_or_erase", "_selected_action": [self.published.pk], **extra},
        )

    def test_action_is_offered_only_with_the_permission(self):
        self.client.force_login(StaffFactory(username="mod", role="Moderator"))
        assert "export_or_erase" not in self.client.get(self.changelist).content.decode()

        self.client.force_login(self.privacy_officer())
        assert "export_or_erase" in self.client.get(self.changelist).content.decode()

    def test_action_asks_first_and_hides_the_address_without_that_permission(self):
        self.client.force_login(self.privacy_officer())

        response = self.run_action()

        assert response.status_code == 200
        page = response.content.decode()
        assert "written under 1 address, which together hold 3 comments" in page
        assert READER not in page
        assert CommenterAddress.objects.exists()

    def test_action_shows_the_address_to_those_allowed_to_see_it(self):
        self.client.force_login(self.privacy_officer(see_addresses=True))

        assert READER in self.run_action().content.decode()

    def test_export_downloads_the_json(self):
        self.client.force_login(self.privacy_officer(see_addresses=True))

        response = self.run_action(operation="export")

        assert response["Content-Disposition"].startswith('attachment; filename="commenter-data')
        [exported] = json.loads(response.content)["addresses"]
        assert exported["address"] == READER
        assert len(exported["comments"]) == 3

    def test_export_is_refused_without_the_address_permission_and_says_why(self):
        self.client.force_login(self.privacy_officer())

        response = self.run_action(operation="export")

        assert response.status_code == 302
        assert "Content-Disposition" not in response
        page = self.client.get(response["Location"]).content.decode()
        assert escape(admin_personal_data.EXPORT_REFUSED) in page
        assert READER not in page
        assert Comment.objects.from_address(READER).count() == 3

    def test_without_the_address_permission_the_page_offers_erasing_not_exporting(self):
        self.client.force_login(self.privacy_officer())

        page = self.run_action().content.decode()

        assert 'name="operation" value="export"' not in page
        assert 'name="operation" value="erase"' in page
        assert "Your account may not see commenters’ email addresses" in page

    def test_erase_erases_and_says_what_it_did(self):
        self.client.force_login(self.privacy_officer())

        response = self.run_action(operation="erase")

        assert response.status_code == 302
        assert not CommenterAddress.objects.exists()
        page = self.client.get(response["Location"]).content.decode()
        assert "Erased the data of 1 address: 2 comments anonymised, 1 deleted." in page

    def test_moderator_without_the_permission_cannot_post_the_action(self):
        self.client.force_login(StaffFactory(username="mod", role="Moderator"))

        self.run_action(operation="erase")

        assert CommenterAddress.objects.exists()
        assert Comment.objects.from_address(READER).count() == 3
