"""Revisions: every admin save is kept, two can be compared, one can be restored, and a save
made from a form older than the stored article is refused instead of overwriting it."""

import threading
import time
from unittest import skipUnless

import reversion
from django.db import connection, connections, transaction
from django.db.models import F
from django.test import Client, TestCase, TransactionTestCase
from django.urls import reverse
from reversion.models import Version

from articles import revisions
from articles.models import Article, StaleArticleError
from tests.admin_forms import (
    SignedInEditorTestCase,
    article_change_url,
    article_edit_data,
    response_errors,
)
from tests.factories import ArticleFactory, AuthorFactory, DraftArticleFactory, StaffFactory


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def compare_url(article, older, newer):
    url = reverse("admin:articles_article_compare", args=[article.pk])
    return f"{url}?from={older.pk}&to={newer.pk}"


def revision_url(article, version):
    return reverse("admin:articles_article_revision", args=[article.pk, version.pk])


def versions_of(article):
    """The article's kept versions, oldest first."""
    return list(Version.objects.get_for_object(article).order_by("pk"))


def loaded_version(response):
    return response.context["adminform"].form["loaded_version"].value()


def keep_revision(article, user=None, **changes):
    """Save `article` with `changes` inside a revision, as the admin does."""
    for name, value in changes.items():
        setattr(article, name, value)
    with reversion.create_revision():
        reversion.set_user(user)
        article.save()
    return versions_of(article)[-1]


class AdminSaveKeepsRevisionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor", first_name="Ada", last_name="Lovelace")
        cls.author = AuthorFactory()
        cls.article = DraftArticleFactory(title="Talks stall in Geneva", authors=[cls.author])

    def setUp(self):
        self.client.force_login(self.editor)

    def post_change(self, **overrides):
        data = article_edit_data(
            self.article,
            author=self.author,
            **overrides,
        )
        response = self.client.post(article_change_url(self.article), data)
        assert response.status_code == 302, response_errors(response)
        return response

    def test_admin_save_keeps_a_revision_with_the_editor_and_time(self):
        self.post_change(title="Talks resume in Geneva", body="<p>New body.</p>")

        [version] = versions_of(self.article)
        assert version.revision.user == self.editor
        assert version.revision.date_created is not None
        assert version.field_dict["title"] == "Talks resume in Geneva"
        assert version.field_dict["body"] == "<p>New body.</p>"

    def test_revision_includes_the_bylines(self):
        self.post_change(title="Talks resume in Geneva")

        [version] = versions_of(self.article)
        byline_versions = version.revision.version_set.exclude(pk=version.pk)
        assert [v.field_dict["author_id"] for v in byline_versions] == [self.author.pk]

    def test_every_admin_save_raises_the_version(self):
        self.post_change(title="First change")
        self.post_change(title="Second change")

        self.article.refresh_from_db()
        assert self.article.version == 3

    def test_history_page_lists_revisions_with_their_editor(self):
        self.post_change(title="First change")
        self.post_change(title="Second change")

        response = self.client.get(history_url(self.article))

        assert response.status_code == 200
        content = response.content.decode()
        assert content.count("Ada Lovelace") == 2
        assert 'value="Compare the chosen revisions"' in content
        older = versions_of(self.article)[0]
        assert revision_url(self.article, older) in content

    def test_publish_action_keeps_a_revision_with_the_editor(self):
        response = self.client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish_now", "_selected_action": [self.article.pk]},
        )

        assert response.status_code == 302
        [version] = versions_of(self.article)
        assert version.revision.user == self.editor
        assert version.field_dict["status"] == Article.Status.PUBLISHED


