"""Avatars are drawn locally from a value stored with each comment, never a hash of the address.

A comment shows its address's avatar only when its owner is known to have written it: posted
from a browser that proves the address, published by that browser's confirmation, or written by
staff. Every other comment draws an avatar of its own, so that a comment posted under a guessed
address never looks like the owner's, and never tells whether the guess was right (issue 10).
"""

import hashlib
import re

from django.db import connection
from django.test import Client, TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import staff_replies
from comments.commenters import avatars, personal_data, verification
from comments.commenters.avatars import avatar_svg, cells
from comments.commenters.privacy import digest, keyed_token
from comments.models import Comment, CommenterAddress, DiscussionSettings
from tests.comments.html import avatar_beside, avatars_on
from tests.comments.posting import prove_address, valid_data
from tests.factories import ArticleFactory, CommentFactory, StaffFactory
from tests.helpers import migrated_to_just_before, migrated_to_the_latest
from tests.query_budgets import every_request_rendered

ADDRESS = "Avatar.Owner@private-mail.example"


def painted_cells(path):
    """The cells `(column, row)` an avatar's path strokes, one cell thick (`avatars.path`)."""
    painted = set()
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmhv])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command in "Mm":
            x, y = (0, 0) if command == "M" else (x, y)
            x, y = x + float(first), y + float(second)
            continue
        length = int(first)
        for step in range(length):
            painted.add((int(x) + step, int(y)) if command == "h" else (int(x), int(y) + step))
        x, y = (x + length, y) if command == "h" else (x, y + length)
    return sorted(painted)


def avatar_of(content, comment):
    """The avatar drawn in the page beside `comment`."""
    return avatar_beside(content, comment.pk)


def set_mode(mode):
    DiscussionSettings.objects.filter(pk=DiscussionSettings.current().pk).update(mode=mode)


class AvatarKeyTests(TestCase):
    def test_comments_proven_by_one_address_share_its_avatar_whatever_the_case(self):
        first = CommentFactory(email=ADDRESS, name="Owner", proven=True)
        second = CommentFactory(email=f"  {ADDRESS.lower()} ", name="Owner", proven=True)
        third = CommentFactory(email=ADDRESS.upper(), name="Owner", proven=True)

        assert avatar_svg(first) == avatar_svg(second) == avatar_svg(third)

    def test_different_addresses_draw_different_avatars(self):
        comments = [
            CommentFactory(email=f"reader.{n}@mail.example", proven=True) for n in range(20)
        ]

        drawn = {avatar_svg(comment) for comment in comments}

        assert len(drawn) >= 18  # 24 drawn bits: a collision among 20 is very unlikely

    def test_comments_nobody_proved_draw_an_avatar_each_even_under_one_address(self):
        comments = [CommentFactory(email=ADDRESS, name="Owner") for _ in range(20)]

        drawn = {avatar_svg(comment) for comment in comments}

        assert len(drawn) >= 18
        address_avatar = avatars.svg(**avatars.drawing(avatars.address_key(digest(ADDRESS))))
        assert address_avatar not in drawn

    def test_the_address_avatar_is_neither_a_plain_hash_nor_the_lookup_digest(self):
        comment = CommentFactory(email=ADDRESS, proven=True)
        value = comment.avatar_key
        normalised = ADDRESS.lower()

        assert value == avatars.address_key(digest(ADDRESS))
        plain = {hashlib.new(name, normalised.encode()).hexdigest() for name in ("md5", "sha256")}
        assert value not in plain
        assert value != digest(ADDRESS)
        assert value != keyed_token("avatar", normalised)
        assert digest(ADDRESS) not in avatar_svg(comment)

    def test_the_address_avatar_depends_on_the_sites_key(self):
        before = avatars.address_key(digest(ADDRESS))

        with override_settings(COMMENT_EMAIL_HMAC_KEY="another-site-key"):
            after = avatars.address_key(digest(ADDRESS))

        assert before != after

    def test_drawing_reads_only_the_stored_drawing_never_the_address(self):
        stored = CommentFactory(email=ADDRESS, proven=True)
        comment = Comment.objects.only("pk", "avatar_colour", "avatar_path").get(pk=stored.pk)

        with self.assertNumQueries(0):
            drawn = avatar_svg(comment)

        assert drawn == avatar_svg(stored)
        assert comment.get_deferred_fields() >= {"email", "email_digest", "avatar_key"}

    def test_the_stored_drawing_is_the_avatar_keys_whenever_the_key_changes(self):
        comment = CommentFactory(email=ADDRESS)
        own = avatar_svg(comment)

        comment.draw_address_avatar()
        comment.save(update_fields=["avatar_key"])

        stored = Comment.objects.get(pk=comment.pk)
        assert (stored.avatar_colour, stored.avatar_path) == tuple(
            avatars.drawing(avatars.address_key(digest(ADDRESS))).values()
        )
        assert avatar_svg(stored) != own

    def test_the_drawn_path_fills_exactly_the_patterns_cells(self):
        for value in (
            bytes(32),
            bytes([255]) * 32,
            *(hashlib.sha256(bytes([n])).digest() for n in range(200)),
        ):
            assert painted_cells(avatars.path(value)) == cells(value)

    def test_every_pattern_fits_the_stored_path(self):
        longest = max(
            len(avatars.path(bits.to_bytes(2, "big") + bytes(2))) for bits in range(1 << 15)
        )

        assert longest == avatars.LONGEST_PATH
        assert Comment._meta.get_field("avatar_path").max_length == avatars.LONGEST_PATH

    def test_the_pattern_is_symmetric_and_never_empty(self):
        for value in (bytes(32), bytes([255]) * 32, hashlib.sha256(b"x").digest()):
            filled = set(cells(value))

            assert filled
            assert all((4 - column, row) in filled for column, row in filled)

    def test_the_svg_is_decorative_small_and_has_no_style_attribute(self):
        svg = avatar_svg(CommentFactory(email=ADDRESS))

        assert 'aria-hidden="true"' in svg
        assert "<title" not in svg
        assert "href" not in svg
        assert "style" not in svg  # the Content-Security-Policy forbids inline styles
        assert len(svg) <= 90 + avatars.LONGEST_PATH


