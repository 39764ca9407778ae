import datetime

from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.admin import ArticleAdmin
from articles.models import Article, Tag
from tests.admin_forms import (
    EditorAdminTestCase,
    SignedInEditorTestCase,
    SignedInModeratorTestCase,
    article_edit_data,
    article_form_data,
    featured_image_errors,
    response_errors,
)
from tests.articles.images import image_bytes, png_upload
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    DraftArticleFactory,
    HeldCommentFactory,
    KindFactory,
    StaffFactory,
)

# Pinned from observation: savepoint and release (ATOMIC_REQUESTS), session, user, the user's
# two-factor app (config/twofactor.py), the user's own and group permissions, the filters'
# choices (kinds, tags, authors), the filtered and total counts, the page of articles with their
# comment counts, the bylines with their authors, and two date-hierarchy queries made while the
# template renders.
ARTICLE_CHANGELIST_QUERIES = 16


def changelist_titles(response):
    return sorted(article.title for article in response.context["cl"].result_list)


class AdminSiteTests(TestCase):
    def test_admin_site_is_titled_byline_newsroom(self):
        assert admin.site.site_header == "Byline newsroom"
        assert admin.site.site_title == "Byline newsroom"

    def test_admin_login_page_shows_the_newsroom_title(self):
        response = self.client.get(reverse("admin:login"))

        assert "Byline newsroom" in response.content.decode()

    def test_no_page_has_the_navigation_sidebar(self):
        """It took a quarter of a laptop's screen; the dashboard and breadcrumbs lead instead."""
        self.client.force_login(StaffFactory(is_superuser=True))
        article = ArticleFactory()

        for name, args in [
            ("admin:index", []),
            ("admin:articles_article_changelist", []),
            ("admin:articles_article_add", []),
            ("admin:articles_article_change", [article.pk]),
            ("admin:comments_comment_changelist", []),
            ("admin:two_factor", []),
        ]:
            response = self.client.get(reverse(name, args=args))
            assert response.status_code == 200, name
            assert 'id="nav-sidebar"' not in response.content.decode(), name
            assert 'class="breadcrumbs"' in response.content.decode() or name == "admin:index"


class EditorAccessTests(SignedInEditorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = ArticleFactory(title="Editable piece")
        Tag.objects.create(name="Energy", slug="energy")

    def test_editor_can_open_the_admin_index(self):
        response = self.client.get(reverse("admin:index"))

        assert response.status_code == 200
        assert "Byline newsroom" in response.content.decode()

    def test_editor_can_open_the_article_list(self):
        response = self.client.get(reverse("admin:articles_article_changelist"))

        assert response.status_code == 200
        assert changelist_titles(response) == ["Editable piece"]

    def test_editor_can_open_the_article_add_page(self):
        response = self.client.get(reverse("admin:articles_article_add"))

        assert response.status_code == 200
        assert 'name="bylines-TOTAL_FORMS"' in response.content.decode()

    def test_editor_can_open_the_article_change_page(self):
        response = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))

        assert response.status_code == 200
        assert 'value="Editable piece"' in response.content.decode()

    def test_editor_can_open_the_author_list(self):
        response = self.client.get(reverse("admin:authors_author_changelist"))

        assert response.status_code == 200

    def test_editor_can_open_the_author_add_page(self):
        assert self.client.get(reverse("admin:authors_author_add")).status_code == 200

    def test_editor_can_open_the_tag_admin(self):
        response = self.client.get(reverse("admin:articles_tag_changelist"))

        assert response.status_code == 200
        assert "Energy" in response.content.decode()

    def test_editor_can_open_the_kind_admin(self):
        assert self.client.get(reverse("admin:articles_kind_changelist")).status_code == 200

    def test_editor_can_change_an_article(self):
        data = article_edit_data(
            self.article,
            title="Edited title",
        )

        response = self.client.post(
            reverse("admin:articles_article_change", args=[self.article.pk]), data
        )

        assert response.status_code == 302, response_errors(response)
        self.article.refresh_from_db()
        assert self.article.title == "Edited title"


