"""A tag is public once a published article carries it, and not before (issue 10, item 7).

Readers: the tag's page and its RSS and Atom feeds answer 404 until an article carrying the tag
is live (`Article.objects.published()`), as if the tag did not exist. Staff: editors see every
tag; a contributor sees, in the tag admin, its counts, the tag autocomplete and the article
form's suggestions, only tags carried by a published article or by one of their own articles,
so nobody learns the topics of someone else's unpublished work.
"""

import datetime

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tag
from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
    StaffFactory,
)

CHANGELIST = reverse("admin:articles_tag_changelist")
AUTOCOMPLETE = reverse("admin:articles_tag_autocomplete")


def tag_urls(slug):
    return [
        reverse("articles:tag", args=[slug]),
        reverse("articles:tag_feed", args=[slug]),
        reverse("articles:tag_atom_feed", args=[slug]),
    ]


class UnpublishedTagPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.live = Tag.objects.create(name="Shipping", slug="shipping")
        cls.draft_only = Tag.objects.create(name="Merger talks", slug="merger-talks")
        cls.review_only = Tag.objects.create(name="Leaked memo", slug="leaked-memo")
        cls.unused = Tag.objects.create(name="Fisheries", slug="fisheries")
        ArticleFactory(tags=[cls.live])
        DraftArticleFactory(tags=[cls.draft_only, cls.live])
        DraftArticleFactory(tags=[cls.review_only], status=Article.Status.IN_REVIEW)

    def test_tag_used_only_on_a_draft_has_no_page_and_no_feeds(self):
        for url in tag_urls("merger-talks"):
            assert self.client.get(url).status_code == 404, url

    def test_tag_used_only_on_an_article_in_review_has_no_page_and_no_feeds(self):
        for url in tag_urls("leaked-memo"):
            assert self.client.get(url).status_code == 404, url

    def test_tag_on_no_article_has_no_page_and_no_feeds(self):
        for url in tag_urls("fisheries"):
            assert self.client.get(url).status_code == 404, url

    def test_unpublished_tag_answers_exactly_like_an_unknown_one(self):
        for known, unknown in zip(tag_urls("merger-talks"), tag_urls("no-such-tag"), strict=True):
            hidden = self.client.get(known)
            missing = self.client.get(unknown)

            assert hidden.status_code == missing.status_code == 404
            assert hidden.content.replace(b"merger-talks", b"no-such-tag") == missing.content
            assert b"Merger talks" not in hidden.content

    def test_tag_on_a_published_article_has_its_page_and_feeds(self):
        for url in tag_urls("shipping"):
            assert self.client.get(url).status_code == 200, url


class ScheduledTagPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.goes_live_at = timezone.now() + datetime.timedelta(hours=6)
        cls.scoop = Tag.objects.create(name="Election scoop", slug="election-scoop")
        ScheduledArticleFactory(title="The scoop", tags=[cls.scoop], published_at=cls.goes_live_at)

    def test_scheduled_only_tag_is_404_until_its_article_goes_live(self):
        with time_machine.travel(self.goes_live_at - datetime.timedelta(seconds=1)):
            for url in tag_urls("election-scoop"):
                assert self.client.get(url).status_code == 404, url

        with time_machine.travel(self.goes_live_at + datetime.timedelta(seconds=1)):
            responses = [self.client.get(url) for url in tag_urls("election-scoop")]

        assert [response.status_code for response in responses] == [200, 200, 200]
        assert "The scoop" in responses[0].content.decode()
        assert "The scoop" in responses[1].content.decode()


class TagSitemapTests(TestCase):
    def test_sitemap_lists_and_dates_a_tag_by_its_published_articles_only(self):
        long_ago = timezone.now() - datetime.timedelta(days=30)
        shared = Tag.objects.create(name="Shared", slug="shared")
        Tag.objects.create(name="Secret", slug="secret")
        with time_machine.travel(long_ago):
            ArticleFactory(tags=[shared], published_at=long_ago)
        DraftArticleFactory(tags=[shared, "Secret"])
        ScheduledArticleFactory(tags=["Secret"])

        sitemap = self.client.get("/sitemap.xml").content.decode()

        assert "/tags/secret/" not in sitemap
        # The draft saved today does not move the tag page's last change to today.
        entry = sitemap.split("http://testserver/tags/shared/</loc>", 1)[1].split("</url>")[0]
        assert f"<lastmod>{long_ago.date().isoformat()}</lastmod>" in entry


