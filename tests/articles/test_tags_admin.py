from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.urls import reverse

from articles.models import Kind, Tag, TaggedArticle
from articles.tags import merge_tags
from tests.admin_forms import SignedInEditorTestCase, merge_tags_data
from tests.factories import ArticleFactory, KindFactory, StaffFactory

CHANGELIST = reverse("admin:articles_tag_changelist")


class MergeTagsActionTests(SignedInEditorTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.china = Tag.objects.create(name="China")
        cls.prc = Tag.objects.create(name="PRC")
        cls.chinese_politics = Tag.objects.create(name="Chinese politics")
        cls.trade = Tag.objects.create(name="Trade")
        cls.on_china = ArticleFactory(tags=[cls.china, cls.trade])
        cls.on_prc = ArticleFactory(tags=[cls.prc])
        cls.on_both = ArticleFactory(tags=[cls.china, cls.prc, cls.chinese_politics])

    def test_action_first_asks_which_tag_to_keep(self):
        response = self.client.post(CHANGELIST, merge_tags_data([self.china, self.prc]))

        html = response.content.decode()
        assert response.status_code == 200
        assert "admin/articles/tag/merge_tags.html" in [t.name for t in response.templates]
        assert 'name="target_name"' in html
        assert 'value="China"' in html  # the most used tag is offered as the one to keep
        assert "PRC (2 articles)" in html
        assert Tag.objects.filter(name="PRC").exists()

    def test_merge_repoints_articles_and_removes_the_old_tags(self):
        response = self.client.post(CHANGELIST, merge_tags_data([self.china, self.prc], "China"))

        assert response.status_code == 302
        assert not Tag.objects.filter(pk=self.prc.pk).exists()
        assert sorted(self.on_prc.tags.names()) == ["China"]
        assert sorted(self.on_china.tags.names()) == ["China", "Trade"]
        assert self.china.tagged_articles.count() == 3

    def test_article_carrying_both_tags_keeps_one_link_to_the_target(self):
        self.client.post(
            CHANGELIST,
            merge_tags_data([self.china, self.prc, self.chinese_politics], "China"),
        )

        assert sorted(self.on_both.tags.names()) == ["China"]
        assert TaggedArticle.objects.filter(content_object=self.on_both).count() == 1
        assert list(Tag.objects.order_by("name").values_list("name", flat=True)) == [
            "China",
            "Trade",
        ]

    def test_merge_into_a_new_name_creates_that_tag(self):
        self.client.post(CHANGELIST, merge_tags_data([self.china, self.prc], "People's Republic"))

        target = Tag.objects.get(name="People's Republic")
        assert target.slug == "peoples-republic"
        assert not Tag.objects.filter(name__in=["China", "PRC"]).exists()
        assert set(target.tagged_articles.values_list("content_object", flat=True)) == {
            self.on_china.pk,
            self.on_prc.pk,
            self.on_both.pk,
        }

    def test_target_name_is_matched_in_any_case(self):
        self.client.post(CHANGELIST, merge_tags_data([self.china, self.prc], "prc"))

        assert list(Tag.objects.filter(name__iexact="prc").values_list("pk", flat=True)) == [
            self.prc.pk
        ]
        assert not Tag.objects.filter(pk=self.china.pk).exists()
        assert sorted(self.on_china.tags.names()) == ["PRC", "Trade"]

    def test_merge_says_what_happened_and_logs_the_deletions(self):
        response = self.client.post(
            CHANGELIST, merge_tags_data([self.china, self.prc], "China"), follow=True
        )

        message = str(next(iter(response.context["messages"])))
        assert message == "Merged “PRC” into “China”: 3 articles now carry it."
        assert LogEntry.objects.filter(
            action_flag=DELETION, object_id=str(self.prc.pk), object_repr="PRC"
        ).exists()

    def test_blank_target_name_shows_the_form_again(self):
        response = self.client.post(CHANGELIST, merge_tags_data([self.china, self.prc], "  "))

        assert response.status_code == 200
        assert response.context["form"].errors["target_name"]
        assert Tag.objects.filter(pk=self.prc.pk).exists()

    def assert_merge_refused(self, response):
        # The action is not offered to them, so the POST just shows the tag list again.
        assert response.status_code == 200
        assert "admin/articles/tag/merge_tags.html" not in [t.name for t in response.templates]
        assert Tag.objects.filter(pk=self.prc.pk).exists()
        assert self.prc.tagged_articles.count() == 2

    def test_contributor_cannot_merge_tags(self):
        self.client.force_login(StaffFactory(role="Contributor"))

        response = self.client.post(CHANGELIST, merge_tags_data([self.china, self.prc], "China"))

        self.assert_merge_refused(response)
        assert self.prc.tagged_articles.count() == 2

    def test_staff_who_may_change_but_not_delete_tags_cannot_merge(self):
        user = StaffFactory()
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=["view_tag", "change_tag"]
            )
        )
        self.client.force_login(user)

        changelist = self.client.get(CHANGELIST)
        response = self.client.post(CHANGELIST, merge_tags_data([self.china, self.prc], "China"))

        assert "merge_selected_tags" not in changelist.content.decode()
        self.assert_merge_refused(response)


