"""What a tag's and a kind's page and feeds say they are about (one description each)."""

from django.test import SimpleTestCase, override_settings

from articles.models import Kind, Tag


@override_settings(SITE_NAME="The Ledger")
class PageDescriptionTests(SimpleTestCase):
    def test_a_tag_without_a_description_is_described_by_its_name_and_the_site(self):
        assert Tag(name="Trade").page_description == "Articles tagged Trade on The Ledger."

    def test_a_tags_description_is_its_own_when_given(self):
        assert Tag(name="Trade", description="Ports.").page_description == "Ports."

    def test_a_kind_without_a_description_is_described_by_its_name_and_the_site(self):
        assert Kind(name="Analysis").page_description == "Analysis from The Ledger."
        assert Kind(name="Analysis", description="Deep dives.").page_description == "Deep dives."
