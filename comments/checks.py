"""System checks for the comment keys (run by `manage.py check`, `migrate`, `runserver`).

Without COMMENT_EMAIL_KEYS and COMMENT_EMAIL_HMAC_KEY, comments/commenters/privacy.py derives both
keys from SECRET_KEY. That is convenient on a laptop but dangerous in production: SECRET_KEY is the
key people rotate after a leak, and rotating it would silently make every stored address
unreadable and change every lookup digest (trusted commenters, erase requests, disallowed
addresses). So a production site (DEBUG off) is warned until it sets both keys itself.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register

ENCRYPTION_KEYS_DERIVED = "comments.W001"
HMAC_KEY_DERIVED = "comments.W002"


@register(Tags.security)
def check_comment_keys(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    warnings = []
    if not settings.COMMENT_EMAIL_KEYS:
        warnings.append(
            Warning(
                "COMMENT_EMAIL_KEYS is not set: commenters' addresses are encrypted with a key "
                "derived from SECRET_KEY, so changing SECRET_KEY makes them unreadable.",
                hint="Set COMMENT_EMAIL_KEYS to a Fernet key (python -c 'from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') "
                "before addresses are stored; on a site that has some, see key rotation in "
                "comments/commenters/privacy.py.",
                id=ENCRYPTION_KEYS_DERIVED,
            )
        )
    if not settings.COMMENT_EMAIL_HMAC_KEY:
        warnings.append(
            Warning(
                "COMMENT_EMAIL_HMAC_KEY is not set: address digests (trusted commenters, erase "
                "requests, disallowed addresses) use a key derived from SECRET_KEY, so "
                "changing SECRET_KEY forgets every commenter.",
                hint="Set COMMENT_EMAIL_HMAC_KEY to a long random string "
                "(python -c 'import secrets; print(secrets.token_urlsafe(50))') before the "
                "first comment, or recompute the digests when you set it.",
                id=HMAC_KEY_DERIVED,
            )
        )
    return warnings
