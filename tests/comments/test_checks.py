"""The system check warns a production site whose comment keys hang on SECRET_KEY."""

from django.core.checks import run_checks
from django.test import SimpleTestCase, override_settings

from comments.checks import ENCRYPTION_KEYS_DERIVED, HMAC_KEY_DERIVED

FERNET_KEY = "0qCHDyYMP2H5yTvXH7G5Nf2l_CzHEjcQlnzi62kg4n8="


def warning_ids():
    return {message.id for message in run_checks() if message.id.startswith("comments.")}


class CommentKeyCheckTests(SimpleTestCase):
    @override_settings(DEBUG=False, COMMENT_EMAIL_KEYS=[], COMMENT_EMAIL_HMAC_KEY="")
    def test_production_with_derived_keys_is_warned_about_both(self):
        assert warning_ids() == {ENCRYPTION_KEYS_DERIVED, HMAC_KEY_DERIVED}

    @override_settings(DEBUG=False, COMMENT_EMAIL_KEYS=[FERNET_KEY], COMMENT_EMAIL_HMAC_KEY="")
    def test_only_the_missing_key_is_named(self):
        assert warning_ids() == {HMAC_KEY_DERIVED}

    @override_settings(
        DEBUG=False, COMMENT_EMAIL_KEYS=[FERNET_KEY], COMMENT_EMAIL_HMAC_KEY="a-long-random-key"
    )
    def test_production_with_its_own_keys_passes(self):
        assert warning_ids() == set()

    @override_settings(DEBUG=True, COMMENT_EMAIL_KEYS=[], COMMENT_EMAIL_HMAC_KEY="")
    def test_development_is_not_nagged(self):
        assert warning_ids() == set()
