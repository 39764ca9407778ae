"""The `load_demo_content` command: what it creates, that it is idempotent, and its guard.

Images go to a throwaway MEDIA_ROOT per test class, so the generated files are counted too.
"""

import datetime
import io
import shutil
import tempfile
from pathlib import Path

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Byline, Kind, Tag, TaggedArticle
from authors.models import Author, Education
from comments.models import Comment

LONG_SLUG = "wang-yi-in-moscow-how-far-does-the-sino-russian-alignment-go"
HELD = "held: every comment is reviewed before it appears"
User = get_user_model()


def load_demo_content(*args):
    out = io.StringIO()
    call_command("load_demo_content", *args, stdout=out)
    return out.getvalue()


def sign_in(client, username, password):
    """Sign in through the admin's form, as a person does (django-axes watches it)."""
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
    )
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def model_counts():
    models = [Kind, Author, Education, Article, Byline, Comment, Tag, TaggedArticle, User, Group]
    return {model.__name__: model.objects.count() for model in models}


class DemoContentTestCase(TestCase):
    """Runs each class with DEBUG on and its own empty MEDIA_ROOT."""

    debug = True

    @classmethod
    def setUpClass(cls):
        cls.media_root = Path(tempfile.mkdtemp(prefix="byline-demo-media-"))
        cls.addClassCleanup(shutil.rmtree, cls.media_root, ignore_errors=True)
        cls.enterClassContext(override_settings(DEBUG=cls.debug, MEDIA_ROOT=cls.media_root))
        super().setUpClass()

    @classmethod
    def media_files(cls):
        return sorted(path for path in cls.media_root.rglob("*") if path.is_file())


