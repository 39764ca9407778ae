"""The standalone error pages: the server error page and the expired form (CSRF) page.

Django's default handler renders `500.html` with an empty context; this one adds only the site's
name from settings, so the page still says whose site it is when everything else has failed.

Both pages carry their styles inline, because the database, the static files or the session
may be what failed. The Content-Security-Policy refuses inline styles, so each response lets
through exactly its own `<style>` elements, by their SHA-256 hashes (`allow_inline_styles`).
"""

import base64
import hashlib
import re

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.views import csrf
from django.views.decorators.csrf import requires_csrf_token

STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


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
    template = loader.get_template(template_name)
    response = HttpResponseServerError(template.render({"SITE_NAME": settings.SITE_NAME}))
    return allow_inline_styles(response)


def csrf_failure(request, reason=""):
    """Django's expired-form page (templates/403_csrf.html), with its styles allowed."""
    return allow_inline_styles(csrf.csrf_failure(request, reason=reason))
