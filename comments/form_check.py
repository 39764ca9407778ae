"""The comment form's check: how a form served from a shared cache is still protected.

An anonymous reader's article page is the same for everyone (a shared cache, or a front cache
such as Varnish, may serve it without entering Python), so its comment form carries no
per-reader value: no CSRF token, no time token. What they used to carry comes instead from a
tiny, never-cached resource inside the form, the form check: an `<img>` every browser loads
without JavaScript (`views.posting.form_check`). Its answer sets this module's cookie, a signed
form token (`forms.form_token`: when the form was loaded, and a random part naming that load),
and posting reads it back:

- its age gives the "too fast" (spam) and "expired" rules, as the hidden field did;
- its random part names the served form for the duplicate check (`moderation.submission_key`);
- it stands in for Django's CSRF token: the cookie is SameSite=Strict, so a browser sends it
  only with a posting made from this site's own pages (never with a forged cross-site one),
  and browsers refuse to set it from a cross-site subresource. Anonymous postings also pass an
  Origin (or, without Origin, on HTTPS, Referer) same-origin check, as Django's middleware
  makes (`cross_site_refusal`): defence in depth.

Pages that are personal anyway (the form shown again with its errors, a moderator's form, a
reader's prefilled form) also carry the token in the hidden `timestamp` field, and the error
page sets the cookie too, so a browser that did not load the image (images off, a text
browser) can post on the second try. Moderators, who post from a session, keep Django's full
CSRF check instead (`staff_csrf_refusal`).

The cookie holds a time and a random value, nothing about the reader; its path is the
article's posting URL, so forms open on several articles do not overwrite each other's.
"""

import datetime
import logging

from django.conf import settings
from django.middleware.csrf import REASON_BAD_ORIGIN, CsrfViewMiddleware, RejectRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .forms import form_token, form_token_age

logger = logging.getLogger("django.security.csrf")

COOKIE_NAME = "byline_form"
#: The cookie's lifetime. The form's real limit is the discussion settings'
#: `max_form_age_hours`, enforced when posting (an older token gets "your form expired");
#: reading it here would cost the form check a database query, so the cookie simply outlives
#: any usual setting.
COOKIE_MAX_AGE = datetime.timedelta(days=7)
#: A transparent 1×1 GIF: the form check's answer, so the `<img>` never shows as broken.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def cookie_path(slug):
    """The cookie goes only where it is needed: the article's posting URL."""
    return reverse("comments:post", kwargs={"slug": slug})


def give_token(request, response, slug, token=None):
    """Set the form-check cookie for the article `slug` (a new token unless one is given)."""
    response.set_cookie(
        COOKIE_NAME,
        token or form_token(),
        max_age=COOKIE_MAX_AGE,
        path=cookie_path(slug),
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite="Strict",
    )


def posted_token(request):
    """The signed token of the cookie sent with a posting, or None (missing, forged, broken)."""
    token = request.COOKIES.get(COOKIE_NAME)
    return token if form_token_age(token) is not None else None


def checks_enforced(request):
    """False only for Django's test client, which skips CSRF checks unless asked for them
    (`Client(enforce_csrf_checks=True)`): the same switch Django's own check obeys."""
    return not getattr(request, "_dont_enforce_csrf_checks", False)


def cross_site_refusal(request):
    """The 403 answer to an anonymous posting sent from another site, or None.

    Django's own rules, from its CSRF middleware: an `Origin` header must name this site (or one
    of `CSRF_TRUSTED_ORIGINS`); without one, a posting over HTTPS must carry a `Referer` on this
    site. (A posting without either over plain HTTP passes this check; the SameSite=Strict
    cookie is still required.)
    """
    if not checks_enforced(request):
        return None
    middleware = CsrfViewMiddleware(lambda request: None)
    if "HTTP_ORIGIN" in request.META:
        if middleware._origin_verified(request):
            return None
        reason = REASON_BAD_ORIGIN % request.META["HTTP_ORIGIN"]
    elif request.is_secure():
        try:
            middleware._check_referer(request)
        except RejectRequest as refusal:
            reason = refusal.reason
        else:
            return None
    else:
        return None
    logger.warning("Forbidden (%s): %s", reason, request.path)
    response = TemplateResponse(request, "comments/cross_site_refused.html", status=403)
    add_never_cache_headers(response)
    return response


def staff_csrf_refusal(request):
    """Django's full CSRF check for a moderator's posting (the view itself is exempt from the
    middleware, for anonymous readers): its 403 page, or None when the token is right."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