class FirstRunTests(DemoContentTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = load_demo_content()
        cls.long_read = Article.objects.get(slug=LONG_SLUG)

    def test_proma_has_her_role_affiliation_bio_and_a_portrait(self):
        proma = Author.objects.get(slug="aishwarya-sanjukta-roy-proma")
        assert proma.name == "Aishwarya Sanjukta Roy Proma"
        assert proma.role == "Research Associate"
        assert proma.affiliation == "BRAC Institute of Governance and Development (BIGD)"
        assert "security studies" in proma.bio
        assert proma.photo.width == proma.photo.height == 400
        assert proma.user is None

    def test_proma_has_her_degrees_expertise_and_institute_as_data_not_in_her_bio(self):
        proma = Author.objects.get(slug="aishwarya-sanjukta-roy-proma")
        assert proma.education_lines == [
            "MA and BA in International Relations, University of Dhaka"
        ]
        assert "Sino-Russian relations" in proma.expertise_areas
        assert proma.affiliation_url.startswith("https://")
        assert "University of Dhaka" not in proma.bio
        page = self.client.get(proma.get_absolute_url()).content.decode()
        assert "MA and BA in International Relations, University of Dhaka" in page

    def test_at_least_three_more_authors_each_with_credentials_bio_and_portrait(self):
        others = Author.objects.exclude(slug="aishwarya-sanjukta-roy-proma")
        assert others.count() >= 3
        for author in others:
            assert author.role and author.affiliation and author.bio
            assert author.photo

    def test_long_analysis_is_published_by_proma_as_analysis_with_its_tags(self):
        article = self.long_read
        assert article in Article.objects.published()
        assert article.kind.name == "Analysis"
        assert [author.slug for author in article.ordered_authors] == [
            "aishwarya-sanjukta-roy-proma"
        ]
        assert {"China", "Russia", "Ukraine", "BRICS", "North Korea"} <= set(article.tags.names())
        assert article.published_at < timezone.now() - datetime.timedelta(days=1)

    def test_long_analysis_has_at_least_18_paragraphs_a_heading_and_a_quote(self):
        body = self.long_read.body
        assert body.count("<p>") >= 18
        assert "<h2>" in body
        assert "<blockquote>" in body
        assert len(body) > 8000
        assert "’" in body and "“" in body and "–" in body

    def test_long_analysis_has_a_standfirst_and_a_described_featured_image(self):
        article = self.long_read
        assert article.standfirst
        assert (article.featured_image.width, article.featured_image.height) == (1600, 900)
        assert article.featured_image_alt
        assert article.featured_image_caption

    def test_at_least_five_other_articles_are_published(self):
        others = Article.objects.published().exclude(slug=LONG_SLUG)
        assert others.count() >= 5
        assert {"Op-Ed", "News", "Commentary", "Analysis"} <= set(
            others.values_list("kind__name", flat=True)
        )

    def test_one_article_credits_two_authors_in_byline_order(self):
        article = Article.objects.get(slug="sanctions-payments-and-the-yuan")
        assert [author.slug for author in article.ordered_authors] == [
            "farhana-quayum",
            "tomas-lindqvist",
        ]

    def test_draft_and_scheduled_articles_are_not_published(self):
        draft = Article.objects.get(status=Article.Status.DRAFT)
        scheduled = Article.objects.get(slug="the-week-ahead-in-eurasian-diplomacy")
        assert scheduled.is_scheduled()
        published = Article.objects.published()
        assert draft not in published
        assert scheduled not in published

    def test_long_analysis_has_approved_reader_comments_and_pending_ones(self):
        comments = Comment.objects.filter(article=self.long_read)
        assert comments.approved().filter(staff_user=None).count() >= 3
        pending = comments.pending()
        assert pending.count() >= 2
        assert {comment.held_reason for comment in pending} == {HELD}

    def test_staff_reply_to_a_reader_is_approved_and_written_by_the_editor(self):
        reply = Comment.objects.get(article=self.long_read, staff_user__username="editor")
        assert reply.status == Comment.Status.APPROVED
        assert reply.parent is not None
        assert reply.parent.staff_user is None
        assert reply.name == "Byline editors"

    def test_another_article_has_approved_comments(self):
        others = Comment.objects.approved().exclude(article=self.long_read)
        assert others.values("article").distinct().count() >= 1
        assert others.count() >= 2

    def test_demo_staff_are_staff_in_their_groups_only(self):
        for username, group in [
            ("editor", "Editor"),
            ("contributor", "Contributor"),
            ("moderator", "Moderator"),
        ]:
            user = User.objects.get(username=username)
            assert user.is_staff
            assert not user.is_superuser
            assert list(user.groups.values_list("name", flat=True)) == [group]

    def test_contributor_signs_in_as_an_author_and_owns_their_draft(self):
        contributor = User.objects.get(username="contributor")
        assert contributor.author_profile.slug == "kenji-arakawa-moss"
        draft = Article.objects.get(status=Article.Status.DRAFT)
        assert draft.created_by == contributor

    def test_staff_can_log_in_with_the_printed_passwords(self):
        for username, password in [
            ("editor", "editor-demo-2026"),
            ("contributor", "contributor-demo-2026"),
            ("moderator", "moderator-demo-2026"),
        ]:
            assert password in self.output
            assert sign_in(self.client, username, password)
            assert self.client.get("/admin/").status_code == 200
            self.client.logout()

    def test_summary_prints_the_site_and_admin_addresses(self):
        assert "http://127.0.0.1:8000/" in self.output
        assert "http://127.0.0.1:8000/admin/" in self.output

    def test_demo_pages_render(self):
        assert self.client.get("/").status_code == 200
        response = self.client.get(self.long_read.get_absolute_url())
        assert response.status_code == 200
        assert "Byline editors" in response.text
        assert "Daniel Acheampong" not in response.text  # still pending
        assert "@example.org" not in response.text  # addresses stay private


class RunningAgainTests(DemoContentTestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo_content()

    def test_second_run_changes_no_counts_and_draws_no_new_images(self):
        counts, files = model_counts(), self.media_files()

        output = load_demo_content()

        assert model_counts() == counts
        assert self.media_files() == files
        assert "(0 new)" in output

    def test_second_run_keeps_the_degrees_as_they_are(self):
        before = list(Education.objects.values_list("pk", "author__slug", "degree", "order"))

        load_demo_content()

        assert list(Education.objects.values_list("pk", "author__slug", "degree", "order")) == (
            before
        )

    def test_second_run_puts_back_a_changed_or_deleted_degree(self):
        proma = Author.objects.get(slug="aishwarya-sanjukta-roy-proma")
        proma.education.filter(degree="BA").delete()
        proma.education.update(degree="PhD")

        load_demo_content()

        assert proma.education_lines == [
            "MA and BA in International Relations, University of Dhaka"
        ]

    def test_second_run_resets_a_changed_demo_password(self):
        editor = User.objects.get(username="editor")
        editor.set_password("something-else-entirely")
        editor.save()

        load_demo_content()

        assert sign_in(self.client, "editor", "editor-demo-2026")

    def test_missing_image_file_is_drawn_again(self):
        proma = Author.objects.get(slug="aishwarya-sanjukta-roy-proma")
        proma.photo.storage.delete(proma.photo.name)

        load_demo_content()

        proma.refresh_from_db()
        assert proma.photo.storage.exists(proma.photo.name)

    def test_scheduled_article_is_pushed_forward_once_its_time_has_passed(self):
        with time_machine.travel(timezone.now() + datetime.timedelta(days=5)):
            load_demo_content()
            scheduled = Article.objects.get(slug="the-week-ahead-in-eurasian-diplomacy")
            assert scheduled.is_scheduled()


class WithoutDebugTests(DemoContentTestCase):
    debug = False

    def test_refuses_to_create_staff_accounts_and_creates_nothing(self):
        with self.assertRaisesMessage(CommandError, "development"):
            load_demo_content()
        assert not User.objects.exists()
        assert not Article.objects.exists()

    def test_flag_allows_staff_accounts_without_debug(self):
        load_demo_content("--allow-staff-accounts-without-debug")
        assert set(User.objects.values_list("username", flat=True)) == {
            "editor",
            "contributor",
            "moderator",
        }

    def test_no_staff_loads_the_content_without_accounts_or_staff_reply(self):
        output = load_demo_content("--no-staff")
        assert not User.objects.exists()
        assert Article.objects.published().count() >= 6
        assert not Comment.objects.filter(name="Byline editors").exists()
        assert "editor-demo-2026" not in output
