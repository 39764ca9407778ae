"""Every image upload field (featured image, author photo, inline image) states the formats
and the size limit the validators apply, from `MAX_IMAGE_UPLOAD_BYTES`
(images.validators.upload_help_text)."""

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.admin_forms import SignedInEditorTestCase


class UploadHelpTextTests(SignedInEditorTestCase):
    def help_text(self, url, field):
        response = self.client.get(url)
        assert response.status_code == 200
        form = response.context["adminform"].form if "adminform" in response.context else None
        text = str((form or response.context["form"]).fields[field].help_text)
        assert text in response.content.decode()
        return text

    @override_settings(MAX_IMAGE_UPLOAD_BYTES=2 * 1024 * 1024)
    def test_the_admin_forms_show_the_configured_limit(self):
        rules = (
            "JPEG, PNG, WebP or GIF, at most 2.0\xa0MB. "
            "Location and camera data are removed when it is saved."
        )

        assert self.help_text(reverse("admin:articles_article_add"), "featured_image") == (
            f"Shown above the article and in lists. {rules}"
        )
        assert self.help_text(reverse("admin:authors_author_add"), "photo") == (
            f"A square portrait works best. {rules}"
        )
        assert self.help_text(reverse("admin:articles_article_inline_image"), "image") == rules

    @override_settings(MAX_IMAGE_UPLOAD_BYTES=512 * 1024)
    def test_the_limit_follows_the_setting(self):
        text = self.help_text(reverse("admin:articles_article_add"), "featured_image")

        assert "at most 512.0\xa0KB." in text

    @override_settings(MAX_IMAGE_UPLOAD_BYTES=7 * 1024 * 1024)
    def test_the_limit_is_not_part_of_the_models_so_no_migration_follows_it(self):
        # `--check` exits with an error when the models differ from their migrations.
        call_command("makemigrations", "articles", "authors", check=True, dry_run=True, verbosity=0)
