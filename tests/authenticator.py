"""What an authenticator app does with a secret: the tests' stand-in for a phone."""

import time
from base64 import b32decode
from binascii import hexlify, unhexlify

from django_otp.oath import TOTP


def key_from_secret(secret):
    """The hex key behind a base32 secret as the set-up page shows it (in groups of four)."""
    secret = "".join(secret.split())
    return hexlify(b32decode(secret + "=" * (-len(secret) % 8))).decode()


def code_for(hex_key, steps_ahead=0):
    """The six-digit code the app shows now (or `steps_ahead` periods of 30 seconds later)."""
    totp = TOTP(unhexlify(hex_key))
    totp.time = time.time() + steps_ahead * totp.step
    return f"{totp.token():06d}"


def wrong_code_for(hex_key):
    return f"{(int(code_for(hex_key)) + 1) % 1_000_000:06d}"
