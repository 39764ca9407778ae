"""Share links: a signed, expiring, read-only view of a draft for an outside reviewer."""

import datetime
import json
import re

import time_machine
from django.contrib.admin.models import LogEntry
from django.core import signing
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from articles import review_links
from articles.models import Article
from tests.admin_forms import article_change_url
from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
    StaffFactory,
)


def share_link_url(article):
    return reverse("admin:articles_article_share_link", args=[article.pk])


class MakingShareLinksTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.contributor = StaffFactory(role="Contributor")
        cls.draft = DraftArticleFactory(title="Harbour politics", created_by=cls.contributor)

    @override_settings(SITE_URL="https://news.example")
    def test_editor_gets_the_link_in_a_message_on_the_change_form(self):
        self.client.force_login(self.editor)

        response = self.client.post(share_link_url(self.draft), follow=True)

        assert response.redirect_chain[-1][0] == article_change_url(self.draft)
        [message] = [str(m) for m in response.context["messages"]]
        assert "Share link for outside review, valid until" in message
        assert 'href="https://news.example/articles/shared/' in message

    @override_settings(
        SITE_URL="https://news.example", ALLOWED_HOSTS=["testserver", "admin.internal.example"]
    )
    def test_the_link_is_on_the_public_site_whatever_host_the_admin_is_on(self):
        self.client.force_login(self.editor)

        response = self.client.post(
            share_link_url(self.draft), follow=True, HTTP_HOST="admin.internal.example"
        )

        [message] = [str(m) for m in response.context["messages"]]
        assert "admin.internal.example" not in message
        assert re.search(r'href="https://news\.example/articles/shared/[^/"]+/"', message)

    def test_making_a_link_is_logged_in_the_articles_history(self):
        self.client.force_login(self.editor)

        self.client.post(share_link_url(self.draft))

        entry = LogEntry.objects.get(object_id=str(self.draft.pk))
        assert entry.user == self.editor
        assert "Made a share link, valid until" in entry.get_change_message()

    def test_links_are_made_only_by_post(self):
        self.client.force_login(self.editor)

        assert self.client.get(share_link_url(self.draft)).status_code == 405

    def test_contributor_cannot_make_a_link_even_for_their_own_draft(self):
        self.client.force_login(self.contributor)

        response = self.client.post(share_link_url(self.draft))

        assert response.status_code == 403
        assert not LogEntry.objects.exists()

    def test_change_form_offers_the_button_to_editors_only(self):
        self.client.force_login(self.editor)
        assert (
            share_link_url(self.draft)
            in self.client.get(article_change_url(self.draft)).content.decode()
        )

        self.client.force_login(self.contributor)
        content = self.client.get(article_change_url(self.draft)).content.decode()
        assert share_link_url(self.draft) not in content

    def test_live_or_scheduled_articles_get_no_link(self):
        self.client.force_login(self.editor)
        for article in (ArticleFactory(), ScheduledArticleFactory()):
            with self.subTest(article=article.state):
                response = self.client.post(share_link_url(article), follow=True)

                [message] = [str(m) for m in response.context["messages"]]
                assert "Share links are for unpublished articles" in message
                assert "/articles/shared/" not in message

    def test_unknown_article_is_404(self):
        self.client.force_login(self.editor)

        response = self.client.post(reverse("admin:articles_article_share_link", args=[999_999]))

        assert response.status_code == 404


class ReadingSharedDraftsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.draft = DraftArticleFactory(
            title="Harbour politics", body="<p>An unfinished <strong>argument</strong>.</p>"
        )

    def test_anyone_with_the_link_reads_the_draft_without_signing_in(self):
        response = self.client.get(review_links.share_path(self.draft))

        assert response.status_code == 200
        content = response.content.decode()
        assert "Shared draft — not published" in content
        assert "<p>An unfinished <strong>argument</strong>.</p>" in content
        assert '<meta name="robots" content="noindex">' in content
        assert response["X-Robots-Tag"] == "noindex"
        assert "no-cache" in response["Cache-Control"]

    def test_the_shared_page_is_read_only(self):
        content = self.client.get(review_links.share_path(self.draft)).content.decode()

        assert 'id="comment-form"' not in content
        assert reverse("comments:post", args=[self.draft.slug]) not in content
        assert "/admin/" not in content

    def test_a_tampered_link_is_404(self):
        path = review_links.share_path(self.draft)
        last = path[-2]
        tampered = f"{path[:-2]}{'B' if last == 'A' else 'A'}/"

        assert self.client.get(tampered).status_code == 404
        assert self.client.get("/articles/shared/not-a-token/").status_code == 404

    def test_a_link_for_another_article_cannot_be_forged_from_this_one(self):
        other = DraftArticleFactory()
        token = review_links.share_path(self.draft).rstrip("/").rsplit("/", 1)[1]
        _payload, timestamp_and_signature = token.split(":", 1)
        other_payload = signing.b64_encode(json.dumps([other.pk, None]).encode()).decode()
        forged = f"/articles/shared/{other_payload}:{timestamp_and_signature}/"

        assert self.client.get(forged).status_code == 404

    @override_settings(REVIEW_LINK_MAX_AGE_DAYS=7)
    def test_the_link_stops_working_when_it_expires(self):
        path = review_links.share_path(self.draft)
        later = timezone.now() + datetime.timedelta(days=7, minutes=1)

        with time_machine.travel(later - datetime.timedelta(minutes=2)):
            assert self.client.get(path).status_code == 200
        with time_machine.travel(later):
            response = self.client.get(path)

        assert response.status_code == 404

    def test_once_published_the_link_leads_to_the_live_page(self):
        path = review_links.share_path(self.draft)
        self.draft.publish()

        response = self.client.get(path)

        assert response.status_code == 302
        assert response["Location"] == self.draft.get_absolute_url()

    def test_once_scheduled_the_link_ends(self):
        path = review_links.share_path(self.draft)
        self.draft.publish(at=timezone.now() + datetime.timedelta(days=2))

        assert self.client.get(path).status_code == 404

    def test_a_link_made_before_publication_stays_dead_after_unpublishing(self):
        path = review_links.share_path(self.draft)
        self.draft.publish()
        self.draft.unpublish()

        assert self.draft.status == Article.Status.DRAFT
        assert self.client.get(path).status_code == 404

    def test_a_deleted_article_is_404(self):
        path = review_links.share_path(self.draft)
        self.draft.delete()

        assert self.client.get(path).status_code == 404
