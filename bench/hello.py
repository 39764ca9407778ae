"""The floor: the smallest Django site there is, one view answering with bytes it already has.

`bench/perf.py` serves it under gunicorn beside Byline, with the same workers, so that Byline's
figures read as a share of what Django itself can do on this machine in the same run. No
middleware, no database, no template: whatever Byline costs beyond this is Byline's.
`BENCH_HELLO_PAGE` names the file whose bytes every request gets (the saved article page).
"""

import os

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="bench-hello-floor-not-a-secret",
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings.configure)
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

with open(os.environ["BENCH_HELLO_PAGE"], "rb") as saved:
    PAGE = saved.read()


def page(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
application = get_wsgi_application()
