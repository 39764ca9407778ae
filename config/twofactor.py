"""Two-factor sign-in for staff: who must use it, and adding, checking and removing the app.

A staff member may add one authenticator app (a TOTP device from django-otp) on the admin's
"Two-factor authentication" page: the page shows a new secret as a QR code and as text, and the
device is saved only once a first code from the app matches. From then on the admin's sign-in
asks for a code as well as the password (config/forms.py), and an admin session counts only if
a code was given in it (`NewsroomAdminSite.has_permission`), so sessions opened before the app
was added must sign in again.

Settings make it compulsory: OTP_REQUIRED_GROUPS names staff groups (roles from
config/roles.py) and OTP_REQUIRED_FOR_SUPERUSERS the administrators. Such a user without an app
is sent to the page right after signing in with their password and reaches nothing else in the
admin until a device is saved, and may replace the app but not remove it. An administrator who
lost their phone is helped by another administrator, who deletes the device under
"OTP TOTP › TOTP devices".
"""

import time
from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.db import transaction
from django.utils.safestring import mark_safe
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp import login as remember_device_in_session
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

DEVICE_NAME = "Authenticator app"
PENDING_KEY_SESSION_KEY = "two_factor_pending_key"
_NO_DEVICE = object()


def is_required_for(user):
    """Whether the settings oblige this staff member to sign in with a code."""
    if user.is_superuser and settings.OTP_REQUIRED_FOR_SUPERUSERS:
        return True
    required_groups = set(settings.OTP_REQUIRED_GROUPS)
    if not required_groups:
        return False
    if not hasattr(user, "_two_factor_required"):
        user._two_factor_required = user.groups.filter(name__in=required_groups).exists()
    return user._two_factor_required


def device_for(user):
    """The user's confirmed authenticator, or None; looked up once per request."""
    if getattr(user, "otp_device", None) is not None:
        return user.otp_device
    cached = getattr(user, "_two_factor_device", _NO_DEVICE)
    if cached is _NO_DEVICE:
        cached = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        user._two_factor_device = cached
    return cached


def session_is_verified(user):
    """True when this session may act for the user: a code was given, or there is no app.

    `is_verified` comes from django-otp's middleware; a request that skipped it has given none.
    """
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    return device_for(user) is None


def needs_enrolment(user):
    return device_for(user) is None and is_required_for(user)


def check_code(user, device, code):
    """Whether `code` is the device's current one; each code works once, wrong ones throttle."""
    return verify_token(user, device.persistent_id, code) is not None


def may_try_a_code(device):
    """False for a short, growing wait after each wrong code (django-otp's throttling)."""
    allowed, _details = device.verify_is_allowed()
    return allowed


# ADDING AN APP
# ------------------------------------------------------------------------------


def pending_key(session):
    """The secret being set up in this session: the same one until a device is saved."""
    if PENDING_KEY_SESSION_KEY not in session:
        session[PENDING_KEY_SESSION_KEY] = random_hex(20)
    return session[PENDING_KEY_SESSION_KEY]


def secret_for_typing(key):
    """The hex key as the base32 text apps accept, in groups of four."""
    secret = b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_qr_code(user, key):
    """An inline SVG QR code of the otpauth:// address an authenticator app scans."""
    uri = TOTPDevice(user=user, key=key).config_url
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, light="#fff", title="QR code to scan with your authenticator app"
    )
    # segno's own markup, drawing a URI it encoded; nothing in it is echoed from a request.
    return mark_safe(svg)


def matching_time_step(key, code):
    """The time step at which `code` is the key's code (allowing one step either way), or None.

    Used before the device exists, to prove the app was set up with this key.
    """
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    if not code.isdigit() or not totp.verify(int(code), tolerance=1):
        return None
    return totp.t()


@transaction.atomic
def enrol(request, key, time_step):
    """Save the user's authenticator (replacing any earlier one) and count this session as verified.

    The confirming code's time step is recorded so the same code cannot sign in again.
    """
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, key=key, confirmed=True, last_t=time_step
    )
    request.session.pop(PENDING_KEY_SESSION_KEY, None)
    request.session.cycle_key()
    remember_device_in_session(request, device)
    user._two_factor_device = device
    return device


def remove(request):
    """Remove the user's authenticator: from now on the password alone signs them in."""
    TOTPDevice.objects.filter(user=request.user).delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.cycle_key()
    request.user.otp_device = None
    request.user._two_factor_device = None
