"""What the benches share: the bench site's set-up and the readers that post comments.

`bench/comment_flood.py` (many readers at once) and `bench/faults.py` (the same readers while
PostgreSQL, Redis or a worker fails) both:

- prepare a PostgreSQL database (`prepare_site`): migrate, collect the static files, and raise
  the discussion settings' limits meant for people, in that database only;
- publish an article per run (`publish_article`);
- drive `Reader`s: each acts like one browser, loading the article page, reading the comment
  form as served (honeypot, hidden fields; tokens when the page is personal), loading the
  images inside it as a browser would (the form check, whose cookie holds the form's time
  token: comments/form_check.py) and posting it with the cookies, without following the
  redirect.
"""

import http.client
import http.cookies
import os
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The benches share the tests' throwaway servers (tests/servers.py, standard library only);
# faults.py and comment_flood.py take RedisServer and free_port from here.
sys.path.insert(0, str(ROOT))
from tests.servers import (  # noqa: E402
    NoAnswer,
    RedisServer,  # noqa: F401
    free_port,  # noqa: F401
    wait_for_answer,
)

# Limits far above what the robots reach, instead of switching the rules off: the flood
# counters still run on every posting.
BENCH_LIMITS = {
    "comments_per_ip_per_minute": 30_000,
    "comments_per_address_per_hour": 30_000,
    "min_seconds_to_post": 0,
}


# Setting up the bench database ----------------------------------------------------------------


def server_environment(database_url):
    """Production-like settings for the server and for this script's own database access."""
    return {
        **os.environ,
        "DEBUG": "0",
        # Fixed, so addresses stored by one run stay readable by the next (bench data only).
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-insecure-key-not-for-prod"),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        # Plain HTTP on the loopback: cookies must not be marked Secure, nor pages redirected.
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
        # Nothing is mailed from a bench (messages wait in the task queue anyway).
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "EMAIL_URL": "dummymail://",
        "PYTHONUNBUFFERED": "1",
    }


def create_database_if_missing(database_url):
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if connection.execute(query, [name]).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def set_up_site(run_id):
    """Migrate, collect static files, loosen the human limits and publish this run's article."""
    prepare_site()
    return publish_article(run_id)


def prepare_site():
    """Migrate, collect static files and loosen the limits meant for people."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)

    from comments.models import DiscussionSettings

    rules = DiscussionSettings.current()
    for name, value in BENCH_LIMITS.items():
        setattr(rules, name, value)
    rules.save()


def publish_article(run_id):
    import datetime

    from django.utils import timezone

    from articles.models import Article, Byline
    from authors.models import Author

    author, _ = Author.objects.get_or_create(
        slug="bench-desk", defaults={"name": "Bench Desk", "bio": "Writes for the comment bench."}
    )
    article = Article.objects.create(
        title=f"Comment bench {run_id}",
        slug=f"comment-bench-{run_id}",
        standfirst="An article for the comment flood bench.",
        body="<p>Readers are about to have a lot to say about this.</p>",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(minutes=1),
        comments_open=True,
    )
    Byline.objects.create(article=article, author=author)
    return article


# The server -------------------------------------------------------------------------------------


def start_server(environment, port, workers, threads, log=None):
    """gunicorn with production settings; its output (JSON lines, one per request) to `log`."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--timeout=60",
        "--log-level=warning",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT if log else None
    )
    return wait_until_serving(server, port)


def wait_until_serving(server, port):
    """`server` once its home page answers 200 (it is stopped if that takes over a minute)."""
    try:
        wait_for_answer(server, port, "/", seconds=60, pause=0.3, wanted=200)
    except NoAnswer as no_answer:
        server.terminate()
        raise SystemExit(f"gunicorn: {no_answer}") from None
    return server


def stop_server(server):
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# A reader's browser -----------------------------------------------------------------------------


class CommentFormParser(HTMLParser):
    """Every field of `<form id="comment-form">` with the value the page serves it with, and
    the images inside it (which a browser loads)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.action = None
        self.fields = []  # (name, value) in page order
        self.images = []  # src of each <img> in the form
        self._in_form = False
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "comment-form":
            self._in_form = True
            self.action = attrs.get("action")
        if self._in_form and tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        if not self._in_form or ("name" not in attrs and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "image", "button", "file", "reset"):
                if kind == "submit":
                    self.fields.append((attrs["name"], attrs.get("value", "")))
                return
            self.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None


@dataclass
class Outcome:
    client: int
    body: str
    status: int | None  # None: no answer (connection error or timeout)
    seconds: float
    error: str = ""
    stage: str = "post"  # "page" when loading the article page failed
    answer: bytes = b""  # the page served with a 5xx, to check what it says
    finished: float = field(default_factory=time.monotonic)


@dataclass
class Reader:
    """One reader: a keep-alive connection and a cookie jar, like one browser tab."""

    number: int
    port: int
    path: str
    timeout: float
    cookies: dict = field(default_factory=dict)
    page_seconds: list = field(default_factory=list)
    #: Load the article page once and keep its form, as if a front cache served the page
    #: without reaching Byline: each comment then loads only the form check and posts.
    page_once: bool = False
    _form: "CommentFormParser | None" = field(default=None, repr=False)

    def __post_init__(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def request(self, method, path, body=None, headers=None):
        headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET":
            # Never resend a posting: it goes out on a fresh connection, so a keep-alive
            # connection the server closed meanwhile cannot fail it after it was sent.
            self.connection.close()
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A page load on an idle keep-alive connection the server had closed: once more.
                self.connection.close()
                if method != "GET" or attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, content

    def post_comment(self, body):
        started = time.perf_counter()
        form = self._form if self.page_once else None
        if form is None:
            status, page = self.request("GET", self.path)
            if status != 200:
                self.page_seconds.append(time.perf_counter() - started)
                answer = page if status >= 500 else b""
                return Outcome(
                    self.number, body, status, 0.0, f"page answered {status}", "page", answer
                )
            form = CommentFormParser()
            form.feed(page.decode("utf-8"))
            if not form.fields:
                return Outcome(self.number, body, None, 0.0, "no comment form on the page", "page")
            self._form = form
        # The images in the form, as a browser loads them: the form check sets the cookie
        # that carries the form's time token (the shared page itself carries none).
        for src in form.images:
            status, answer = self.request("GET", src)
            if status != 200:
                self.page_seconds.append(time.perf_counter() - started)
                answer = answer if status >= 500 else b""
                return Outcome(
                    self.number, body, status, 0.0, f"form check answered {status}", "page", answer
                )
        self.page_seconds.append(time.perf_counter() - started)
        mine = {
            "name": f"Bench reader {self.number}",
            "email": f"bench.reader{self.number}@bench.example",
            "body": body,
        }
        data = [(name, mine.pop(name, value)) for name, value in form.fields]
        data += list(mine.items())
        encoded = urllib.parse.urlencode(data).encode()
        origin = f"http://127.0.0.1:{self.port}"
        started = time.perf_counter()
        try:
            status, content = self.request(
                "POST",
                form.action or self.path,
                body=encoded,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": origin,
                    "Referer": origin + self.path,
                },
            )
        except OSError as error:
            return Outcome(self.number, body, None, time.perf_counter() - started, repr(error))
        seconds = time.perf_counter() - started
        answer = content if status >= 500 else b""
        return Outcome(self.number, body, status, seconds, answer=answer)


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
