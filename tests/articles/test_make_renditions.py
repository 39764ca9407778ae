"""`manage.py make_renditions` gives images stored before renditions existed their copies."""

import io

from django.core.management import call_command
from django.test import TestCase, override_settings

from articles.models import Article
from authors.models import Author
from tests.articles.images import png_upload
from tests.factories import ArticleFactory, AuthorFactory

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def has_renditions(record, image):
    formats = {file["format"] for file in record.get("files", [])}
    return record.get("source") == image.name and formats == {"webp", "jpeg"}


def run(*args):
    out = io.StringIO()
    call_command("make_renditions", *args, stdout=out)
    return out.getvalue()


class MakeRenditionsTests(TestCase):
    def setUp(self):
        self.article = ArticleFactory(
            featured_image=png_upload("old.png", width=1200, height=600), featured_image_alt="Old"
        )
        self.author = AuthorFactory(photo=png_upload("face.png", width=600, height=600))
        Article.objects.update(featured_image_renditions={})
        Author.objects.update(photo_renditions={})
        self.without_image = ArticleFactory()

    def test_images_without_renditions_get_them(self):
        output = run()

        self.article.refresh_from_db()
        self.author.refresh_from_db()
        assert has_renditions(self.article.featured_image_renditions, self.article.featured_image)
        assert has_renditions(self.author.photo_renditions, self.author.photo)
        assert "Queued renditions for 2 image(s)." in output

    def test_images_with_renditions_are_left_alone_unless_all_is_given(self):
        run()

        assert "for 0 image(s)" in run()
        assert "for 2 image(s)" in run("--all")

    @override_settings(TASKS=DUMMY_TASKS)
    def test_now_makes_them_in_the_process_without_the_worker(self):
        output = run("--now")

        self.article.refresh_from_db()
        assert has_renditions(self.article.featured_image_renditions, self.article.featured_image)
        assert "Made renditions for 2 image(s)." in output