class MergeTagsRuleTests(TestCase):
    def test_merging_a_tag_into_itself_changes_nothing(self):
        tag = Tag.objects.create(name="Energy")
        article = ArticleFactory(tags=[tag])

        result = merge_tags([tag], "Energy")

        assert result.merged_names == []
        assert list(article.tags.all()) == [tag]


class TagPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = StaffFactory(role="Editor")
        cls.tag = Tag.objects.create(
            name="Arctic", description="Shipping lanes, sovereignty and the thaw."
        )
        ArticleFactory(tags=[cls.tag])

    def test_tag_admin_edits_the_description(self):
        self.client.force_login(self.editor)

        response = self.client.get(reverse("admin:articles_tag_change", args=[self.tag.pk]))

        assert 'name="description"' in response.content.decode()
        assert "Shipping lanes, sovereignty and the thaw." in response.content.decode()

    def test_tag_changelist_lists_article_counts(self):
        self.client.force_login(self.editor)

        response = self.client.get(CHANGELIST)

        assert response.context["cl"].result_list[0].article_total == 1

    def test_public_tag_page_shows_the_description(self):
        response = self.client.get(self.tag.get_absolute_url())

        assert "Shipping lanes, sovereignty and the thaw." in response.content.decode()


class TagAutocompleteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for name in ["China", "Chile", "Machine learning", "Trade"]:
            Tag.objects.create(name=name)
        cls.url = reverse("admin:articles_tag_autocomplete")

    def test_returns_matching_tags_those_starting_with_the_term_first(self):
        self.client.force_login(StaffFactory(role="Editor"))

        response = self.client.get(self.url, {"term": "chi"})

        assert response.status_code == 200
        assert response.json() == {"results": ["Chile", "China", "Machine learning"]}

    def test_empty_term_returns_the_most_used_tags(self):
        ArticleFactory(tags=["Trade"])
        self.client.force_login(StaffFactory(role="Editor"))

        response = self.client.get(self.url)

        assert response.json()["results"][0] == "Trade"

    def test_anonymous_visitor_is_sent_to_the_login_page(self):
        response = self.client.get(self.url, {"term": "chi"})

        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]

    def test_staff_without_tag_permission_is_refused(self):
        self.client.force_login(StaffFactory(role="Moderator"))

        response = self.client.get(self.url, {"term": "chi"})

        assert response.status_code == 403

    def test_article_form_offers_tag_suggestions_without_javascript(self):
        self.client.force_login(StaffFactory(role="Editor"))

        response = self.client.get(reverse("admin:articles_article_add"))

        html = response.content.decode()
        assert 'list="id_tags_suggestions"' in html
        assert '<datalist id="id_tags_suggestions">' in html
        assert '<option value="China"></option>' in html
        assert f'data-autocomplete-url="{self.url}"' in html
        assert "articles/admin/tag_suggestions.js" in html


class KindAdminPermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.contributor = StaffFactory(role="Contributor")
        cls.kind = KindFactory(name="Analysis")

    def setUp(self):
        self.client.force_login(self.contributor)

    def test_contributor_cannot_open_the_add_kind_page(self):
        response = self.client.get(reverse("admin:articles_kind_add"))

        assert response.status_code == 403

    def test_contributor_cannot_add_a_kind_by_posting(self):
        response = self.client.post(
            reverse("admin:articles_kind_add"), {"name": "Op-Ed", "slug": "op-ed"}
        )

        assert response.status_code == 403
        assert not Kind.objects.filter(slug="op-ed").exists()

    def test_contributor_cannot_change_a_kind_by_posting(self):
        response = self.client.post(
            reverse("admin:articles_kind_change", args=[self.kind.pk]),
            {"name": "Renamed", "slug": "renamed", "description": ""},
        )

        assert response.status_code == 403
        self.kind.refresh_from_db()
        assert self.kind.name == "Analysis"

    def test_editor_can_add_a_kind(self):
        self.client.force_login(StaffFactory(role="Editor"))

        response = self.client.post(
            reverse("admin:articles_kind_add"), {"name": "Op-Ed", "slug": "op-ed"}
        )

        assert response.status_code == 302
        assert Kind.objects.filter(slug="op-ed").exists()
