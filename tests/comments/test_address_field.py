"""The encrypted address field: clear in Python, unreadable in the table, found by digest."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection
from django.test import TestCase, override_settings

from comments.commenters import privacy
from comments.models import Comment, CommenterAddress
from tests.factories import CommentFactory, HeldCommentFactory

ADDRESS = "Reader.Private@Mail.example"


def stored_column(comment):
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM comments_comment WHERE id = %s", [comment.pk])
        return cursor.fetchone()[0]


class EncryptedAddressTests(TestCase):
    def test_the_table_holds_a_token_and_python_the_address(self):
        comment = CommentFactory(email=ADDRESS)

        stored = stored_column(comment)
        assert stored.startswith(privacy.FERNET_PREFIX)
        assert "mail.example" not in stored.lower()
        assert Comment.objects.get(pk=comment.pk).email == ADDRESS

    def test_the_same_address_encrypts_differently_each_time(self):
        first, second = CommentFactory(email=ADDRESS), CommentFactory(email=ADDRESS)

        assert stored_column(first) != stored_column(second)
        assert first.email_digest == second.email_digest

    def test_an_address_is_found_by_its_digest_whatever_its_case_and_spaces(self):
        comment = CommentFactory(email=ADDRESS)
        CommentFactory(email="someone.else@mail.example")

        assert list(Comment.objects.from_address(f"  {ADDRESS.lower()} ")) == [comment]

    def test_an_address_is_found_in_any_case_and_spacing_and_by_its_row(self):
        first = CommentFactory(email=ADDRESS)
        second = HeldCommentFactory(email=f"\t{ADDRESS.upper()}  ")
        CommentFactory(email="someone.else@mail.example")
        address = CommenterAddress.objects.create(email=ADDRESS)
        spellings = [ADDRESS, ADDRESS.lower(), ADDRESS.upper(), f" {ADDRESS} \n", address]

        for spelling in spellings:
            assert set(Comment.objects.from_address(spelling)) == {first, second}, spelling

    def test_no_address_finds_no_comments_not_even_those_without_one(self):
        CommentFactory(email="")

        for nothing in ("", "   ", None):
            assert not Comment.objects.from_address(nothing).exists()

    def test_lookups_that_could_never_match_are_refused(self):
        CommentFactory(email=ADDRESS)

        for lookup in ("email", "email__iexact", "email__startswith", "email__in"):
            with self.subTest(lookup=lookup), pytest.raises(FieldError):
                value = [ADDRESS] if lookup.endswith("__in") else ADDRESS
                list(Comment.objects.filter(**{lookup: value}))
        assert not Comment.objects.filter(email__isnull=True).exists()


class KeyRotationTests(TestCase):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()

    def test_an_address_encrypted_under_an_old_key_is_reencrypted_under_the_new_one(self):
        with override_settings(COMMENT_EMAIL_KEYS=[self.old_key]):
            token = privacy.encrypt(ADDRESS)

        with override_settings(COMMENT_EMAIL_KEYS=[self.new_key, self.old_key]):
            assert privacy.decrypt(token) == ADDRESS
            rotated = privacy.reencrypt(token)

        with override_settings(COMMENT_EMAIL_KEYS=[self.new_key]):
            assert privacy.decrypt(rotated) == ADDRESS
            with pytest.raises(privacy.UnreadableAddress):
                privacy.decrypt(token)

    def test_a_malformed_key_is_a_configuration_error_that_says_how_to_make_one(self):
        with (
            override_settings(COMMENT_EMAIL_KEYS=["not-a-fernet-key"]),
            pytest.raises(ImproperlyConfigured, match="Fernet.generate_key"),
        ):
            privacy.encrypt(ADDRESS)
