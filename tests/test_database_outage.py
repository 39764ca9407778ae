"""While the database is down readers get the 503 page, never a raw 500, and keep their text.

The outage is real: the site runs in a subprocess (tests/sites.py) whose DATABASE_URL points at
a port where no PostgreSQL listens. The restart case runs against the test database itself:
another connection ends the site's connection, as a PostgreSQL restart would.
"""

import json
import re
import textwrap

import pytest
from django.db import connection
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.errors import database_unavailable
from tests.servers import free_port
from tests.sites import run_site

COMMENT = "Figures <b>matter</b> & so does \"context\" — l'avis d'un lecteur."

OUTAGE = textwrap.dedent(
    """
    import json
    from django.test import Client
    client = Client(raise_request_exception=False)
    answers = {}
    def keep(name, response):
        answers[name] = {
            "status": response.status_code,
            "headers": dict(response.items()),
            "cookies": list(response.cookies),
            "content": response.content.decode(),
        }
    keep("page", client.get("/articles/talks-in-geneva/"))
    keep("post", client.post(
        "/comments/post/talks-in-geneva/",
        {"name": "Ada", "email": "ada@mail.example", "body": BODY},
    ))
    keep("admin", client.get("/admin/"))
    keep("readyz", client.get("/readyz"))
    # A middleware that reads the session before the view (the handler500 path).
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE, "django.contrib.auth.middleware.LoginRequiredMiddleware"
    ]
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-the-database-would-hold"
    keep("session", client.get("/robots.txt"))
    print(json.dumps(answers))
    """
)


def closed_port_database_url():
    return f"postgres://postgres@127.0.0.1:{free_port()}/byline_nowhere"


class DatabaseDownTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        result = run_site(
            f"BODY = {COMMENT!r}\n" + OUTAGE,
            closed_port_database_url(),
        )
        assert result.returncode == 0, result.stderr
        cls.answers = json.loads(result.stdout.splitlines()[-1])
        cls.log = result.stderr

    def test_an_article_page_gets_the_503_page_in_the_site_design(self):
        page = self.answers["page"]

        assert page["status"] == 503
        assert '<h1 class="page-title">Back in a moment</h1>' in page["content"]
        assert 'class="site-header"' in page["content"]
        assert "/static/css/site.css" in page["content"]
        assert '<meta name="robots" content="noindex">' in page["content"]

    def test_the_503_asks_to_retry_later_and_is_never_cached(self):
        headers = self.answers["page"]["headers"]

        assert headers["Retry-After"] == "30"
        assert "no-store" in headers["Cache-Control"]
        assert self.answers["page"]["cookies"] == []

    def test_a_comment_posting_gets_the_503_page_with_the_text_to_copy(self):
        post = self.answers["post"]

        assert post["status"] == 503
        assert "your comment was not posted" in post["content"]
        textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", post["content"], re.S).group(1)
        assert textarea == (
            "Figures &lt;b&gt;matter&lt;/b&gt; &amp; so does &quot;context&quot; — "
            "l&#x27;avis d&#x27;un lecteur."
        )
        assert (
            '<a href="/articles/talks-in-geneva/#comments">Back to the article</a>'
            in (post["content"])
        )

    def test_the_admin_gets_the_503_page(self):
        assert self.answers["admin"]["status"] == 503

    def test_every_503_carries_the_security_policies(self):
        for name in ("page", "post", "admin", "session"):
            headers = self.answers[name]["headers"]

            assert "default-src 'self'" in headers["Content-Security-Policy"], name
            assert "camera=()" in headers["Permissions-Policy"], name

    def test_a_session_read_before_the_view_gets_the_503_page(self):
        session = self.answers["session"]

        assert session["status"] == 503
        assert "Back in a moment" in session["content"]

    def test_readiness_names_the_database(self):
        readyz = self.answers["readyz"]

        assert readyz["status"] == 503
        assert json.loads(readyz["content"]) == {
            "status": "unavailable",
            "database": "unreachable",
            "migrations": "not checked: no database",
            "cache": "ok",
        }

    def test_the_outage_is_logged_without_the_readers_text(self):
        assert "Database unavailable: OperationalError" in self.log
        assert "Figures" not in self.log
        assert "ada@mail.example" not in self.log


class UnavailablePageTests(TestCase):
    def test_the_503_page_renders_without_touching_the_database(self):
        request = RequestFactory().post(
            reverse("comments:post", kwargs={"slug": "talks"}), {"body": COMMENT}
        )
        request.resolver_match = None

        with CaptureQueriesContext(connection) as queries:
            response = database_unavailable(request, OSError("down"))

        assert response.status_code == 503
        assert len(queries) == 0


RESTART = textwrap.dedent(
    """
    import json, psycopg
    from wsgiref.util import setup_testing_defaults
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    application = get_wsgi_application()

    def get(path):
        environ = {"PATH_INFO": path, "HTTP_HOST": "testserver"}
        setup_testing_defaults(environ)
        statuses = []
        result = application(environ, lambda status, headers: statuses.append(status))
        b"".join(result)
        result.close()  # the end of a request, as a WSGI server reports it
        return int(statuses[0].split()[0])

    before = get("/readyz")
    pid = connection.connection.info.backend_pid
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    after = get("/readyz")
    reconnected = connection.connection is not None and (
        pid != connection.connection.info.backend_pid
    )
    print(json.dumps({"before": before, "after": after, "reconnected": reconnected}))
    """
)


@pytest.mark.postgres
class RestartedDatabaseTests(TestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL")

    def test_a_dropped_persistent_connection_costs_no_request(self):
        settings_dict = connection.settings_dict
        url = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        )
        code = f"ADMIN_URL = {url!r}\n" + RESTART

        result = run_site(code, url)

        assert result.returncode == 0, result.stderr
        answers = json.loads(result.stdout.splitlines()[-1])
        assert answers == {"before": 200, "after": 200, "reconnected": True}