class TagAdminVisibilityTests(TestCase):
    """What each newsroom role learns about tags from the admin."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.ana = StaffFactory(username="ana", role="Contributor")
        cls.ben = StaffFactory(username="ben", role="Contributor")
        cls.published = Tag.objects.create(name="Port strike")
        cls.anas_draft_tag = Tag.objects.create(name="Port secrets")
        cls.bens_draft_tag = Tag.objects.create(name="Port takeover")
        cls.bens_review_tag = Tag.objects.create(name="Port minister")
        cls.scheduled_tag = Tag.objects.create(name="Port scoop")
        cls.unused = Tag.objects.create(name="Port history")
        ArticleFactory(tags=[cls.published], created_by=cls.editor)
        DraftArticleFactory(tags=[cls.anas_draft_tag, cls.published], created_by=cls.ana)
        DraftArticleFactory(tags=[cls.bens_draft_tag, cls.published], created_by=cls.ben)
        DraftArticleFactory(
            tags=[cls.bens_review_tag], created_by=cls.ben, status=Article.Status.IN_REVIEW
        )
        ScheduledArticleFactory(tags=[cls.scheduled_tag], created_by=cls.editor)

    def autocomplete(self, user, term=""):
        self.client.force_login(user)
        response = self.client.get(AUTOCOMPLETE, {"term": term} if term else {})
        assert response.status_code == 200
        return response.json()["results"]

    def changelist(self, user, **params):
        self.client.force_login(user)
        response = self.client.get(CHANGELIST, params)
        assert response.status_code == 200
        return {tag.name: tag.article_total for tag in response.context["cl"].result_list}

    def test_contributor_autocomplete_offers_published_and_own_tags_only(self):
        assert self.autocomplete(self.ana, "port") == ["Port secrets", "Port strike"]

    def test_contributor_suggestions_without_a_term_offer_published_and_own_tags_only(self):
        assert sorted(self.autocomplete(self.ana)) == ["Port secrets", "Port strike"]

    def test_other_contributor_sees_their_own_draft_tags_not_anas(self):
        assert self.autocomplete(self.ben, "port") == [
            "Port minister",
            "Port strike",
            "Port takeover",
        ]

    def test_editor_autocomplete_offers_every_tag(self):
        assert self.autocomplete(self.editor, "port") == [
            "Port history",
            "Port minister",
            "Port scoop",
            "Port secrets",
            "Port strike",
            "Port takeover",
        ]

    def test_contributor_tag_list_holds_published_and_own_tags_only(self):
        assert set(self.changelist(self.ana)) == {"Port strike", "Port secrets"}

    def test_contributor_tag_list_search_finds_no_hidden_tag(self):
        assert self.changelist(self.ana, q="takeover") == {}
        assert self.changelist(self.ana, q="scoop") == {}

    def test_contributor_counts_only_articles_they_may_know_of(self):
        # "Port strike" is on one published article, Ana's draft and Ben's draft.
        assert self.changelist(self.ana) == {"Port strike": 2, "Port secrets": 1}
        assert self.changelist(self.ben)["Port strike"] == 2

    def test_editor_tag_list_holds_every_tag_with_full_counts(self):
        assert self.changelist(self.editor) == {
            "Port history": 0,
            "Port minister": 1,
            "Port scoop": 1,
            "Port secrets": 1,
            "Port strike": 3,
            "Port takeover": 1,
        }

    def test_contributor_cannot_open_a_hidden_tag_any_more_than_a_missing_one(self):
        self.client.force_login(self.ana)
        hidden = self.bens_draft_tag.pk
        missing = Tag.objects.order_by("pk").last().pk + 100
        for view in ("change", "history"):
            shown = self.client.get(reverse(f"admin:articles_tag_{view}", args=[hidden]))
            absent = self.client.get(reverse(f"admin:articles_tag_{view}", args=[missing]))

            assert shown.status_code == absent.status_code == 302, view
            assert shown["Location"] == absent["Location"]
            page = self.client.get(shown["Location"]).content.decode()
            assert "Port takeover" not in page

    def test_contributor_can_open_a_published_tag(self):
        self.client.force_login(self.ana)

        response = self.client.get(reverse("admin:articles_tag_change", args=[self.published.pk]))

        assert response.status_code == 200

    def test_article_form_suggests_to_a_contributor_only_tags_they_may_know_of(self):
        self.client.force_login(self.ana)

        html = self.client.get(reverse("admin:articles_article_add")).content.decode()

        assert '<option value="Port strike"></option>' in html
        assert '<option value="Port secrets"></option>' in html
        for hidden in ("Port takeover", "Port minister", "Port scoop", "Port history"):
            assert hidden not in html

    def test_article_form_suggests_every_tag_to_an_editor(self):
        self.client.force_login(self.editor)

        html = self.client.get(reverse("admin:articles_article_add")).content.decode()

        for name in ("Port takeover", "Port minister", "Port scoop", "Port history"):
            assert f'<option value="{name}"></option>' in html

    def test_tag_becomes_visible_to_contributors_when_its_article_goes_live(self):
        article = Article.objects.get(tags=self.scheduled_tag)

        with time_machine.travel(article.published_at + datetime.timedelta(seconds=1)):
            assert "Port scoop" in self.autocomplete(self.ana, "scoop")
