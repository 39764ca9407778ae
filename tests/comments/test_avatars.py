"""Avatars are drawn locally from a keyed value: stable per address, never a hash of it."""

import hashlib
import re

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from comments.avatars import avatar_svg, avatar_value, cells
from comments.models import Comment
from comments.privacy import digest, keyed_token
from tests.factories import ArticleFactory, CommentFactory

ADDRESS = "Avatar.Owner@private-mail.example"
SVG = re.compile(r"<svg[^>]*comment__avatar[^>]*>.*?</svg>", re.S)


def avatars_on(content):
    return SVG.findall(content)


class AvatarValueTests(TestCase):
    def test_the_same_address_in_any_case_or_spacing_draws_the_same_avatar(self):
        first = CommentFactory(email=ADDRESS, name="Owner")
        second = CommentFactory(email=f"  {ADDRESS.lower()} ", name="Someone Else")
        third = CommentFactory(email=ADDRESS.upper(), name="Owner")

        assert avatar_svg(first) == avatar_svg(second) == avatar_svg(third)

    def test_different_addresses_draw_different_avatars(self):
        comments = [CommentFactory(email=f"reader.{n}@mail.example") for n in range(20)]

        drawn = {avatar_svg(comment) for comment in comments}

        assert len(drawn) >= 18  # 24 drawn bits: a collision among 20 is very unlikely

    def test_the_avatar_value_is_neither_a_plain_hash_nor_the_lookup_digest(self):
        comment = CommentFactory(email=ADDRESS)
        value = avatar_value(comment).hex()
        normalised = ADDRESS.lower()

        plain = {hashlib.new(name, normalised.encode()).hexdigest() for name in ("md5", "sha256")}
        assert value not in plain
        assert value != digest(ADDRESS)
        assert value != keyed_token("avatar", normalised)
        assert digest(ADDRESS) not in avatar_svg(comment)

    def test_the_avatar_depends_on_the_sites_key(self):
        comment = CommentFactory(email=ADDRESS)
        before = avatar_svg(comment)

        with override_settings(COMMENT_EMAIL_HMAC_KEY="another-site-key"):
            comment.save()  # the digest follows the key
            after = avatar_svg(comment)

        assert before != after

    def test_the_pattern_is_symmetric_and_never_empty(self):
        for value in (bytes(32), bytes([255]) * 32, hashlib.sha256(b"x").digest()):
            filled = set(cells(value))

            assert filled
            assert all((4 - column, row) in filled for column, row in filled)

    def test_the_svg_is_decorative(self):
        svg = avatar_svg(CommentFactory(email=ADDRESS))

        assert 'aria-hidden="true"' in svg
        assert 'focusable="false"' in svg
        assert "<title" not in svg
        assert "href" not in svg


class AvatarOnThePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()
        cls.owner = CommentFactory(article=cls.article, email=ADDRESS, name="Owner")
        cls.reply = CommentFactory(
            article=cls.article, parent=cls.owner, email="other@mail.example", name="Other"
        )
        cls.again = CommentFactory(article=cls.article, email=ADDRESS.lower(), name="Owner")

    def test_every_approved_comment_has_an_inline_avatar_beside_its_name(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode()

        drawn = avatars_on(content)
        assert len(drawn) == 3
        assert drawn[0] == drawn[2] != drawn[1]  # posting order: owner, reply, owner again
        for comment in (self.owner, self.reply, self.again):
            block = content.split(f'id="comment-{comment.pk}"', 1)[1]
            assert block.index("comment__avatar") < block.index(comment.name)

    def test_no_avatar_is_an_image_url_or_carries_the_address(self):
        content = self.client.get(self.article.get_absolute_url()).content.decode().lower()

        assert "gravatar" not in content
        assert "<img" not in "".join(avatars_on(content))
        for needle in (
            ADDRESS.lower(),
            hashlib.md5(ADDRESS.lower().encode()).hexdigest(),
            hashlib.sha256(ADDRESS.lower().encode()).hexdigest(),
            digest(ADDRESS),
            avatar_value(self.owner).hex(),
        ):
            assert needle not in content

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
