"""A URLconf with a page that fails: `/broken/` raises, and the server-error page is the site's
own (`config.errors.server_error`). Tests use it with
`override_settings(ROOT_URLCONF="tests.broken_urls")`."""

from django.urls import path


def broken_view(request):
    raise RuntimeError("the newsroom database is on fire")


urlpatterns = [path("broken/", broken_view)]
handler500 = "config.errors.server_error"


def get_broken_page(client):
    """GET `/broken/` with `client` as a browser sees it: the server-error response rather than
    the exception raised into the test."""
    client.raise_request_exception = False
    return client.get("/broken/")