class GuessedAddressAvatarTests(TestCase):
    """Whoever types the owner's address, in a browser that does not prove it, draws an avatar
    of the comment's own: the page never shows the owner's beside a guess."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.owners = CommentFactory(article=cls.article, email=ADDRESS, name="Owner", proven=True)

    def post(self, client, **fields):
        return client.post(
            reverse("comments:post", kwargs={"slug": self.article.slug}), valid_data(**fields)
        )

    def page(self):
        return self.client.get(self.article.get_absolute_url()).content.decode()

    def test_a_guess_published_at_once_never_draws_the_owners_avatar(self):
        set_mode(DiscussionSettings.Mode.APPROVE_ALL)

        for n, typed in enumerate((ADDRESS, ADDRESS.lower(), f" {ADDRESS.upper()}")):
            assert self.post(Client(), email=typed, body=f"Guess {n}.").status_code == 302

        content = self.page()
        owners = avatar_of(content, self.owners)
        for guess in Comment.objects.exclude(pk=self.owners.pk):
            assert guess.status == Comment.Status.APPROVED
            assert avatar_of(content, guess) != owners
            assert guess.avatar_key != self.owners.avatar_key

    def test_a_guess_a_moderator_approves_never_draws_the_owners_avatar(self):
        set_mode(DiscussionSettings.Mode.TRUSTED)
        CommenterAddress.objects.create(email=ADDRESS, verified_at=timezone.now())
        self.post(Client(), email=ADDRESS, body="A harmless-looking guess.")
        guess = Comment.objects.get(body="A harmless-looking guess.")
        assert guess.moderation_rule == "unproven"

        guess.approve(by=StaffFactory(role="Moderator"))

        content = self.page()
        assert avatar_of(content, guess) != avatar_of(content, self.owners)

    def test_the_owners_proven_browser_draws_the_owners_avatar(self):
        for mode in DiscussionSettings.Mode.values:
            set_mode(mode)
            owner = Client()
            prove_address(owner, ADDRESS)

            self.post(owner, email=ADDRESS.upper(), body=f"From my own browser ({mode}).")

            comment = Comment.objects.get(body=f"From my own browser ({mode}).")
            comment.approve()  # whatever the mode decided
            content = self.page()
            assert avatar_of(content, comment) == avatar_of(content, self.owners), mode

    def test_comments_by_staff_draw_their_accounts_avatar(self):
        moderator = StaffFactory(role="Moderator", email="desk@newsroom.example")
        reply, _ = staff_replies.reply_as_staff(
            self.owners, "Thank you, we corrected it.", moderator
        )
        again = CommentFactory(
            article=self.article, staff_user=moderator, email=moderator.email, body="Again."
        )

        content = self.page()
        assert avatar_of(content, reply) == avatar_of(content, again)
        assert reply.avatar_key == avatars.address_key(digest(moderator.email))


class ConfirmationAvatarTests(TestCase):
    """Confirming the address gives its avatar to what the confirming browser wrote under it,
    and to nothing written elsewhere."""

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def test_the_confirming_browsers_comments_take_the_address_avatar_and_no_others(self):
        CommentFactory(article=self.article, email=ADDRESS, body="Approved earlier.")
        address = CommenterAddress.objects.create(email=ADDRESS)
        owner, impostor = "b" * 64, "a" * 64
        held = [
            CommentFactory(
                article=self.article,
                email=ADDRESS,
                body=f"Held from {who}.",
                status=Comment.Status.PENDING,
                moderation_rule="unconfirmed",
                browser_digest=browser,
            )
            for who, browser in (("the owner", owner), ("an impostor", impostor))
        ]
        published_earlier = CommentFactory(
            article=self.article, email=ADDRESS, body="Published earlier.", browser_digest=owner
        )

        with self.captureOnCommitCallbacks(execute=True):
            verification.confirm_address(address, browser_digest=owner)

        owners, impostors = (Comment.objects.get(pk=comment.pk) for comment in held)
        published_earlier.refresh_from_db()
        address_key = avatars.address_key(digest(ADDRESS))
        assert owners.status == Comment.Status.APPROVED
        assert owners.avatar_key == published_earlier.avatar_key == address_key
        assert impostors.avatar_key != address_key
        assert Comment.objects.get(body="Approved earlier.").avatar_key != address_key


class ErasedAvatarTests(TestCase):
    def test_erased_comments_draw_an_avatar_each_unlike_the_address(self):
        article = ArticleFactory()
        kept = [
            CommentFactory(article=article, email=ADDRESS, body=f"Kept {n}.", proven=True)
            for n in range(3)
        ]
        address_avatar = avatar_svg(kept[0])

        personal_data.erase(ADDRESS)

        content = self.client.get(article.get_absolute_url()).content.decode()
        drawn = [avatar_of(content, comment) for comment in kept]
        assert len(set(drawn)) == 3
        assert address_avatar not in drawn


@every_request_rendered
class AvatarOnThePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.owner = CommentFactory(article=cls.article, email=ADDRESS, name="Owner", proven=True)
        cls.reply = CommentFactory(
            article=cls.article, parent=cls.owner, email="other@mail.example", name="Other"
        )
        cls.again = CommentFactory(
            article=cls.article, email=ADDRESS.lower(), name="Owner", proven=True
        )

    def test_every_approved_comment_has_an_inline_avatar_beside_its_name(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode()

        drawn = avatars_on(content)
        assert len(drawn) == 3
        assert drawn[0] == drawn[2] != drawn[1]  # posting order: owner, reply, owner again
        for comment in (self.owner, self.reply, self.again):
            block = content.split(f'id="comment-{comment.pk}"', 1)[1]
            assert block.index("<svg") < block.index(comment.name)

    def test_no_avatar_is_an_image_url_or_carries_the_address(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode().lower()

        assert "gravatar" not in content
        assert "<img" not in "".join(avatars_on(content))
        for needle in (
            ADDRESS.lower(),
            hashlib.md5(ADDRESS.lower().encode()).hexdigest(),
            hashlib.sha256(ADDRESS.lower().encode()).hexdigest(),
            digest(ADDRESS),
            self.owner.avatar_key,
            self.reply.avatar_key,
        ):
            assert needle not in content

    def test_the_article_page_never_loads_an_address_or_its_digest(self):
        url = self.article.get_absolute_url()

        with CaptureQueriesContext(connection) as queries:
            self.client.get(url)

        table = Comment._meta.db_table
        comment_queries = [query["sql"] for query in queries if table in query["sql"]]
        assert comment_queries
        for sql in comment_queries:
            assert "email_digest" not in sql
            assert f'"{table}"."email"' not in sql

    def test_avatars_add_no_query(self):
        url = self.article.get_absolute_url()
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        for n in range(10):
            CommentFactory(article=self.article, email=f"more.{n}@mail.example")
        with CaptureQueriesContext(connection) as many:
            content = self.client.get(url).content.decode()

        assert len(avatars_on(content)) == Comment.objects.approved().count()
        assert len(many) == len(few)


class AvatarMigrationTests(TransactionTestCase):
    """The migration adding the stored avatars keeps the address's avatar only on comments its
    owner is known to have written (approved as trusted, or by staff)."""

    serialized_rollback = True  # keep the rows the migrations created

    def test_comments_stored_before_keep_the_address_avatar_only_when_proven(self):
        old_apps = migrated_to_just_before("comments", "_comment_avatar_key")
        article = ArticleFactory()
        old_comment = old_apps.get_model("comments", "Comment")
        rules = ["trusted", "staff", "approve_all", "unproven", "", "trusted"]
        for n, rule in enumerate(rules):
            old_comment.objects.create(
                article_id=article.pk,
                name=f"Reader {n}",
                email=ADDRESS,
                email_digest=digest(ADDRESS) if n < 5 else "",
                body=f"Comment {n}.",
                status="approved",
                moderation_rule=rule,
            )

        migrated_to_the_latest()

        keys = dict(Comment.objects.values_list("body", "avatar_key"))
        address_key = avatars.address_key(digest(ADDRESS))
        assert keys["Comment 0."] == keys["Comment 1."] == address_key
        others = [keys[f"Comment {n}."] for n in (2, 3, 4, 5)]
        assert len(set(others)) == 4
        assert address_key not in others
        assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys.values())
