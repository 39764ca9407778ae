"""Every change readers must see at once drops exactly the cached pages showing it.

A small site: articles a (oldest), b and c (newest), each with comments closed so that their
pages are cached (the open comment form still carries a CSRF token). a is Ada's, tagged Trade,
an Analysis; b and c are Ben's, tagged Energy, Opinions. Every reader page is warmed into the
cache, something changes, and each test names the pages that must be rendered again: all the
others must still come from the cache.
"""

import datetime

from django.utils import timezone

from articles.models import Article, Tag
from articles.tags import merge_tags
from caching import dependencies
from comments import moderation
from comments.commenters import personal_data, verification
from comments.models import Comment, CommenterAddress, DiscussionSettings
from images.renditions import make_renditions
from tests.articles.images import png_upload
from tests.caching.pages import PageCacheTestCase
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    DraftArticleFactory,
    EducationFactory,
    HeldCommentFactory,
    KindFactory,
    StaffFactory,
)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


PAGES = {
    "a": "/articles/seven/",
    "b": "/articles/eight/",
    "c": "/articles/nine/",
    "home": "/",
    "archive": "/archive/",
    "trade": "/tags/trade/",
    "energy": "/tags/energy/",
    "analysis": "/kinds/analysis/",
    "opinion": "/kinds/opinion/",
    "ada": "/authors/ada/",
    "ben": "/authors/ben/",
    "feed": "/feed/atom/",
    "trade feed": "/tags/trade/feed/",
    "energy feed": "/tags/energy/feed/",
    "analysis feed": "/kinds/analysis/feed/",
    "ada feed": "/authors/ada/feed/",
    "ben feed": "/authors/ben/feed/",
    "a comments": "/comments/feed/seven/",
    "b comments": "/comments/feed/eight/",
    "sitemap": "/sitemap.xml",
}

#: What shows article a: its page, the lists and feeds it is in, the page linking to it as
#: "previous" (b), and its comment feed (its title).
SHOWING_A = {
    "a",
    "b",
    "home",
    "archive",
    "trade",
    "analysis",
    "ada",
    "feed",
    "trade feed",
    "analysis feed",
    "ada feed",
    "a comments",
}


