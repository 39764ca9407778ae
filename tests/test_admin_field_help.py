"""Screen readers reach a field's help text: every `aria-describedby` on the admin's own form
pages (inline image upload, merge tags, two-factor set-up) names an element on the page."""

import re

from django.urls import reverse

from articles.models import Tag
from tests.admin_forms import SignedInEditorTestCase, merge_tags_data


def described_by_without_target(html):
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    named = {
        name for value in re.findall(r'aria-describedby="([^"]+)"', html) for name in value.split()
    }
    return sorted(named - ids)


class FieldHelpTests(SignedInEditorTestCase):
    def assert_help_reachable(self, response):
        assert response.status_code == 200
        html = response.content.decode()
        assert "aria-describedby" in html
        assert described_by_without_target(html) == []

    def test_inline_image_upload(self):
        self.assert_help_reachable(self.client.get(reverse("admin:articles_article_inline_image")))

    def test_merge_tags(self):
        tags = [Tag.objects.create(name="China"), Tag.objects.create(name="PRC")]
        merge_asked = self.client.post(
            reverse("admin:articles_tag_changelist"), merge_tags_data(tags)
        )
        self.assert_help_reachable(merge_asked)

    def test_two_factor_set_up(self):
        self.assert_help_reachable(self.client.get(reverse("admin:two_factor")))
