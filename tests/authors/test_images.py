"""Author photos get the same cleaning, refusals and renditions as featured images."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from authors.models import Author
from tests.admin_forms import SignedInEditorTestCase, author_form_data
from tests.articles.images import GPS_IFD, SVG, exif_image_bytes, media_files, png_upload
from tests.factories import AuthorFactory


class AuthorPhotoTests(SignedInEditorTestCase):
    def test_svg_photo_is_refused_and_nothing_is_stored(self):
        files_before = media_files()
        data = author_form_data(photo=SimpleUploadedFile("me.svg", SVG, "image/svg+xml"))

        response = self.client.post(reverse("admin:authors_author_add"), data)

        assert response.status_code == 200
        assert (
            response.context["adminform"]
            .form.errors["photo"][0]
            .startswith("SVG images are not accepted")
        )
        assert not Author.objects.exists()
        assert media_files() == files_before

    def test_photo_loses_its_gps_position_and_is_turned_upright(self):
        upload = SimpleUploadedFile("me.jpg", exif_image_bytes(40, 20), "image/jpeg")

        response = self.client.post(
            reverse("admin:authors_author_add"), author_form_data(photo=upload)
        )

        assert response.status_code == 302
        with Author.objects.get().photo.open("rb") as stored:
            image = Image.open(io.BytesIO(stored.read()))
        assert image.size == (20, 40)
        assert GPS_IFD not in image.getexif()

    def test_author_page_shows_the_photo_renditions_once_made(self):
        author = AuthorFactory(slug="portrait", photo=png_upload("p.png", 300, 300))
        content = self.client.get(author.get_absolute_url()).content.decode()
        assert "<picture>" not in content
        assert f'<img class="profile__photo" src="{author.photo.url}"' in content

        with self.captureOnCommitCallbacks(execute=True):
            author.photo = png_upload("q.png", 300, 300)
            author.save()
        author.refresh_from_db()
        content = self.client.get(author.get_absolute_url()).content.decode()

        assert '<picture><source type="image/webp" srcset="' in content
        assert " 300w" in content
        assert 'alt="Portrait of Author Number' in content
