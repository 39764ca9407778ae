"""Error pages rendered without the database or the request's context processors.

- `server_error`, the 500 page: Django's default handler renders `500.html` with an empty
  context; this one adds only the site's name from settings, so the page still says whose site
  it is when everything else has failed.
- `csrf_failure`, Django's expired-form page (`403_csrf.html`).
- `database_unavailable`, the 503 page, for requests made while the database cannot be
  reached (PostgreSQL restarting, a connection dropped): `Retry-After`, never cached, and for
  a comment posting the reader's text to copy, since it was not stored.
  `DatabaseUnavailableMiddleware` answers with it for errors raised by the view (and by the
  `ATOMIC_REQUESTS` transaction around it); `server_error` answers with it for database errors
  raised anywhere else, such as a middleware reading the session.

The 500 and expired-form pages carry their styles inline, because the database, the static
files or the session may be what failed. The Content-Security-Policy refuses inline styles, so
each of those responses lets through exactly its own `<style>` elements, by their SHA-256
hashes (`allow_inline_styles`).

With DEBUG on, Django answers an error with its technical page instead, whose inline styles
and script the policy would refuse, leaving a developer an unstyled page with its sections
folded open. django-csp serves its 404 and 500 without the policy; Django's technical 400 (an
unknown Host, say) is marked by `DebugPageReporter` as it is rendered, and
`ContentSecurityPolicyMiddleware` serves it without the policy too. Every page of the site's
own keeps the policy, with DEBUG on as off.
"""

import base64
import hashlib
import logging
import re
import sys

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views import csrf
from django.views.debug import ExceptionReporter
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
#: Seconds a reader (or a crawler) is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30
#: Views whose posted text is given back on the 503 page, and the field that holds it.
TEXT_KEPT_FROM = {"comments:post": "body"}
STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)
#: Set on a request whose answer is Django's technical error page.
TECHNICAL_PAGE = "byline_technical_page"


def style_hash_source(css):
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def allow_inline_styles(response):
    """Add the hashes of the response's own `<style>` elements to its style-src.

    `_csp_update` is what django-csp's `csp_update` decorator sets; its middleware adds these
    sources to the site's policy for this response only.
    """
    styles = STYLE_ELEMENT.findall(response.content.decode(response.charset))
    if styles:
        response._csp_update = {"style-src": [style_hash_source(css) for css in styles]}
    return response


@requires_csrf_token
def server_error(request, template_name="500.html"):
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request, sys.exc_info()[1])
    template = loader.get_template(template_name)
    response = HttpResponseServerError(template.render({"SITE_NAME": settings.SITE_NAME}))
    return allow_inline_styles(response)


def csrf_failure(request, reason=""):
    """Django's expired-form page (templates/403_csrf.html), with its styles allowed."""
    return allow_inline_styles(csrf.csrf_failure(request, reason=reason))


def database_unavailable(request, error):
    logger.error("Database unavailable: %s: %s", type(error).__name__, error)
    match = getattr(request, "resolver_match", None)
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_TAGLINE": settings.SITE_TAGLINE}
    if match is not None and match.view_name in TEXT_KEPT_FROM and request.method == "POST":
        context["comment_posted"] = True
        context["body"] = _posted(request, TEXT_KEPT_FROM[match.view_name])
        context["article_url"] = reverse("articles:detail", kwargs={"slug": match.kwargs["slug"]})
    response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _posted(request, field):
    try:
        return request.POST.get(field, "")
    except Exception:  # an unreadable body: there is no text to give back
        return ""


class DatabaseUnavailableMiddleware:
    """Answer a view's database connection errors with the 503 page instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request, exception)
        return None


class DebugPageReporter(ExceptionReporter):
    """Django's exception reporter, marking the request whose answer is its technical page
    (rendered only with DEBUG on; the text version, for mail and logs, is left alone)."""

    def get_traceback_html(self):
        if self.request is not None:
            setattr(self.request, TECHNICAL_PAGE, True)
        return super().get_traceback_html()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, leaving Django's technical error pages without the policy."""

    def process_response(self, request, response):
        if settings.DEBUG and getattr(request, TECHNICAL_PAGE, False):
            return response
        return super().process_response(request, response)
