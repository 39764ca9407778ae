"""The "save my name, email, and website in this browser" checkbox, and its cookie.

Opt-in, like WordPress's consent checkbox, and stricter:

- no consent, no cookie: without the box ticked nothing is set, and posting with it unticked
  clears a cookie set before;
- the cookie is signed (tampering voids it), expires after a year, is HttpOnly (scripts cannot
  read it), SameSite=Lax, and Secure wherever the session cookie is (and on HTTPS); the address
  inside is encrypted like a stored one (comments/commenters/privacy.py), so it is not readable in
  the browser's cookie store, a proxy's log or a crash report either;
- a page showing the form prefilled is personal to that browser: every response to a browser
  holding the cookie is marked private and not to be stored, and varies on Cookie, so no
  shared cache can hand one reader's address to another (`PrivateForRememberedMiddleware`).
"""

import datetime

from django.conf import settings
from django.core import signing
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from .privacy import UnreadableAddress, decrypt, encrypt

COOKIE_NAME = "byline_commenter"
COOKIE_MAX_AGE = datetime.timedelta(days=365)
SALT = "byline.comments.commenters.remember"


def remembered(request):
    """The details saved in this browser, as form initial data, or {} when there are none.

    A cookie that is forged, expired, malformed or encrypted under a retired key counts as none.
    """
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return {}
    try:
        saved = signing.loads(value, salt=SALT, max_age=COOKIE_MAX_AGE)
        details = {
            "name": str(saved["name"]),
            "email": decrypt(str(saved["email"])),
            "website": str(saved.get("website", "")),
        }
    except (signing.BadSignature, UnreadableAddress, KeyError, TypeError, ValueError):
        return {}
    return {**details, "remember": True}


def remember(request, response, name, email, website=""):
    """Save the commenter's details in their browser (they ticked the box)."""
    value = signing.dumps(
        {"name": name, "email": encrypt(email), "website": website or ""},
        salt=SALT,
        compress=True,
    )
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def forget(request, response):
    """Clear the saved details, if this browser holds any."""
    if COOKIE_NAME in request.COOKIES:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")


def update_after_posting(request, response, form):
    """Save or clear the details after the comment form was posted, as the commenter chose.

    Details are saved only from a valid form whose box is ticked; an unticked box clears them
    even when the comment itself was refused (consent withdrawn counts at once). A form
    without the box (a moderator's, who comments under their account) leaves them alone.
    """
    if "remember" not in form.fields:
        return
    if form.is_valid() and form.cleaned_data.get("remember"):
        data = form.cleaned_data
        remember(request, response, data["name"], data["email"], data.get("website", ""))
    elif not form.data.get("remember"):
        forget(request, response)


def mark_personal(request):
    """Say that the page for `request` shows its reader's own details (e.g. the name a signed-in
    moderator comments under): `PrivateForRememberedMiddleware` keeps it out of shared caches."""
    request.shows_personal_details = True


class PrivateForRememberedMiddleware:
    """Keep pages that may show a reader's own saved details out of every shared cache (and
    pages marked with `mark_personal`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            COOKIE_NAME in request.COOKIES
            or COOKIE_NAME in response.cookies
            or getattr(request, "shows_personal_details", False)
        ):
            add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
        return response
