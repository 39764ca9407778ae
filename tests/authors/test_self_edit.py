"""An author with a linked staff account edits their own profile, and only their own."""

from django.test import TestCase
from django.urls import reverse

from authors.models import Author
from tests.admin_forms import (
    SignedInModeratorTestCase,
    author_change_url,
    author_form_data,
    author_profile_data,
)
from tests.factories import AuthorFactory, StaffFactory

CHANGELIST = reverse("admin:authors_author_changelist")


class OwnProfileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.contributor = StaffFactory(role="Contributor")
        cls.own = AuthorFactory(name="Kenji Arakawa-Moss", user=cls.contributor)
        cls.other = AuthorFactory(name="Someone Else", bio="Their own words.")

    def setUp(self):
        self.client.force_login(self.contributor)

    def test_the_author_list_shows_every_profile_for_choosing_bylines(self):
        response = self.client.get(CHANGELIST)

        assert response.status_code == 200
        assert set(response.context["cl"].result_list) == {self.own, self.other}

    def test_they_open_and_save_their_own_profile(self):
        assert self.client.get(author_change_url(self.own)).status_code == 200

        response = self.client.post(
            author_change_url(self.own),
            author_profile_data(self.own, bio="Writes on maritime trade.", role="Senior Fellow"),
        )

        assert response.status_code == 302
        self.own.refresh_from_db()
        assert self.own.bio == "Writes on maritime trade."
        assert self.own.role == "Senior Fellow"

    def test_they_cannot_hand_their_profile_to_another_account(self):
        someone = StaffFactory()

        self.client.post(
            author_change_url(self.own), author_profile_data(self.own, user=str(someone.pk))
        )

        self.own.refresh_from_db()
        assert self.own.user == self.contributor
        content = self.client.get(author_change_url(self.own)).content.decode()
        assert 'name="user"' not in content

    def test_a_forged_post_to_someone_elses_profile_changes_nothing(self):
        response = self.client.post(
            author_change_url(self.other), author_profile_data(self.other, bio="Defaced.")
        )

        assert response.status_code == 403
        self.other.refresh_from_db()
        assert self.other.bio == "Their own words."

    def test_someone_elses_profile_opens_read_only(self):
        response = self.client.get(author_change_url(self.other))

        assert response.status_code == 200
        content = response.content.decode()
        assert 'name="bio"' not in content
        assert 'name="_save"' not in content
        assert 'name="bio"' in self.client.get(author_change_url(self.own)).content.decode()

    def test_they_cannot_add_or_delete_profiles(self):
        add = self.client.post(reverse("admin:authors_author_add"), author_form_data())
        delete = self.client.post(
            reverse("admin:authors_author_delete", args=[self.own.pk]), {"post": "yes"}
        )

        assert add.status_code == 403
        assert delete.status_code == 403
        assert Author.objects.count() == 2


class ProfileWithoutAuthorPermissionsTests(SignedInModeratorTestCase):
    """Staff holding no author permission at all (a moderator who also writes)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.own = AuthorFactory(user=cls.moderator)
        cls.other = AuthorFactory()

    def test_they_see_and_edit_only_their_own_profile(self):
        response = self.client.get(CHANGELIST)
        assert list(response.context["cl"].result_list) == [self.own]

        self.client.post(
            author_change_url(self.own), author_profile_data(self.own, bio="Also writes.")
        )
        self.own.refresh_from_db()
        assert self.own.bio == "Also writes."

    def test_someone_elses_profile_is_out_of_reach(self):
        assert self.client.get(author_change_url(self.other)).status_code == 302
        assert self.client.get(author_change_url(self.other))["Location"] == reverse("admin:index")

        refused = self.client.post(
            author_change_url(self.other), author_profile_data(self.other, bio="Defaced.")
        )

        assert refused.status_code == 403

        self.other.refresh_from_db()
        assert self.other.bio != "Defaced."


class StaffWithoutProfileTests(TestCase):
    def test_a_moderator_without_a_profile_sees_no_author_admin(self):
        moderator = StaffFactory(role="Moderator")
        author = AuthorFactory()
        self.client.force_login(moderator)

        assert self.client.get(CHANGELIST).status_code == 403
        assert self.client.get(author_change_url(author)).status_code == 403


class EditorTests(TestCase):
    def test_editors_still_manage_every_profile_and_link_accounts(self):
        editor = StaffFactory(role="Editor")
        writer = StaffFactory()
        author = AuthorFactory()
        self.client.force_login(editor)

        response = self.client.post(
            author_change_url(author),
            author_profile_data(author, user=str(writer.pk), bio="Updated."),
        )

        assert response.status_code == 302
        author.refresh_from_db()
        assert author.user == writer
        assert author.bio == "Updated."

    def test_the_author_list_and_autocomplete_are_in_name_order(self):
        editor = StaffFactory(role="Editor")
        for name in ["Zora Quint", "Abel Marsh", "Maya Ortiz"]:
            AuthorFactory(name=name)
        self.client.force_login(editor)

        listed = self.client.get(CHANGELIST).context["cl"].result_list
        suggested = self.client.get(
            reverse("admin:autocomplete"),
            {"app_label": "articles", "model_name": "byline", "field_name": "author"},
        ).json()["results"]

        assert [author.name for author in listed] == ["Abel Marsh", "Maya Ortiz", "Zora Quint"]
        assert [row["text"] for row in suggested] == ["Abel Marsh", "Maya Ortiz", "Zora Quint"]
