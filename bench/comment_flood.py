"""Comment flood bench: concurrent readers post comments to Byline served by gunicorn on PostgreSQL.

Run it with `make bench` (or `.venv/bin/python bench/comment_flood.py --help`). It:

1. migrates the bench database (`DATABASE_URL`, default
   postgres://postgres@127.0.0.1:5432/byline_bench, created if missing), collects the static
   files, publishes a fresh article for this run, and raises the discussion settings' limits
   meant for people (flood control per IP and per address, the minimum seconds before posting)
   so one machine's robots may post at full speed: in the bench database only;
2. starts gunicorn on a free local port with production settings (DEBUG off);
3. runs `--clients` threads at once, each acting like a reader's browser: for every comment it
   loads the article page, reads the comment form as served (the CSRF token and every other
   input, whatever they are: time tokens, honeypots, hidden fields), fills in name, address and
   a body unique to this run, and posts it without following the redirect;
4. checks from the database that every accepted posting (a 3xx answer) is stored exactly once,
   that nothing refused was stored, that no body is stored twice and no answer was a 5xx;
5. prints a summary and exits non-zero when a check failed.

Not part of `make test`: it needs PostgreSQL and takes a while.
"""

import argparse
import collections
import http.client
import http.cookies
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/byline_bench"
# Limits far above what the robots reach, instead of switching the rules off: the flood
# counters still run on every posting.
BENCH_LIMITS = {
    "comments_per_ip_per_minute": 30_000,
    "comments_per_address_per_hour": 30_000,
    "min_seconds_to_post": 0,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent readers (20)")
    parser.add_argument("--comments", type=int, default=15, help="comments per reader (15)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database to run against (DATABASE_URL, default %(default)s)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request (30)")
    return parser.parse_args()


# Setting up the bench database ----------------------------------------------------------------


def server_environment(database_url, port):
    """Production-like settings for the server and for this script's own database access."""
    return {
        **os.environ,
        "DEBUG": "0",
        # Production settings require the public address; here, the bench server's own.
        "SITE_URL": f"http://127.0.0.1:{port}",
        # Fixed, so addresses stored by one run stay readable by the next (bench data only).
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-insecure-key-not-for-prod"),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: cookies must not be marked Secure, nor HTTP redirected.
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
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
    """Migrate, collect static files, publish this run's article and loosen the human limits."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)

    import datetime

    from django.utils import timezone

    from articles.models import Article, Byline
    from authors.models import Author
    from comments.models import DiscussionSettings

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
    rules = DiscussionSettings.current()
    for name, value in BENCH_LIMITS.items():
        setattr(rules, name, value)
    rules.save()
    return article


# The server -------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(environment, port, workers, threads):
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
    server = subprocess.Popen(command, cwd=ROOT, env=environment)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 seconds")


def stop_server(server):
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# A reader's browser -----------------------------------------------------------------------------


class CommentFormParser(HTMLParser):
    """Every field of `<form id="comment-form">` with the value the page serves it with."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.action = None
        self.fields = []  # (name, value) in page order
        self._in_form = False
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "comment-form":
            self._in_form = True
            self.action = attrs.get("action")
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


@dataclass
class Reader:
    """One reader: a keep-alive connection and a cookie jar, like one browser tab."""

    number: int
    port: int
    path: str
    timeout: float
    cookies: dict = field(default_factory=dict)
    page_seconds: list = field(default_factory=list)

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
        status, page = self.request("GET", self.path)
        self.page_seconds.append(time.perf_counter() - started)
        if status != 200:
            return Outcome(self.number, body, status, 0.0, f"page answered {status}", "page")
        form = CommentFormParser()
        form.feed(page.decode("utf-8"))
        if not form.fields:
            return Outcome(self.number, body, None, 0.0, "no comment form on the page", "page")
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
            status, _ = self.request(
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
        return Outcome(self.number, body, status, time.perf_counter() - started)


def run_reader(number, port, path, run_id, comments, timeout, start, outcomes, lock):
    reader = Reader(number, port, path, timeout)
    start.wait()
    for index in range(comments):
        body = (
            f"Bench {run_id}: reader {number}, comment {index + 1}. "
            f"The figures in the third paragraph deserve a second look ({secrets.token_hex(4)})."
        )
        try:
            outcome = reader.post_comment(body)
        except OSError as error:
            outcome = Outcome(number, body, None, 0.0, repr(error), "page")
        with lock:
            outcomes.append(outcome)
    with lock:
        outcomes.page_seconds.extend(reader.page_seconds)


class Outcomes(list):
    page_seconds: list


# Checks and summary -----------------------------------------------------------------------------


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def check(article, outcomes):
    """The failures found: accepted postings stored once, nothing else stored, no 5xx."""
    from comments.models import Comment

    stored = list(Comment.objects.filter(article=article).values_list("body", "status"))
    stored_bodies = collections.Counter(body for body, _ in stored)
    posts = [o for o in outcomes if o.stage == "post"]
    accepted = [o for o in posts if o.status is not None and 300 <= o.status < 400]
    refused = [o for o in posts if o.status is not None and o.status >= 400]
    failures = []
    server_errors = [o for o in outcomes if o.status is not None and o.status >= 500]
    if server_errors:
        failures.append(f"{len(server_errors)} answers were a 5xx ({server_errors[0].stage})")
    no_answer = [o for o in outcomes if o.status is None or o.stage == "page"]
    if no_answer:
        failures.append(f"{len(no_answer)} comments could not be posted: {no_answer[0].error}")
    missing = [o for o in accepted if stored_bodies[o.body] == 0]
    if missing:
        failures.append(f"{len(missing)} accepted comments are not stored")
    duplicated = {body: count for body, count in stored_bodies.items() if count > 1}
    if duplicated:
        failures.append(f"{len(duplicated)} comments are stored more than once")
    refused_but_stored = [o for o in refused if stored_bodies[o.body]]
    if refused_but_stored:
        failures.append(f"{len(refused_but_stored)} refused postings were stored anyway")
    sent = {o.body for o in outcomes}
    strangers = [body for body in stored_bodies if body not in sent]
    if strangers:
        failures.append(f"{len(strangers)} stored comments were never posted")
    statuses = collections.Counter(status for _, status in stored)
    return failures, accepted, refused, statuses


def summary(args, outcomes, accepted, refused, statuses, wall_seconds):
    post_seconds = [o.seconds for o in outcomes if o.status is not None]
    page_seconds = outcomes.page_seconds
    by_status = collections.Counter(o.status for o in refused)
    lines = [
        f"clients {args.clients} × {args.comments} comments, gunicorn {args.workers} workers "
        f"× {args.threads} threads, PostgreSQL",
        f"requests   {len(outcomes) + len(page_seconds)} "
        f"({len(page_seconds)} article pages, {len(outcomes)} comment posts) "
        f"in {wall_seconds:.1f} s",
        f"accepted   {len(accepted)} (3xx), stored as: "
        + (", ".join(f"{status} {count}" for status, count in sorted(statuses.items())) or "none"),
        "refused    "
        + (", ".join(f"{status}: {count}" for status, count in sorted(by_status.items())) or "0"),
        f"posts      p50 {percentile(post_seconds, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(post_seconds, 0.95) * 1000:.0f} ms, "
        f"max {max(post_seconds, default=0) * 1000:.0f} ms",
        f"pages      p50 {percentile(page_seconds, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(page_seconds, 0.95) * 1000:.0f} ms",
        f"throughput {len(outcomes) / wall_seconds:.1f} comment posts/s, "
        f"{(len(outcomes) + len(page_seconds)) / wall_seconds:.1f} requests/s",
    ]
    if post_seconds:
        lines.append(f"mean post  {statistics.mean(post_seconds) * 1000:.0f} ms")
    return "\n".join(lines)


def main():
    args = parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("The bench runs on PostgreSQL: set DATABASE_URL to a postgres:// URL.")
    port = free_port()
    environment = server_environment(args.database_url, port)
    # This script reads and writes the bench database with the server's own settings.
    os.environ.update(environment)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))

    create_database_if_missing(args.database_url)
    run_id = time.strftime("%Y%m%d-%H%M%S")
    article = set_up_site(run_id)
    path = article.get_absolute_url()
    server = start_server(environment, port, args.workers, args.threads)
    try:
        outcomes = Outcomes()
        outcomes.page_seconds = []
        lock = threading.Lock()
        start = threading.Barrier(args.clients + 1)
        readers = [
            threading.Thread(
                target=run_reader,
                args=(n, port, path, run_id, args.comments, args.timeout, start, outcomes, lock),
            )
            for n in range(1, args.clients + 1)
        ]
        for reader in readers:
            reader.start()
        start.wait()
        began = time.perf_counter()
        for reader in readers:
            reader.join()
        wall_seconds = time.perf_counter() - began
    finally:
        stop_server(server)

    failures, accepted, refused, statuses = check(article, outcomes)
    print(summary(args, outcomes, accepted, refused, statuses, wall_seconds))
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print(f"OK: every accepted comment is stored exactly once ({len(accepted)}), no 5xx.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
