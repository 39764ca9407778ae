"""The server error page, rendered without the database or the request's context processors.

Django's default handler renders `500.html` with an empty context; this one adds only the site's
name from settings, so the page still says whose site it is when everything else has failed.
"""

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def server_error(request, template_name="500.html"):
    template = loader.get_template(template_name)
    return HttpResponseServerError(template.render({"SITE_NAME": settings.SITE_NAME}))