class ModeratorAccessTests(SignedInModeratorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = ArticleFactory(title="Original title")
        cls.author = cls.article.ordered_authors[0]

    def test_moderator_can_open_the_comment_admin(self):
        # The control: the moderator is signed in and allowed somewhere.
        assert self.client.get(reverse("admin:comments_comment_changelist")).status_code == 200

    def test_moderator_is_refused_the_article_list(self):
        assert self.client.get(reverse("admin:articles_article_changelist")).status_code == 403

    def test_moderator_is_refused_the_article_add_page(self):
        assert self.client.get(reverse("admin:articles_article_add")).status_code == 403

    def test_moderator_is_refused_the_article_change_page(self):
        url = reverse("admin:articles_article_change", args=[self.article.pk])

        assert self.client.get(url).status_code == 403

    def test_moderator_is_refused_the_author_admin(self):
        assert self.client.get(reverse("admin:authors_author_changelist")).status_code == 403
        url = reverse("admin:authors_author_change", args=[self.author.pk])
        assert self.client.get(url).status_code == 403

    def test_moderator_is_refused_the_tag_admin(self):
        assert self.client.get(reverse("admin:articles_tag_changelist")).status_code == 403

    def test_moderator_cannot_change_an_article_by_posting(self):
        data = article_edit_data(
            self.article,
            author=self.author,
            title="Vandalised title",
        )

        response = self.client.post(
            reverse("admin:articles_article_change", args=[self.article.pk]), data
        )

        assert response.status_code == 403
        self.article.refresh_from_db()
        assert self.article.title == "Original title"

    def test_moderator_cannot_add_an_article_by_posting(self):
        data = article_form_data(title="Sneaked in", slug="sneaked-in", author=self.author)

        response = self.client.post(reverse("admin:articles_article_add"), data)

        assert response.status_code == 403
        assert not Article.objects.filter(slug="sneaked-in").exists()

    def test_moderator_cannot_delete_an_article(self):
        url = reverse("admin:articles_article_delete", args=[self.article.pk])

        response = self.client.post(url, {"post": "yes"})

        assert response.status_code == 403
        assert Article.objects.filter(pk=self.article.pk).exists()


class ArticleChangelistTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.analysis = KindFactory(name="Analysis")
        cls.oped = KindFactory(name="Op-Ed", slug="op-ed")
        cls.energy = Tag.objects.create(name="Energy", slug="energy")
        cls.water = Tag.objects.create(name="Water", slug="water")
        cls.ada = AuthorFactory(name="Ada Byron")
        cls.bo = AuthorFactory(name="Bo Chen")
        cls.busy = ArticleFactory(
            title="Busy thread", kind=cls.analysis, tags=[cls.energy], authors=[cls.ada, cls.bo]
        )
        cls.quiet = ArticleFactory(
            title="Quiet piece", kind=cls.oped, tags=[cls.water], authors=[cls.bo]
        )
        cls.draft = DraftArticleFactory(
            title="Draft piece", kind=cls.analysis, tags=[cls.water], authors=[cls.ada]
        )
        for _ in range(3):
            CommentFactory(article=cls.busy)
        HeldCommentFactory(article=cls.busy)
        HeldCommentFactory(article=cls.quiet)

    def setUp(self):
        self.client.force_login(self.editor)
        self.url = reverse("admin:articles_article_changelist")

    def test_changelist_shows_the_comment_count_column(self):
        response = self.client.get(self.url)

        assert "column-comment_count" in response.content.decode()
        counts = {
            article.title: article.approved_comments
            for article in response.context["cl"].result_list
        }
        assert counts == {"Busy thread": 3, "Quiet piece": 0, "Draft piece": 0}
        assert '<td class="field-comment_count">3</td>' in response.content.decode()

    def test_changelist_shows_authors_in_byline_order(self):
        response = self.client.get(self.url)

        assert (
            '<td class="field-byline"><span class="clipped" title="Ada Byron, Bo Chen">'
            "Ada Byron, Bo Chen</span></td>"
        ) in response.content.decode()

    def test_titles_are_clipped_to_two_lines_with_the_whole_title_on_hover(self):
        content = self.client.get(self.url).content.decode()

        assert '<span class="clipped" title="Busy thread">Busy thread</span></a></th>' in content

    def test_date_column_shows_the_day_with_the_time_on_hover(self):
        published = timezone.localtime(self.busy.published_at)

        content = self.client.get(self.url).content.decode()

        assert (
            f'<td class="field-date"><time datetime="{published.isoformat()}" '
            f'title="{published:%-d %b %Y, %H:%M}">{published:%-d %b %Y}</time></td>'
        ) in content
        assert '<td class="field-date">-</td>' in content  # the draft

    def test_changelist_can_sort_by_date(self):
        Article.objects.filter(pk=self.quiet.pk).update(
            published_at=self.busy.published_at - datetime.timedelta(days=2)
        )
        index = ArticleAdmin.list_display.index("date") + 1

        oldest_first = self.client.get(self.url, {"o": f"{index}", "status__exact": "published"})
        newest_first = self.client.get(self.url, {"o": f"-{index}", "status__exact": "published"})

        assert [a.title for a in oldest_first.context["cl"].result_list] == [
            "Quiet piece",
            "Busy thread",
        ]
        assert [a.title for a in newest_first.context["cl"].result_list] == [
            "Busy thread",
            "Quiet piece",
        ]

    def test_changelist_can_sort_by_comment_count(self):
        index = ArticleAdmin.list_display.index("comment_count") + 1

        response = self.client.get(self.url, {"o": f"-{index}"})

        assert response.context["cl"].result_list[0].title == "Busy thread"

    def test_filter_by_status(self):
        response = self.client.get(self.url, {"status__exact": "draft"})

        assert changelist_titles(response) == ["Draft piece"]

    def test_filter_by_kind(self):
        response = self.client.get(self.url, {"kind__id__exact": self.oped.pk})

        assert changelist_titles(response) == ["Quiet piece"]

    def test_filter_by_tag(self):
        response = self.client.get(self.url, {"tags__id__exact": self.water.pk})

        assert changelist_titles(response) == ["Draft piece", "Quiet piece"]

    def test_filter_by_author(self):
        response = self.client.get(self.url, {"authors__id__exact": self.ada.pk})

        assert changelist_titles(response) == ["Busy thread", "Draft piece"]

    def test_filter_by_author_keeps_comment_counts_right(self):
        response = self.client.get(self.url, {"authors__id__exact": self.bo.pk})

        counts = {
            article.title: article.approved_comments
            for article in response.context["cl"].result_list
        }
        assert counts == {"Busy thread": 3, "Quiet piece": 0}

    def test_filters_are_offered_in_the_sidebar(self):
        content = self.client.get(self.url).content.decode()

        assert "?status__exact=draft" in content
        assert f"?kind__id__exact={self.oped.pk}" in content
        assert f"?tags__id__exact={self.water.pk}" in content
        assert f"?authors__id__exact={self.ada.pk}" in content


class ArticleChangelistQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.tags = [Tag.objects.create(name=f"Tag {n}", slug=f"tag-{n}") for n in range(3)]
        cls.kind = KindFactory(name="Analysis")

    def add_articles(self, count):
        for _ in range(count):
            article = ArticleFactory(
                kind=self.kind, tags=self.tags, authors=[AuthorFactory(), AuthorFactory()]
            )
            CommentFactory(article=article)

    def count_changelist_queries(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("admin:articles_article_changelist"))
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    def test_changelist_query_count_does_not_grow_with_articles(self):
        self.client.force_login(self.editor)
        self.add_articles(10)
        ten_queries, ten_shown = self.count_changelist_queries()
        self.add_articles(20)
        thirty_queries, thirty_shown = self.count_changelist_queries()

        assert (ten_shown, thirty_shown) == (10, 30)
        assert ten_queries == thirty_queries

    def test_changelist_runs_a_fixed_number_of_queries(self):
        self.client.force_login(self.editor)
        self.add_articles(30)

        with self.assertNumQueries(ARTICLE_CHANGELIST_QUERIES):
            self.client.get(reverse("admin:articles_article_changelist"))


class AuthorChangelistTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.prolific = AuthorFactory(name="Prolific Writer", photo=png_upload("p.png"))
        cls.newcomer = AuthorFactory(name="Newcomer")
        for _ in range(3):
            ArticleFactory(authors=[cls.prolific])
        DraftArticleFactory(authors=[cls.prolific])

    def test_author_changelist_shows_article_counts(self):
        self.client.force_login(self.editor)

        response = self.client.get(reverse("admin:authors_author_changelist"))

        counts = {
            author.name: author.article_total for author in response.context["cl"].result_list
        }
        assert counts == {"Prolific Writer": 4, "Newcomer": 0}
        content = response.content.decode()
        assert "column-article_count" in content
        assert '<td class="field-article_count">4</td>' in content

    def test_author_changelist_shows_a_photo_thumbnail(self):
        self.client.force_login(self.editor)

        content = self.client.get(reverse("admin:authors_author_changelist")).content.decode()

        assert f'<img src="{self.prolific.photo.url}"' in content


class FeaturedImageUploadTests(EditorAdminTestCase):
    def post_with_image(self, upload, slug="with-image"):
        return self.add_article(
            title="With image", slug=slug, featured_image=upload, featured_image_alt="A description"
        )

    def assert_refused(self, response):
        """The form came back with no article stored; the featured image's errors."""
        assert response.status_code == 200
        assert Article.objects.count() == 0
        return featured_image_errors(response)

    def test_a_valid_png_is_accepted_and_the_article_is_stored(self):
        # The control for the refusals below: the same form with a good image succeeds.
        response = self.post_with_image(png_upload("good.png"))

        assert response.status_code == 302, response_errors(response)
        article = Article.objects.get(slug="with-image")
        assert article.featured_image.name.startswith("articles/")
        assert article.featured_image.width == 8
        assert article.ordered_authors == [self.author]

    def test_text_file_posing_as_image_is_refused_with_a_clear_error(self):
        upload = SimpleUploadedFile("notes.png", b"just some text", content_type="image/png")

        response = self.post_with_image(upload)

        assert self.assert_refused(response)
        assert "Upload a valid image" in response.content.decode()

    def test_truncated_png_is_refused_with_a_clear_error(self):
        data = image_bytes(64, 64, noisy=True)
        upload = SimpleUploadedFile("cut.png", data[: len(data) // 2], content_type="image/png")

        response = self.post_with_image(upload)

        assert self.assert_refused(response)
        assert "corrupted image" in response.content.decode()

    def test_image_in_a_format_outside_the_allow_list_is_refused(self):
        upload = SimpleUploadedFile(
            "chart.bmp", image_bytes(8, 8, image_format="BMP"), content_type="image/bmp"
        )

        response = self.post_with_image(upload)

        assert self.assert_refused(response) == [
            "BMP images are not accepted. Upload a JPEG, PNG, WebP or GIF."
        ]

    @override_settings(MAX_IMAGE_UPLOAD_BYTES=1024)
    def test_image_over_the_size_limit_is_refused_with_a_clear_message(self):
        data = image_bytes(64, 64, noisy=True)
        assert len(data) > 1024

        response = self.post_with_image(SimpleUploadedFile("big.png", data, "image/png"))

        [message] = self.assert_refused(response)
        assert "the limit is 1.0\xa0KB" in message
        assert "Please upload a smaller file." in message

    @override_settings(MAX_IMAGE_UPLOAD_BYTES=1024)
    def test_image_under_the_size_limit_is_accepted(self):
        response = self.post_with_image(png_upload("small.png"))

        assert response.status_code == 302, response_errors(response)

    @override_settings(MAX_IMAGE_PIXELS=1_000_000)
    def test_image_over_the_pixel_limit_is_refused_with_a_clear_message(self):
        response = self.post_with_image(png_upload("huge.png", width=1001, height=1000))

        assert self.assert_refused(response) == [
            "This image is 1001×1000 pixels, more than the 1 megapixels allowed. "
            "Please resize it before uploading."
        ]

    @override_settings(MAX_IMAGE_PIXELS=1_000_000)
    def test_image_at_the_pixel_limit_is_accepted(self):
        response = self.post_with_image(png_upload("edge.png", width=1000, height=1000))

        assert response.status_code == 302, response_errors(response)

    def test_image_without_alt_text_is_refused(self):
        response = self.add_article(title="No alt", slug="no-alt", featured_image=png_upload())

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["featured_image_alt"] == [
            "Describe the featured image for readers who cannot see it."
        ]
        assert Article.objects.count() == 0