class InvalidationTestCase(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ada = AuthorFactory(name="Ada Okafor", slug="ada")
        cls.ben = AuthorFactory(name="Ben Lind", slug="ben")
        cls.trade = Tag.objects.create(name="Trade", slug="trade")
        cls.energy = Tag.objects.create(name="Energy", slug="energy")
        cls.analysis = KindFactory(name="Analysis")
        cls.opinion = KindFactory(name="Opinion")
        common = {"comments_open": False}
        cls.a = ArticleFactory(
            slug="seven",
            title="Seven",
            authors=[cls.ada],
            tags=[cls.trade],
            kind=cls.analysis,
            published_at=days_ago(3),
            **common,
        )
        cls.b = ArticleFactory(
            slug="eight",
            title="Eight",
            authors=[cls.ben],
            tags=[cls.energy],
            kind=cls.opinion,
            published_at=days_ago(2),
            **common,
        )
        cls.c = ArticleFactory(
            slug="nine",
            title="Nine",
            authors=[cls.ben],
            tags=[cls.energy],
            kind=cls.opinion,
            published_at=days_ago(1),
            **common,
        )
        cls.comment = CommentFactory(article=cls.a, email="reader@mail.example")
        CommentFactory(article=cls.b)
        DiscussionSettings.current()

    def setUp(self):
        self.warm(*PAGES.values())

    def assert_drops(self, *names, gone=()):
        """Exactly the pages `names` are rendered again; every other one is still cached, but
        those `gone` (404 now)."""
        unknown = set(names) - set(PAGES)
        assert not unknown, unknown
        for name in gone:
            assert self.client.get(PAGES[name]).status_code == 404, name
        self.assert_only_dropped(
            [PAGES[name] for name in names],
            among=[url for name, url in PAGES.items() if name not in gone],
        )

    def assert_drops_all_but(self, *names, gone=()):
        self.assert_drops(*(name for name in PAGES if name not in {*names, *gone}), gone=gone)


class CommentChangesTests(InvalidationTestCase):
    def test_approving_a_comment_drops_its_article_page_and_comment_feed_only(self):
        held = HeldCommentFactory(article=self.a)
        self.assert_drops()  # a held comment shows nowhere

        moderation.moderate([held], Comment.Status.APPROVED, StaffFactory())

        self.assert_drops("a", "a comments")
        assert held.body in self.client.get(PAGES["a"]).content.decode()

    def test_removing_a_comment(self):
        moderation.moderate([self.comment], Comment.Status.REMOVED, StaffFactory())

        self.assert_drops("a", "a comments")
        assert "1 comment" not in self.client.get(PAGES["a"]).content.decode()

    def test_marking_a_comment_as_spam(self):
        moderation.moderate([self.comment], Comment.Status.SPAM, StaffFactory())

        self.assert_drops("a", "a comments")

    def test_a_comment_withdrawn_by_its_commenter(self):
        self.comment.withdraw()

        self.assert_drops("a", "a comments")

    def test_erasing_a_commenters_data(self):
        personal_data.erase("reader@mail.example")

        self.assert_drops("a", "a comments")
        assert "Anonymous" in self.client.get(PAGES["a"]).content.decode()

    def test_deleting_a_comment(self):
        self.comment.delete()

        self.assert_drops("a", "a comments")

    def test_a_confirmed_address_redrawing_its_avatars(self):
        self.comment.browser_digest = "browser"
        self.comment.save(update_fields=["browser_digest"])
        self.warm(PAGES["a"], PAGES["a comments"])
        address = CommenterAddress.objects.create(email="reader@mail.example")

        verification.draw_address_avatar(address, "browser")

        self.assert_drops("a", "a comments")

    def test_changing_the_discussion_settings_drops_the_article_pages(self):
        rules = DiscussionSettings.current()
        rules.thread_depth = 2
        rules.save()

        self.assert_drops("a", "b", "c")


class ArticleChangesTests(InvalidationTestCase):
    def test_editing_an_article(self):
        self.a.title = "Seven, revised"
        self.a.save()

        self.assert_drops(*SHOWING_A, "sitemap")
        for name in ("a", "b", "home", "trade", "ada", "feed"):
            assert "Seven, revised" in self.client.get(PAGES[name]).content.decode(), name

    def test_publishing_an_article(self):
        draft = DraftArticleFactory(
            slug="ten", authors=[self.ada], tags=[self.trade], kind=self.analysis
        )
        self.assert_drops()  # a draft shows nowhere

        draft.publish()

        # The lists it joins, the article before it (c: its "next" link), and a, which shares
        # its tag (its related articles).
        self.assert_drops(
            "c",
            "a",
            "home",
            "archive",
            "trade",
            "analysis",
            "ada",
            "feed",
            "trade feed",
            "analysis feed",
            "ada feed",
            "sitemap",
        )
        assert draft.title in self.client.get("/").content.decode()

    def test_scheduling_an_article_drops_the_pages_whose_lifetime_it_shortens(self):
        draft = DraftArticleFactory(slug="ten", authors=[self.ada])

        draft.schedule(timezone.now() + datetime.timedelta(hours=2))

        self.assert_drops_all_but("a comments", "b comments")

    def test_unpublishing_an_article(self):
        self.c.unpublish()

        # Ben's and Energy's lists, every list of all articles, and b (its "next" link and
        # its related articles).
        self.assert_drops(
            "b",
            "home",
            "archive",
            "energy",
            "opinion",
            "ben",
            "feed",
            "energy feed",
            "ben feed",
            "sitemap",
            gone=["c"],
        )

    def test_deleting_an_article(self):
        Article.objects.get(pk=self.c.pk).delete()

        self.assert_drops(
            "b",
            "home",
            "archive",
            "energy",
            "opinion",
            "ben",
            "feed",
            "energy feed",
            "ben feed",
            "sitemap",
            gone=["c"],
        )

    def test_retagging_a_live_article(self):
        self.a.tags.add(self.energy)

        # a, everything showing it, and Energy's list with b and c, related to a now.
        self.assert_drops(*SHOWING_A, "energy", "energy feed", "c", "sitemap")

    def test_a_featured_images_renditions_finishing_in_the_worker(self):
        with self.captureOnCommitCallbacks(execute=False):
            self.a.featured_image = png_upload("page-cache-renditions.png", width=800, height=400)
            self.a.featured_image_alt = "A map"
            self.a.save()
        self.warm(*PAGES.values())

        make_renditions.call("articles.Article", self.a.pk, "featured_image")

        self.assert_drops(*SHOWING_A)
        assert "<picture><source" in self.client.get(PAGES["a"]).content.decode()


class AuthorTagKindChangesTests(InvalidationTestCase):
    def test_editing_an_author(self):
        self.ada.role = "Senior Fellow"
        self.ada.save()

        self.assert_drops(*SHOWING_A - {"b", "a comments"}, "sitemap")
        assert "Senior Fellow" in self.client.get(PAGES["a"]).content.decode()

    def test_adding_a_degree_to_an_author(self):
        EducationFactory(author=self.ada, degree="PhD", institution="Kingsbridge University")

        self.assert_drops(*SHOWING_A - {"b", "a comments"})
        assert "Kingsbridge University" in self.client.get(PAGES["a"]).content.decode()

    def test_editing_a_tag(self):
        self.trade.name = "Trade policy"
        self.trade.save()

        # Its page and feed, the article showing it, and the feeds naming it as a category.
        self.assert_drops(
            "a", "trade", "trade feed", "feed", "analysis feed", "ada feed", "sitemap"
        )

    def test_merging_tags(self):
        merge_tags([self.energy], "Trade")

        # b and c join Trade's list; Energy is gone.
        self.assert_drops(
            "a",
            "b",
            "c",
            "trade",
            "trade feed",
            "feed",
            "ben feed",
            "sitemap",
            gone=["energy", "energy feed"],
        )

    def test_editing_a_kind(self):
        self.analysis.description = "Our long reads."
        self.analysis.save()

        self.assert_drops(*SHOWING_A - {"b", "a comments"}, "sitemap")


class FrontCachePurgeTests(InvalidationTestCase):
    def purged_by(self, change):
        purged = []

        def record(sender, keys, **kwargs):
            purged.append(keys)

        dependencies.purge_requested.connect(record)
        try:
            with self.captureOnCommitCallbacks(execute=True) as callbacks:
                change()
                assert purged == [], "purged before commit"
            assert callbacks
        finally:
            dependencies.purge_requested.disconnect(record)
        return set().union(*purged)

    def test_approving_a_comment_purges_its_article_comments_only(self):
        held = HeldCommentFactory(article=self.a)

        keys = self.purged_by(
            lambda: moderation.moderate([held], Comment.Status.APPROVED, StaffFactory())
        )

        assert keys == {f"comments-{self.a.pk}"}

    def test_editing_an_article_purges_its_key(self):
        def edit():
            self.a.title = "Seven, revised"
            self.a.save()

        assert self.purged_by(edit) == {f"article-{self.a.pk}", "sitemap"}

    def test_publishing_purges_the_lists_it_joins(self):
        draft = DraftArticleFactory(
            slug="ten", authors=[self.ada], tags=[self.trade], kind=self.analysis
        )

        keys = self.purged_by(draft.publish)

        assert {
            f"article-{draft.pk}",
            "list",
            f"list-tag-{self.trade.pk}",
            f"list-kind-{self.analysis.pk}",
            f"list-author-{self.ada.pk}",
            f"pager-{self.c.pk}",
        } <= keys
        assert f"list-tag-{self.energy.pk}" not in keys

    def test_editing_an_author_purges_their_key(self):
        def edit():
            self.ben.bio = "New bio."
            self.ben.save()

        assert self.purged_by(edit) == {f"author-{self.ben.pk}", "sitemap"}

    def test_the_pages_purged_carry_the_keys_purged(self):
        # A front cache drops the pages whose xkey header holds a purged key.
        held = HeldCommentFactory(article=self.a)
        header = self.client.get(PAGES["a"])["xkey"].split()

        keys = self.purged_by(
            lambda: moderation.moderate([held], Comment.Status.APPROVED, StaffFactory())
        )

        assert keys <= set(header)
        assert not keys & set(self.client.get(PAGES["b"])["xkey"].split())
