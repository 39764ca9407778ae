"""Commenters' addresses: the one module that turns an address into what is stored, and back.

An address is never stored in clear. The database holds two things per address:

- the address encrypted with Fernet (`cryptography`), under the keys in
  `settings.COMMENT_EMAIL_KEYS`, newest first. Decryption tries every key, so a new key is put
  in front, `manage.py rotate_comment_keys` re-encrypts every stored address under it, and the
  old key is dropped afterwards. A database dump without the keys reveals no address.
- a keyed HMAC-SHA256 digest of the normalised address (`settings.COMMENT_EMAIL_HMAC_KEY`),
  used for lookups: trusted commenters, rate limits, erase requests. It is not a plain hash:
  without the key nobody can test a guess against it. It never leaves the server either.

Nothing here is rendered: templates get neither the address nor the digest. Staff see an
address only where `comments.permissions.may_see_addresses` allows it.
"""

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts so: version byte 0x80, then a timestamp


class UnreadableAddress(Exception):
    """A stored address could not be decrypted with any configured key."""


def normalise(address):
    """The form of an address that digests and comparisons use: trimmed and lower-cased."""
    return (address or "").strip().lower()


def _derived_key(purpose):
    """A key derived from SECRET_KEY, for machines that configure no dedicated key."""
    material = hashlib.sha256(f"byline.{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(material)


@functools.lru_cache(maxsize=4)
def _multi_fernet(keys):
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "COMMENT_EMAIL_KEYS must hold url-safe base64 Fernet keys "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')."
        ) from error


def _fernet():
    """The configured keys, built once per configuration (every stored address is decrypted
    through here, so the admin's lists do not rebuild them row by row)."""
    keys = tuple(settings.COMMENT_EMAIL_KEYS) or (_derived_key("comment-email-encryption"),)
    return _multi_fernet(keys)


def _hmac_key():
    key = settings.COMMENT_EMAIL_HMAC_KEY or _derived_key("comment-email-digest").decode()
    return key.encode()


def encrypt(address):
    return _fernet().encrypt(address.encode()).decode()


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise UnreadableAddress("No configured key decrypts this address.") from error


def reencrypt(token):
    """The same address encrypted under the newest key (for key rotation)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise UnreadableAddress("No configured key decrypts this address.") from error


def digest(address):
    """The keyed lookup digest of an address (hex), or "" for no address."""
    address = normalise(address)
    if not address:
        return ""
    return hmac.new(_hmac_key(), address.encode(), hashlib.sha256).hexdigest()


def keyed_token(purpose, value):
    """A keyed HMAC of `value` for another purpose (e.g. avatars), unlinkable to `digest`."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(_hmac_key(), message, hashlib.sha256).hexdigest()


class EncryptedEmailField(models.TextField):
    """An email address, encrypted in the database and plain in Python.

    Forms see an ordinary EmailField. Every encryption differs, so a lookup such as
    `filter(email=...)` could never match: lookups other than `isnull` are refused (FieldError)
    rather than silently finding nothing. Look an address up by its digest instead
    (`Comment.objects.from_address`).
    """

    description = "Email address (encrypted at rest)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(*args, **kwargs)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def to_python(self, value):
        # A serialised (dumped) address is its ciphertext: loaddata decrypts it back here. An
        # address always holds "@", which the url-safe base64 of a Fernet token never does.
        value = super().to_python(value)
        if value and "@" not in value and value.startswith(FERNET_PREFIX):
            return decrypt(value)
        return value

    def value_to_string(self, obj):
        """Serialise (`manage.py dumpdata`, fixtures) the address encrypted, as stored, so that
        a dump made with Django's own tools reveals no address either."""
        value = self.value_from_object(obj)
        return encrypt(value) if value else value

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.EmailField,
            "max_length": self.max_length,
            "widget": forms.EmailInput,
        }
        return super().formfield(**{**defaults, **kwargs})
