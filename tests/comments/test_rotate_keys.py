"""`manage.py rotate_comment_keys` moves every stored address onto the newest key."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings

from comments.commenters import privacy
from comments.models import Comment, CommenterAddress
from tests.factories import CommentFactory

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
STRANGER_KEY = Fernet.generate_key().decode()


def stored_tokens(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT email FROM {table} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def rotate():
    out = io.StringIO()
    call_command("rotate_comment_keys", stdout=out)
    return out.getvalue()


class RotateCommentKeysTests(TestCase):
    def setUp(self):
        with override_settings(COMMENT_EMAIL_KEYS=[OLD_KEY]):
            self.comments = [CommentFactory(email=f"reader{n}@mail.example") for n in range(3)]
            self.address = CommenterAddress.objects.create(email="reader0@mail.example")

    def test_every_address_is_readable_with_the_new_key_alone_afterwards(self):
        with override_settings(COMMENT_EMAIL_KEYS=[NEW_KEY, OLD_KEY]):
            output = rotate()

        with override_settings(COMMENT_EMAIL_KEYS=[NEW_KEY]):
            emails = sorted(Comment.objects.values_list("email", flat=True))
            assert emails == [f"reader{n}@mail.example" for n in range(3)]
            assert CommenterAddress.objects.get().email == "reader0@mail.example"
            for token in stored_tokens("comments_comment"):
                assert privacy.decrypt(token)
        assert "Re-encrypted 4 address(es)." in output

    def test_digests_are_unchanged_so_lookups_still_work(self):
        with override_settings(COMMENT_EMAIL_KEYS=[NEW_KEY, OLD_KEY]):
            rotate()
            found = Comment.objects.from_address("READER1@mail.example").get()

        assert found == self.comments[1]

    def test_an_address_no_key_decrypts_stops_the_rotation_and_changes_nothing(self):
        with override_settings(COMMENT_EMAIL_KEYS=[STRANGER_KEY]):
            CommentFactory(email="lost@mail.example")
        before = stored_tokens("comments_comment")

        with (
            override_settings(COMMENT_EMAIL_KEYS=[NEW_KEY, OLD_KEY]),
            pytest.raises(CommandError, match="nothing was changed"),
        ):
            rotate()

        assert stored_tokens("comments_comment") == before
