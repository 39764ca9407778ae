from django.test import TestCase, override_settings
from django.urls import reverse

from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    KindFactory,
    ScheduledArticleFactory,
)
from tests.helpers import older_page, page_link


class KindPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.opinion = KindFactory(
            name="Op-Ed", slug="op-ed", description="Signed opinion from outside contributors."
        )
        ArticleFactory(title="An opinion", kind=cls.opinion)
        ArticleFactory(title="An analysis", kind=KindFactory(name="Analysis"))
        DraftArticleFactory(title="A draft opinion", kind=cls.opinion)
        ScheduledArticleFactory(title="A scheduled opinion", kind=cls.opinion)

    def test_kind_page_shows_its_name_description_and_only_its_live_articles(self):
        response = self.client.get(reverse("articles:kind", args=["op-ed"]))

        assert response.status_code == 200
        content = response.content.decode()
        assert '<h1 class="page-title">Op-Ed</h1>' in content
        assert "Signed opinion from outside contributors." in content
        assert [article.title for article in response.context["object_list"]] == ["An opinion"]

    def test_unknown_kind_is_404(self):
        assert self.client.get(reverse("articles:kind", args=["nope"])).status_code == 404

    def test_cards_link_their_kind_to_its_page(self):
        content = self.client.get(reverse("articles:list")).content.decode()

        assert '<a href="/kinds/op-ed/">Op-Ed</a>' in content

    @override_settings(ARTICLES_PER_PAGE=2)
    def test_kind_page_is_paginated(self):
        for _ in range(3):
            ArticleFactory(kind=self.opinion)

        first = self.client.get(reverse("articles:kind", args=["op-ed"]))
        second = older_page(self.client, first)

        assert len(first.context["object_list"]) == 2
        assert len(second.context["object_list"]) == 2
        assert page_link(first, "next").startswith("/kinds/op-ed/?before=")
