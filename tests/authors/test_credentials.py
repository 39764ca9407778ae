"""Authors' credentials as data: degrees grouped into lines, expertise as a list, shown in the
author box and on the author page, and read by search engines from the JSON-LD `Person`."""

from types import SimpleNamespace

import extruct
import pytest
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from authors.credentials import education_lines, expertise_areas
from authors.models import MAX_EXPERTISE_AREAS, validate_expertise
from tests.factories import ArticleFactory, AuthorFactory, EducationFactory


def degree(degree, field="International Relations", institution="University of Dhaka", year=None):
    return SimpleNamespace(degree=degree, field=field, institution=institution, year=year)


class EducationLinesTests(SimpleTestCase):
    def test_degrees_in_the_same_field_and_institution_share_a_line(self):
        assert education_lines([degree("MA"), degree("BA")]) == [
            "MA and BA in International Relations, University of Dhaka"
        ]

    def test_three_degrees_are_listed_with_commas_then_and(self):
        lines = education_lines([degree("PhD"), degree("MPhil"), degree("MA")])

        assert lines == ["PhD, MPhil and MA in International Relations, University of Dhaka"]

    def test_other_fields_or_institutions_get_lines_of_their_own_in_entry_order(self):
        lines = education_lines(
            [
                degree("PhD", "Economics", "Kingsbridge University"),
                degree("MA"),
                degree("MSc", "Economics", "Kingsbridge University"),
                degree("BA"),
                degree("BA", "Economics"),
            ]
        )

        assert lines == [
            "PhD and MSc in Economics, Kingsbridge University",
            "MA and BA in International Relations, University of Dhaka",
            "BA in Economics, University of Dhaka",
        ]

    def test_a_year_follows_its_degree(self):
        lines = education_lines([degree("MA", year=2021), degree("BA")])

        assert lines == ["MA (2021) and BA in International Relations, University of Dhaka"]

    def test_a_degree_without_a_field(self):
        assert education_lines([degree("LLB", field="")]) == ["LLB, University of Dhaka"]

    def test_no_entries_no_lines(self):
        assert education_lines([]) == []


class ExpertiseTests(SimpleTestCase):
    def test_one_area_a_line_trimmed_without_blanks_or_repeats(self):
        text = "  security studies \n\nSino-Russian relations\r\nsecurity studies\n"

        assert expertise_areas(text) == ["security studies", "Sino-Russian relations"]

    def test_a_short_list_is_valid(self):
        validate_expertise("\n".join(f"Area {n}" for n in range(MAX_EXPERTISE_AREAS)))

    def test_too_many_areas_are_refused(self):
        with pytest.raises(ValidationError, match="at most 8"):
            validate_expertise("\n".join(f"Area {n}" for n in range(MAX_EXPERTISE_AREAS + 1)))

    def test_an_area_too_long_for_a_list_item_is_refused(self):
        with pytest.raises(ValidationError, match="under 80 characters"):
            validate_expertise("security studies\n" + "x" * 81)


def json_ld(response):
    data = extruct.extract(
        response.content.decode(), base_url="http://testserver/", syntaxes=["json-ld"]
    )
    (item,) = data["json-ld"]
    assert item["@context"] == "https://schema.org"
    return item


class CredentialsOnPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = AuthorFactory(
            name="Nadia Rahman",
            slug="nadia-rahman",
            role="Research Associate",
            affiliation="Institute for Policy Studies",
            affiliation_url="https://ips.example/",
            bio="Writes on alliances in Asia.",
            expertise="Security studies\nSino-Russian relations",
        )
        EducationFactory(author=cls.author, degree="BA", order=2)
        EducationFactory(author=cls.author, degree="MA", order=1, year=2021)
        cls.plain = AuthorFactory(name="Ben Lee", slug="ben-lee", affiliation="")
        cls.article = ArticleFactory(slug="alliances", authors=[cls.author, cls.plain])

    def author_page(self):
        return self.client.get(reverse("authors:detail", args=[self.author.slug]))

    def assert_shows_credentials(self, content):
        assert "MA (2021) and BA in International Relations, University of Dhaka" in content
        assert "<li>Security studies</li><li>Sino-Russian relations</li>" in content
        assert content.count("Writes on alliances in Asia.") == 1

    def test_the_author_box_under_the_article_shows_degrees_and_expertise(self):
        response = self.client.get(self.article.get_absolute_url())

        content = response.content.decode()
        self.assert_shows_credentials(content)
        # An author without any shows no empty headings.
        assert content.count("<dt>Education</dt>") == content.count("<dt>Expertise</dt>") == 1

    def test_the_author_page_shows_degrees_and_expertise(self):
        self.assert_shows_credentials(self.author_page().content.decode())

    def test_the_articles_person_carries_education_expertise_and_affiliation_address(self):
        data = json_ld(self.client.get(self.article.get_absolute_url()))
        nadia, ben = data["author"]

        assert nadia["affiliation"] == {
            "@type": "Organization",
            "name": "Institute for Policy Studies",
            "url": "https://ips.example/",
        }
        assert nadia["alumniOf"] == [
            {"@type": "EducationalOrganization", "name": "University of Dhaka"}
        ]
        master, bachelor = nadia["hasCredential"]
        assert master == {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "degree",
            "name": "MA in International Relations",
            "about": {"@type": "Thing", "name": "International Relations"},
            "recognizedBy": {"@type": "EducationalOrganization", "name": "University of Dhaka"},
            "dateCreated": "2021",
        }
        assert bachelor["name"] == "BA in International Relations"
        assert "dateCreated" not in bachelor
        assert nadia["knowsAbout"] == ["Security studies", "Sino-Russian relations"]
        assert not {"alumniOf", "hasCredential", "knowsAbout", "affiliation"} & set(ben)

    def test_the_author_page_is_a_profile_page_of_the_same_person(self):
        data = json_ld(self.author_page())
        in_article = json_ld(self.client.get(self.article.get_absolute_url()))["author"][0]

        assert data["@type"] == "ProfilePage"
        assert data["url"] == "http://testserver/authors/nadia-rahman/"
        assert data["mainEntity"] == in_article
