"""Article transitions (`Article.submit_for_review`, `publish`, `schedule`, `unpublish`): each
moves only along the workflow and refuses anything else with `IllegalTransition`, changing
nothing; the admin actions move what they allow and pass over the rest."""

import datetime

from django.contrib.admin.models import LogEntry
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, IllegalTransition
from tests.admin_forms import SignedInEditorTestCase
from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)

CHANGELIST = reverse("admin:articles_article_changelist")


class ArticleTransitionTests(TestCase):
    """`Article`'s transitions move only along the workflow; a refused move changes nothing."""

    def assert_refused(self, article, transition, message):
        stored = Article.objects.values("status", "published_at", "version").get(pk=article.pk)
        with self.assertRaisesMessage(IllegalTransition, message) as raised:
            transition()
        assert raised.exception.article == article
        assert Article.objects.values("status", "published_at", "version").get(pk=article.pk) == (
            stored
        )

    def test_a_draft_is_sent_for_review(self):
        draft = DraftArticleFactory()

        draft.submit_for_review()

        draft.refresh_from_db()
        assert draft.status == Article.Status.IN_REVIEW
        assert draft.version == 2

    def test_only_a_draft_is_sent_for_review(self):
        cases = {
            "in review": DraftArticleFactory(title="A", status=Article.Status.IN_REVIEW),
            "published": ArticleFactory(title="A"),
            "scheduled": ScheduledArticleFactory(title="A"),
        }
        for state, article in cases.items():
            self.assert_refused(
                article,
                article.submit_for_review,
                f"“A” is {state}: only a draft is sent for review.",
            )

    def test_publishing_an_unpublished_article_makes_it_live_now(self):
        for article in (DraftArticleFactory(), DraftArticleFactory(status="in_review")):
            article.publish()

            article.refresh_from_db()
            assert article.is_published()
            assert timezone.now() - article.published_at < datetime.timedelta(minutes=1)

    def test_a_scheduled_article_is_published_now_only_when_given_the_time(self):
        scheduled = ScheduledArticleFactory(title="Monday piece")
        self.assert_refused(scheduled, scheduled.publish, "“Monday piece” is already scheduled.")

        scheduled.publish(at=timezone.now())

        assert scheduled.is_published()

    def test_a_live_article_is_not_published_again(self):
        live = ArticleFactory(title="Live piece")

        self.assert_refused(live, live.publish, "“Live piece” is already published.")
        self.assert_refused(
            live,
            lambda: live.publish(at=timezone.now()),
            "“Live piece” is already published.",
        )

    def test_scheduling_sets_a_future_publish_time(self):
        later = timezone.now() + datetime.timedelta(days=2)
        draft = DraftArticleFactory()
        scheduled = ScheduledArticleFactory()

        draft.schedule(later)
        scheduled.schedule(later)

        for article in (draft, scheduled):
            article.refresh_from_db()
            assert article.is_scheduled()
            assert article.published_at == later

    def test_scheduling_is_refused_for_a_past_time_or_a_live_article(self):
        draft = DraftArticleFactory(title="A")
        live = ArticleFactory(title="B")
        later = timezone.now() + datetime.timedelta(days=1)

        self.assert_refused(
            draft, lambda: draft.schedule(timezone.now()), "can only be scheduled for a future"
        )
        self.assert_refused(draft, lambda: draft.schedule(None), "for a future time")
        self.assert_refused(
            live,
            lambda: live.schedule(later),
            "“B” is already published; unpublish it before scheduling it.",
        )

    def test_unpublishing_takes_any_other_state_back_to_draft(self):
        for article in (
            ArticleFactory(),
            ScheduledArticleFactory(),
            DraftArticleFactory(status=Article.Status.IN_REVIEW),
        ):
            published_at = article.published_at

            article.unpublish()

            article.refresh_from_db()
            assert article.status == Article.Status.DRAFT
            assert article.published_at == published_at

    def test_a_draft_is_not_unpublished(self):
        draft = DraftArticleFactory(title="A")

        self.assert_refused(draft, draft.unpublish, "“A” is already a draft.")


class TransitionActionTests(SignedInEditorTestCase):
    """The admin actions move what the transitions allow and pass over the rest."""

    def run_action(self, action, articles):
        response = self.client.post(
            CHANGELIST,
            {"action": action, "_selected_action": [article.pk for article in articles]},
            follow=True,
        )
        return [str(message) for message in response.context["messages"]]

    def moves_logged(self, article):
        return [
            entry.get_change_message()
            for entry in LogEntry.objects.filter(object_id=str(article.pk))
        ]

    def test_publishing_a_mixed_selection_moves_only_the_unpublished(self):
        draft, live = DraftArticleFactory(), ArticleFactory()
        live_version = live.version

        assert self.run_action("publish_now", [draft, live]) == ["1 article published."]

        draft.refresh_from_db()
        live.refresh_from_db()
        assert draft.is_published()
        assert live.version == live_version
        assert self.moves_logged(draft) == ["Published the article."]
        assert self.moves_logged(live) == []

    def test_unpublishing_a_mixed_selection_passes_over_drafts(self):
        draft, live = DraftArticleFactory(), ArticleFactory()

        assert self.run_action("unpublish", [draft, live]) == ["1 article back to draft."]

        live.refresh_from_db()
        assert live.status == Article.Status.DRAFT
        assert self.moves_logged(draft) == []

    def test_sending_a_mixed_selection_for_review_moves_only_drafts(self):
        draft, live = DraftArticleFactory(), ArticleFactory()

        messages = self.run_action("submit_for_review", [draft, live])

        assert messages == ["1 article sent to the editors for review."]
        draft.refresh_from_db()
        live.refresh_from_db()
        assert draft.status == Article.Status.IN_REVIEW
        assert live.status == Article.Status.PUBLISHED