class CompareRevisionsTests(SignedInEditorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = DraftArticleFactory(
            title="Talks stall in Geneva",
            body="<p>First paragraph.</p><p>Second paragraph.</p>",
        )
        cls.older = keep_revision(cls.article, cls.editor)
        cls.newer = keep_revision(
            cls.article,
            cls.editor,
            title="Talks resume in Geneva",
            body="<p>First paragraph.</p><p>Use &lt;script&gt;alert(1)&lt;/script&gt; here.</p>",
            status=Article.Status.IN_REVIEW,
        )

    def test_compare_shows_the_changed_words_of_the_title(self):
        response = self.client.get(compare_url(self.article, self.older, self.newer))

        assert response.status_code == 200
        content = response.content.decode()
        assert "<del>stall</del><ins>resume</ins>" in content

    def test_compare_escapes_markup_in_the_body_diff(self):
        response = self.client.get(compare_url(self.article, self.older, self.newer))

        content = response.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert "<script>alert(1)" not in content

    def test_compare_names_other_changed_fields(self):
        response = self.client.get(compare_url(self.article, self.older, self.newer))

        assert "Also changed: status." in response.content.decode()

    def test_compare_puts_the_older_revision_first_whichever_way_it_is_asked(self):
        response = self.client.get(compare_url(self.article, self.newer, self.older))

        assert "<del>stall</del><ins>resume</ins>" in response.content.decode()

    def test_compare_refuses_a_revision_of_another_article(self):
        other = DraftArticleFactory()
        foreign = keep_revision(other, self.editor)

        response = self.client.get(compare_url(self.article, self.older, foreign))

        assert response.status_code == 404

    def test_contributor_cannot_compare_an_article_they_cannot_see(self):
        self.client.force_login(StaffFactory(role="Contributor"))

        response = self.client.get(compare_url(self.article, self.older, self.newer))

        assert response.status_code == 403


class DiffTests(TestCase):
    def test_body_is_compared_as_paragraphs_of_plain_text(self):
        html = "<h2>Heading</h2><p>One &amp; <em>two</em>.</p><ul><li>Item</li></ul>"

        assert revisions.body_paragraphs(html) == ["Heading", "One & two.", "Item"]

    def test_rewritten_paragraph_is_diffed_word_by_word(self):
        rows = revisions.diff_paragraphs(
            ["Same.", "The talks stalled."], ["Same.", "The talks resumed.", "New one."]
        )

        assert rows == [
            [revisions.Segment("equal", "Same.")],
            [
                revisions.Segment("equal", "The talks "),
                revisions.Segment("delete", "stalled."),
                revisions.Segment("insert", "resumed."),
            ],
            [revisions.Segment("insert", "New one.")],
        ]


class RestoreRevisionTests(SignedInEditorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author = AuthorFactory()
        cls.article = DraftArticleFactory(
            title="Original title", body="<p>Original body.</p>", authors=[cls.author]
        )
        cls.original = keep_revision(cls.article, cls.editor)
        keep_revision(cls.article, cls.editor, title="Rewritten title", body="<p>Rewritten.</p>")

    def test_opening_an_old_revision_shows_it_without_changing_the_article(self):
        response = self.client.get(revision_url(self.article, self.original))

        assert response.status_code == 200
        assert 'value="Original title"' in response.content.decode()
        self.article.refresh_from_db()
        assert self.article.title == "Rewritten title"

    def test_restoring_an_old_revision_brings_back_its_title_and_body(self):
        shown = self.client.get(revision_url(self.article, self.original))
        data = article_edit_data(
            self.article,
            author=self.author,
            title="Original title",
            body="<p>Original body.</p>",
            loaded_version=loaded_version(shown),
        )

        response = self.client.post(revision_url(self.article, self.original), data)

        assert response.status_code == 302, response_errors(response)
        self.article.refresh_from_db()
        assert self.article.title == "Original title"
        assert self.article.body == "<p>Original body.</p>"
        assert versions_of(self.article)[-1].revision.comment.startswith("Restored the version")

    def test_restoring_keeps_the_version_counting_up(self):
        before = Article.objects.get(pk=self.article.pk).version
        shown = self.client.get(revision_url(self.article, self.original))
        assert loaded_version(shown) == before
        data = article_edit_data(
            self.article,
            author=self.author,
            title="Original title",
            loaded_version=loaded_version(shown),
        )

        self.client.post(revision_url(self.article, self.original), data)

        assert Article.objects.get(pk=self.article.pk).version == before + 1


class ContributorRestoreTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.contributor = StaffFactory(role="Contributor")
        cls.editor = StaffFactory(role="Editor")
        cls.author = AuthorFactory()
        cls.article = DraftArticleFactory(
            title="Contributor's draft", created_by=cls.contributor, authors=[cls.author]
        )
        cls.draft_revision = keep_revision(cls.article, cls.contributor)
        keep_revision(
            cls.article, cls.editor, title="Edited and published", status=Article.Status.PUBLISHED
        )

    def setUp(self):
        self.client.force_login(self.contributor)

    def restore_data(self):
        return article_edit_data(
            self.article,
            author=self.author,
            title="Contributor's draft",
            loaded_version=self.article.version,
        )

    def test_contributor_cannot_open_an_old_revision_of_a_published_article(self):
        response = self.client.get(revision_url(self.article, self.draft_revision))

        assert response.status_code == 403

    def test_contributor_cannot_restore_their_old_draft_over_a_published_article(self):
        response = self.client.post(
            revision_url(self.article, self.draft_revision), self.restore_data()
        )

        assert response.status_code == 403
        self.article.refresh_from_db()
        assert self.article.title == "Edited and published"
        assert self.article.status == Article.Status.PUBLISHED

    def test_contributor_cannot_change_an_article_in_review(self):
        in_review = DraftArticleFactory(
            created_by=self.contributor, status=Article.Status.IN_REVIEW, authors=[self.author]
        )
        data = article_edit_data(
            in_review,
            author=self.author,
            title="Sneaky edit",
            status="in_review",
        )

        response = self.client.post(article_change_url(in_review), data)

        assert response.status_code == 403
        in_review.refresh_from_db()
        assert in_review.title != "Sneaky edit"

    def test_contributor_can_restore_an_earlier_revision_of_their_own_draft(self):
        draft = DraftArticleFactory(
            title="First go", created_by=self.contributor, authors=[self.author]
        )
        first = keep_revision(draft, self.contributor)
        keep_revision(draft, self.contributor, title="Second go")
        data = article_edit_data(
            draft,
            author=self.author,
            title="First go",
            loaded_version=Article.objects.get(pk=draft.pk).version,
        )

        response = self.client.post(revision_url(draft, first), data)

        assert response.status_code == 302, response_errors(response)
        draft.refresh_from_db()
        assert draft.title == "First go"

    def test_contributor_cannot_recover_deleted_articles(self):
        response = self.client.get(reverse("admin:articles_article_recoverlist"))

        assert response.status_code == 403

    def test_contributor_is_not_offered_the_recover_link(self):
        response = self.client.get(reverse("admin:articles_article_changelist"))

        assert response.status_code == 200
        assert reverse("admin:articles_article_recoverlist") not in response.content.decode()

    def test_editor_is_offered_the_recover_link(self):
        self.client.force_login(StaffFactory(role="Editor"))

        response = self.client.get(reverse("admin:articles_article_changelist"))

        assert reverse("admin:articles_article_recoverlist") in response.content.decode()


class StaleSaveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first_editor = StaffFactory(role="Editor", first_name="Ada", last_name="Lovelace")
        cls.second_editor = StaffFactory(role="Editor")
        cls.author = AuthorFactory()
        cls.article = DraftArticleFactory(title="Opening title", authors=[cls.author])

    def form_data(self, response, **overrides):
        return article_edit_data(
            self.article,
            author=self.author,
            loaded_version=loaded_version(response),
            kind=self.article.kind_id,
            standfirst=self.article.standfirst,
            **overrides,
        )

    def two_editors_open_the_form(self):
        first, second = Client(), Client()
        first.force_login(self.first_editor)
        second.force_login(self.second_editor)
        return (
            (first, first.get(article_change_url(self.article))),
            (second, second.get(article_change_url(self.article))),
        )

    def test_second_editors_stale_save_is_refused_and_the_first_save_kept(self):
        keep_revision(self.article, self.first_editor)
        (first, first_page), (second, second_page) = self.two_editors_open_the_form()

        saved = first.post(
            article_change_url(self.article),
            self.form_data(first_page, title="First editor's title", body="<p>First.</p>"),
        )
        refused = second.post(
            article_change_url(self.article),
            self.form_data(second_page, title="Second editor's title", body="<p>Second.</p>"),
        )

        assert saved.status_code == 302, response_errors(saved)
        assert refused.status_code == 200
        [error] = refused.context["adminform"].form.non_field_errors()
        assert error.startswith("Someone else saved this article at ")
        assert "since you opened it: Ada Lovelace changed title, body." in error
        assert "Your changes have not been saved; copy them, reload the page" in error
        assert "Someone else saved this article" in refused.content.decode()
        self.article.refresh_from_db()
        assert self.article.title == "First editor's title"
        assert self.article.body == "<p>First.</p>"

    def test_stale_message_names_the_editor_when_the_changes_were_not_recorded(self):
        (first, first_page), (second, second_page) = self.two_editors_open_the_form()

        first.post(article_change_url(self.article), self.form_data(first_page, title="First"))
        refused = second.post(
            article_change_url(self.article), self.form_data(second_page, title="Second")
        )

        [error] = refused.context["adminform"].form.non_field_errors()
        assert "since you opened it: last saved by Ada Lovelace." in error

    def test_stale_message_says_when_the_same_editor_saved_in_another_window(self):
        keep_revision(self.article, self.first_editor)
        first_window, second_window = Client(), Client()
        for window in (first_window, second_window):
            window.force_login(self.first_editor)
        first_page = first_window.get(article_change_url(self.article))
        second_page = second_window.get(article_change_url(self.article))

        first_window.post(
            article_change_url(self.article), self.form_data(first_page, title="Window 1")
        )
        refused = second_window.post(
            article_change_url(self.article), self.form_data(second_page, title="Window 2")
        )

        [error] = refused.context["adminform"].form.non_field_errors()
        assert error.startswith("You saved this article in another window at ")
        assert ": you changed title, body." in error
        assert Article.objects.get(pk=self.article.pk).title == "Window 1"

    def test_stale_message_for_an_article_deleted_meanwhile(self):
        stale_copy = Article.objects.get(pk=self.article.pk)
        Article.objects.filter(pk=self.article.pk).delete()

        message = revisions.stale_save_message(stale_copy, stale_copy.version)

        assert message.startswith("This article was deleted since you opened it.")

    def test_save_by_an_action_makes_open_forms_stale(self):
        client = Client()
        client.force_login(self.second_editor)
        page = client.get(article_change_url(self.article))
        Article.objects.get(pk=self.article.pk).submit_for_review()

        refused = client.post(article_change_url(self.article), self.form_data(page, title="Late"))

        assert refused.status_code == 200
        assert Article.objects.get(pk=self.article.pk).title == "Opening title"


class CompareAndIncrementTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory(title="Stored title")

    def test_save_without_an_expected_version_raises_the_version(self):
        article = Article.objects.get(pk=self.article.pk)

        article.save()

        assert article.version == 2
        assert Article.objects.get(pk=self.article.pk).version == 2

    def test_save_from_the_loaded_version_succeeds_and_raises_it(self):
        article = Article.objects.get(pk=self.article.pk)
        article.title = "New title"

        article.save(expected_version=1)

        assert article.version == 2
        assert Article.objects.values_list("title", "version").get(pk=article.pk) == (
            "New title",
            2,
        )

    def test_save_from_an_older_copy_is_refused_and_writes_nothing(self):
        first, second = (
            Article.objects.get(pk=self.article.pk),
            Article.objects.get(pk=self.article.pk),
        )
        first.title = "First copy"
        first.save(expected_version=1)
        second.title = "Second copy"

        with self.assertRaises(StaleArticleError) as raised:
            second.save(expected_version=1)

        assert raised.exception.stored_version == 2
        assert Article.objects.values_list("title", "version").get(pk=self.article.pk) == (
            "First copy",
            2,
        )

    def test_version_moved_on_after_the_check_is_still_caught_at_save(self):
        article = Article.objects.get(pk=self.article.pk)
        article.ensure_current(1)
        Article.objects.filter(pk=article.pk).update(version=F("version") + 1)
        article.title = "Lost race"

        with self.assertRaises(StaleArticleError):
            article.save(expected_version=1)

        assert Article.objects.get(pk=self.article.pk).title == "Stored title"

    def test_ensure_current_refuses_an_older_version(self):
        Article.objects.filter(pk=self.article.pk).update(version=5)

        with self.assertRaises(StaleArticleError):
            self.article.ensure_current(4)


@skipUnless(connection.vendor == "postgresql", "needs row locks (PostgreSQL)")
class ConcurrentSaveTests(TransactionTestCase):
    """Two saves from the same loaded version, in two real transactions at once."""

    serialized_rollback = True  # keep the role groups the migrations created

    def test_second_of_two_concurrent_saves_is_refused(self):
        article = ArticleFactory(title="Stored title")
        first_checked = threading.Event()
        outcome = {}

        def second_editor():
            try:
                with transaction.atomic():
                    first_checked.wait(5)
                    copy = Article.objects.get(pk=article.pk)
                    copy.title = "Second editor"
                    copy.save(expected_version=1)  # blocks on the first editor's row lock
                outcome["second"] = "saved"
            except StaleArticleError:
                outcome["second"] = "refused"
            finally:
                connections.close_all()

        thread = threading.Thread(target=second_editor)
        thread.start()
        with transaction.atomic():
            copy = Article.objects.get(pk=article.pk)
            copy.ensure_current(1)
            first_checked.set()
            time.sleep(0.5)  # let the second editor reach its save and wait on the lock
            copy.title = "First editor"
            copy.save(expected_version=1)
        thread.join(10)

        assert outcome == {"second": "refused"}
        assert Article.objects.values_list("title", "version").get(pk=article.pk) == (
            "First editor",
            2,
        )
