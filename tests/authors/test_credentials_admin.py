"""Degrees and expertise are edited on the author's profile in the admin: by editors, and by an
author on their own profile only (checked on the server, like the profile itself)."""

from django.test import TestCase

from authors.models import Education
from tests.admin_forms import (
    author_change_url,
    author_profile_data,
    inline_management,
)
from tests.factories import AuthorFactory, EducationFactory, StaffFactory


def credentials_data(author, entries=(), existing=(), **overrides):
    """The author's change form with `entries` as new education rows after the `existing`
    ones (each (entry, changes) to keep or change it)."""
    data = author_profile_data(
        author,
        **inline_management("education", total=len(existing) + len(entries), initial=len(existing)),
    )
    rows = [
        {"id": str(entry.pk), "degree": entry.degree, "field": entry.field,
         "institution": entry.institution, "year": entry.year or "", "order": str(entry.order),
         **changes}
        for entry, changes in existing
    ] + [{"id": "", "year": "", "order": "0", **entry} for entry in entries]  # fmt: skip
    for n, row in enumerate(rows):
        data.update({f"education-{n}-{name}": value for name, value in row.items()})
        data[f"education-{n}-author"] = str(author.pk)
    data.update(overrides)
    return data


MASTERS = {"degree": "MA", "field": "International Relations", "institution": "University of Dhaka"}
BACHELORS = {**MASTERS, "degree": "BA", "order": "1"}


class EditorEditsCredentialsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.author = AuthorFactory()

    def setUp(self):
        self.client.force_login(self.editor)

    def test_the_profile_form_has_the_education_inline_and_the_new_fields(self):
        content = self.client.get(author_change_url(self.author)).content.decode()

        assert 'name="education-0-degree"' in content
        assert 'name="expertise"' in content
        assert 'name="affiliation_url"' in content

    def test_an_editor_adds_degrees_expertise_and_the_affiliation_address(self):
        response = self.client.post(
            author_change_url(self.author),
            credentials_data(
                self.author,
                [MASTERS, BACHELORS],
                expertise="Security studies\nSino-Russian relations",
                affiliation_url="https://ips.example/",
            ),
        )

        assert response.status_code == 302
        self.author.refresh_from_db()
        assert self.author.education_lines == [
            "MA and BA in International Relations, University of Dhaka"
        ]
        assert self.author.expertise_areas == ["Security studies", "Sino-Russian relations"]
        assert self.author.affiliation_url == "https://ips.example/"

    def test_an_editor_changes_and_deletes_entries(self):
        masters = EducationFactory(author=self.author, degree="MA")
        bachelors = EducationFactory(author=self.author, degree="BA")

        self.client.post(
            author_change_url(self.author),
            credentials_data(
                self.author, existing=[(masters, {"year": "2021"}), (bachelors, {"DELETE": "on"})]
            ),
        )

        assert list(self.author.education.values_list("degree", "year")) == [("MA", 2021)]

    def test_too_many_areas_of_expertise_are_refused_with_a_message(self):
        response = self.client.post(
            author_change_url(self.author),
            credentials_data(self.author, expertise="\n".join(f"Area {n}" for n in range(9))),
        )

        assert response.status_code == 200
        assert "List at most 8 areas of expertise" in response.content.decode()


class AuthorEditsOwnCredentialsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.contributor = StaffFactory(role="Contributor")
        cls.own = AuthorFactory(user=cls.contributor)
        cls.other = AuthorFactory()
        cls.others_degree = EducationFactory(author=cls.other, degree="PhD")

    def setUp(self):
        self.client.force_login(self.contributor)

    def test_they_add_degrees_and_expertise_to_their_own_profile(self):
        response = self.client.post(
            author_change_url(self.own),
            credentials_data(self.own, [MASTERS, BACHELORS], expertise="Security studies"),
        )

        assert response.status_code == 302
        assert self.own.education_lines == [
            "MA and BA in International Relations, University of Dhaka"
        ]
        self.own.refresh_from_db()
        assert self.own.expertise_areas == ["Security studies"]

    def test_they_see_someone_elses_degrees_read_only(self):
        content = self.client.get(author_change_url(self.other)).content.decode()

        assert "PhD" in content
        assert 'name="education-0-degree"' not in content
        assert 'name="expertise"' not in content

    def test_a_forged_post_to_someone_elses_credentials_changes_nothing(self):
        response = self.client.post(
            author_change_url(self.other),
            credentials_data(
                self.other,
                [MASTERS],
                existing=[(self.others_degree, {"DELETE": "on"})],
                expertise="Defaced",
            ),
        )

        assert response.status_code == 403
        assert list(self.other.education.all()) == [self.others_degree]
        self.other.refresh_from_db()
        assert self.other.expertise == ""
        assert Education.objects.count() == 1
