"""How fast Byline serves readers, as ratios to the static-file limit and Django's floor.

`make bench` (bench/README.md) starts, on 127.0.0.1:

- PostgreSQL's database `byline_perf` (created and filled by `manage.py generate_content` the
  first time: 100,000 articles and 1,000,000 comments by default, `--articles`/`--comments`
  for less), with the benchmark's seed article (`bench-analysis`: 50 approved comments of
  which 13 replies) and a 2,000-comment article (`bench-long-thread`);
- Byline under gunicorn with production settings (DEBUG off), twice: with every cache off
  (`CACHE_URL=dummycache://`, the uncached figures) and with its own cache in a Redis of its
  own (the Byline-cached figures);
- Varnish (Debian's, with config/varnish/byline.vcl) in front of the cached Byline: the
  front-cached figures;
- the references: nginx serving a saved copy of the seed article page as a static file (the
  limit) and bench/hello.py, the smallest Django view returning those bytes (the floor);
- a separate gunicorn with 4 workers for the comment posting figures (20 posters at once).

Every target is measured with wrk (Debian's) for a few seconds at a time, in rounds, the
targets interleaved so that the machine's noise spreads over all of them; the figure kept is
the median round. Queries per request and HTML bytes come from the same pages rendered
in-process with the uncached settings; peak worker memory from /proc. The results go to
bench/results.md. Timings live only there: unit tests assert query counts, markup budgets
and invalidation, never seconds.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from readers import (  # the bench robots and site set-up, shared with comment_flood.py
    BENCH_LIMITS,
    ROOT,
    Reader,
    create_database_if_missing,
    percentile,
    server_environment,
    stop_server,
    wait_until_serving,
)

from tests.servers import NginxStaticServer, RedisServer, VarnishServer, free_port

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/byline_perf"
RESULTS = ROOT / "bench" / "results.md"
SEED_ARTICLE = "bench-analysis"
LONG_THREAD_ARTICLE = "bench-long-thread"

#: The issue 13 targets, as ratios measured in the same run (bench/README.md).
UNCACHED_ARTICLE_FLOOR_RATIO = 0.034
UNCACHED_QUERY_BUDGET = 8
HTML_BUDGET_BYTES = 40 * 1024
CACHED_FLOOR_RATIO = 0.5
FRONT_STATIC_RATIO = 0.4
POSTING_P99_SECONDS = 0.100


@dataclass
class Target:
    """One URL on one server, measured in every round."""

    label: str
    mode: str  # "limit", "floor", "uncached", "cached", "front"
    port: int
    path: str
    rounds: list = field(default_factory=list)  # one wrk result (dict) per round

    @property
    def median(self):
        by_rate = sorted(self.rounds, key=lambda result: result["rate"])
        return by_rate[len(by_rate) // 2] if by_rate else None


# Running things -------------------------------------------------------------------------------


def run(command, environment, **kwargs):
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=environment, check=True, **kwargs)


def manage(environment, *arguments):
    run([sys.executable, "manage.py", *arguments], environment)


def start_gunicorn(environment, *, workers, app="config.wsgi:application", log=None):
    """gunicorn with sync workers on a free port, started the way a deployment would run it
    (without config/gunicorn.conf.py, which refuses to start with the caches off)."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        app,
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=120",
        "--log-level=warning",
        "--chdir",
        str(ROOT),
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT if log else None
    )
    return wait_until_serving(server, port), port


def worker_peak_memory(server):
    """The largest peak resident memory (VmHWM, bytes) among `server`'s worker processes."""
    peak = 0
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return None
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        if match:
            peak = max(peak, int(match.group(1)) * 1024)
    return peak or None


WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def wrk(port, path, *, seconds, connections, threads=2):
    """One wrk run: requests per second, latency percentiles (seconds) and non-2xx answers."""
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
        + ["--timeout", "10s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latencies = {f"p{p}": float(v) * UNITS[u] for p, v, u in WRK_LATENCY.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    failures = re.search(r"Socket errors:.*", output)
    return {
        "rate": rate,
        **latencies,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": failures.group(0) if failures else "",
    }


# The data -------------------------------------------------------------------------------------


def ensure_data(environment, arguments):
    """Migrate and, if the database has no articles, generate the bench's content."""
    manage(environment, "migrate", "--noinput", "--skip-checks", "-v0")
    manage(environment, "collectstatic", "--noinput", "--skip-checks", "-v0")
    count = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", COUNT_ARTICLES],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if int(count or 0) == 0:
        manage(
            environment,
            "generate_content",
            f"--articles={arguments.articles}",
            f"--comments={arguments.comments}",
            f"--authors={arguments.authors}",
            f"--tags={arguments.tags}",
            "--bench-article",
            f"--big-thread={arguments.long_thread}",
        )
    else:
        print(f"Using the {count} articles already in the database.")


COUNT_ARTICLES = "from articles.models import Article; print(Article.objects.count())"


def in_process_facts(paths):
    """Queries and HTML bytes per page, rendered in this process with every cache off.

    Also fills in the pages' paths that depend on the data (a tag, an author, the last page).
    """
    import django
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    django.setup()
    client = Client(HTTP_HOST="127.0.0.1")
    facts = {}
    for label, path in paths.items():
        client.get(path)  # per-process work done once (templates, settings) is not counted
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        facts[label] = {
            "status": response.status_code,
            "queries": len(queries.captured_queries),
            "bytes": len(response.content),
        }
    return facts


def data_paths():
    """The pages measured, found in the bench database."""
    import django

    django.setup()
    from django.db.models import Count

    from articles.models import Article

    seed = Article.objects.published().get(slug=SEED_ARTICLE)
    # The seed article's busiest tag and its first author: pages a reader of it would open.
    tag = seed.tags.annotate(uses=Count("tagged_articles")).order_by("-uses").first()
    author = seed.bylines.select_related("author").first().author
    from django.test import Client

    # The oldest page of the home list, where an OFFSET would be slowest (articles/pagination.py
    # answers `?page=last` with a redirect to it).
    last = Client(HTTP_HOST="127.0.0.1").get("/", {"page": "last"})["Location"]
    return {
        "home": "/",
        "home, last page": last,
        "article, 50 comments": seed.get_absolute_url(),
        "article, 2,000 comments": f"/articles/{LONG_THREAD_ARTICLE}/",
        "tag": f"/tags/{tag.slug}/",
        "author": author.get_absolute_url(),
        "search": "/search/?q=energy",
        "feed": "/feed/",
    }


# Posting --------------------------------------------------------------------------------------


def post_comments(port, path, *, clients, comments):
    """`clients` readers at once, each loading the page and posting `comments` times."""
    outcomes = []
    lock = threading.Lock()
    run_id = datetime.datetime.now().strftime("%H%M%S")

    def reader_loop(number):
        reader = Reader(number, port, path, timeout=30)
        for index in range(comments):
            outcome = reader.post_comment(f"Bench comment {run_id}-{number}-{index}: a view.")
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=reader_loop, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    posted = [o for o in outcomes if o.stage == "post" and o.status is not None]
    seconds = [o.seconds for o in posted]
    return {
        "posts": len(posted),
        "accepted": sum(1 for o in posted if 300 <= o.status < 400),
        "refused": sum(1 for o in posted if o.status >= 400),
        "p50": percentile(seconds, 0.50),
        "p99": percentile(seconds, 0.99),
        "elapsed": elapsed,
    }


def prepare_posting_article(environment):
    """Raise the limits meant for people (bench database only) and publish an article to post
    on, so the measured pages' comment counts do not change."""
    script = (
        "import datetime\n"
        "from django.utils import timezone\n"
        "from articles.models import Article\n"
        "from comments.models import DiscussionSettings\n"
        "rules = DiscussionSettings.current()\n"
        f"for name, value in {BENCH_LIMITS!r}.items(): setattr(rules, name, value)\n"
        "rules.save()\n"
        "article, _ = Article.objects.get_or_create(slug='bench-posting', defaults=dict(\n"
        "    title='Posting bench', standfirst='Readers post here.', body='<p>Post away.</p>',\n"
        "    status=Article.Status.PUBLISHED, comments_open=True,\n"
        "    published_at=timezone.now() - datetime.timedelta(minutes=1)))\n"
        "print(article.get_absolute_url())\n"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


# The report -----------------------------------------------------------------------------------


def ratio(value, reference):
    return value / reference if reference else float("nan")


def write_results(arguments, targets, facts, memory, posting, references, started):
    limit = references["limit"].median["rate"]
    floor = references["floor"].median["rate"]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` on {started:%d %b %Y %H:%M} UTC, main at `{commit}`; "
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}. "
        f"Data: {arguments.data_summary}. wrk with {arguments.connections} connections for "
        f"{arguments.seconds} s per target, {arguments.rounds} rounds interleaved, median round "
        "kept; every server has 2 sync gunicorn workers (nginx: 2 worker processes).",
        "",
        "Ratios are to the two references measured in the same run: nginx serving the seed "
        "article page as a static file (the limit) and the smallest Django view returning "
        "the same bytes (the floor). Queries and HTML bytes: the page rendered with every "
        "cache off.",
        "",
        "## References",
        "",
        "| server | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for reference in references.values():
        result = reference.median
        lines.append(
            f"| {reference.label} | {result['rate']:,.0f} | {result['p50'] * 1e3:.2f} | "
            f"{result['p99'] * 1e3:.2f} |"
        )
    lines += [
        "",
        "## Pages",
        "",
        "| page | mode | req/s | × static | × floor | p50 ms | p99 ms | queries | HTML KB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for target in targets:
        result = target.median
        fact = facts.get(target.label, {})
        errors = f" ({result['non_2xx']} non-2xx)" if result["non_2xx"] else ""
        lines.append(
            f"| {target.label} | {target.mode}{errors} | {result['rate']:,.0f} | "
            f"{ratio(result['rate'], limit):.4f} | {ratio(result['rate'], floor):.3f} | "
            f"{result['p50'] * 1e3:.2f} | {result['p99'] * 1e3:.2f} | "
            f"{fact.get('queries', '–')} | {fact.get('bytes', 0) / 1024:.1f} |"
        )
    lines += ["", "## Memory", ""]
    for mode, peak in memory.items():
        lines.append(f"- {mode}: peak worker RSS {peak / 2**20:.0f} MB" if peak else f"- {mode}: –")
    if posting:
        lines += [
            "",
            "## Comment posting",
            "",
            f"{posting['clients']} readers at once, each loading the page then posting, "
            f"{posting['posts']} posts on gunicorn with {posting['workers']} sync workers, "
            "PostgreSQL, Redis: "
            f"{posting['accepted']} accepted, {posting['refused']} refused; "
            f"p50 {posting['p50'] * 1e3:.0f} ms, p99 {posting['p99'] * 1e3:.0f} ms, "
            f"{posting['posts'] / posting['elapsed']:.0f} posts/s.",
        ]
    lines += ["", "## Targets (issue 13)", ""]
    lines += target_verdicts(targets, facts, references, posting)
    limits = ROOT / "bench" / "limits.md"
    if limits.exists():
        lines += ["", limits.read_text().rstrip()]
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"\nWrote {RESULTS.relative_to(ROOT)}")


def target_verdicts(targets, facts, references, posting):
    limit = references["limit"].median["rate"]
    floor = references["floor"].median["rate"]
    by_key = {(t.label, t.mode): t.median["rate"] for t in targets}

    def verdict(ok):
        return "met" if ok else "**not met**"

    verdicts = []
    article = "article, 50 comments"
    uncached = by_key.get((article, "uncached"))
    if uncached:
        fact = facts.get(article, {})
        ok = (
            ratio(uncached, floor) >= UNCACHED_ARTICLE_FLOOR_RATIO
            and fact.get("queries", 99) <= UNCACHED_QUERY_BUDGET
            and fact.get("bytes", 1e9) <= HTML_BUDGET_BYTES
        )
        verdicts.append(
            f"1. Uncached article ≥ {UNCACHED_ARTICLE_FLOOR_RATIO}× floor, "
            f"≤ {UNCACHED_QUERY_BUDGET} queries, ≤ 40 KB: {ratio(uncached, floor):.3f}×, "
            f"{fact.get('queries')} queries, {fact.get('bytes', 0) / 1024:.1f} KB: {verdict(ok)}"
        )
    # Search answers every reader's own question: no cache keeps it (README, "Caching").
    shared = {label for label, _mode in by_key if label != "search"}
    measured = [(label, mode, rate) for (label, mode), rate in by_key.items() if label in shared]
    cached = [(label, rate) for label, mode, rate in measured if mode == "cached"]
    if cached:
        worst = min(cached, key=lambda item: item[1])
        ok = ratio(worst[1], floor) >= CACHED_FLOOR_RATIO
        verdicts.append(
            f"2. Byline-cached pages (all but search) ≥ {CACHED_FLOOR_RATIO}× floor: slowest is "
            f"{worst[0]} at "
            f"{ratio(worst[1], floor):.3f}×: {verdict(ok)}"
        )
    front = [(label, rate) for label, mode, rate in measured if mode == "front"]
    if front:
        worst = min(front, key=lambda item: item[1])
        ok = ratio(worst[1], limit) >= FRONT_STATIC_RATIO
        verdicts.append(
            f"3. Front-cached pages (all but search) ≥ {FRONT_STATIC_RATIO}× static: slowest is "
            f"{worst[0]} at "
            f"{ratio(worst[1], limit):.3f}×: {verdict(ok)}"
        )
    if posting:
        ok = posting["p99"] < POSTING_P99_SECONDS
        verdicts.append(
            f"4. Comment POST p99 < 100 ms with {posting['clients']} posters: "
            f"{posting['p99'] * 1e3:.0f} ms: {verdict(ok)}"
        )
    last = by_key.get(("home, last page", "uncached"))
    first = by_key.get(("home", "uncached"))
    if last and first:
        verdicts.append(
            f"5. The last page of the 100,000-article home list as fast as the first (uncached): "
            f"{ratio(last, first):.2f}× the first page's req/s; "
            f"{facts.get('home, last page', {}).get('queries')} queries against "
            f"{facts.get('home', {}).get('queries')}; worker memory in "
            '"Memory" above (target < 150 MB)'
        )
    return verdicts


# Main -----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--authors", type=int, default=500)
    parser.add_argument("--tags", type=int, default=2000)
    parser.add_argument("--long-thread", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=5, help="per target and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--posters", type=int, default=20)
    parser.add_argument("--posts-each", type=int, default=10)
    parser.add_argument("--posting-workers", type=int, default=4)
    parser.add_argument("--only", help="comma-separated modes to measure (default: all)")
    arguments = parser.parse_args()
    for binary, package in (("wrk", "wrk"), ("nginx", "nginx-light"), ("varnishd", "varnish")):
        if not shutil.which(binary):
            raise SystemExit(f"{binary} not found: apt-get install {package} varnish-modules")

    started = datetime.datetime.now(datetime.UTC)
    database_url = arguments.database_url or DEFAULT_DATABASE
    create_database_if_missing(database_url)
    base = server_environment(database_url)
    base["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    uncached = {**base, "CACHE_URL": "dummycache://"}
    ensure_data(uncached, arguments)

    os.environ.update(uncached)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    paths = data_paths()
    facts = in_process_facts(paths)
    for label, fact in facts.items():
        if fact["status"] != 200:
            raise SystemExit(f"{label} ({paths[label]}) answered {fact['status']}")
    from articles.models import Article
    from comments.models import Comment

    arguments.data_summary = (
        f"{Article.objects.count():,} articles, {Comment.objects.count():,} comments, "
        "PostgreSQL " + _postgres_version()
    )

    scratch = Path(tempfile.mkdtemp(prefix="byline-bench-"))
    servers = []
    stack = contextlib.ExitStack()
    try:
        redis = RedisServer(scratch).start()
        servers.append(redis)
        cached = {**base, "CACHE_URL": redis.cache_url}
        log = stack.enter_context((scratch / "gunicorn.log").open("w"))
        byline_uncached, uncached_port = start_gunicorn(uncached, workers=2, log=log)
        byline_cached, cached_port = start_gunicorn(cached, workers=2, log=log)
        servers += [byline_uncached, byline_cached]
        varnish = VarnishServer(cached_port).start()
        servers.append(varnish)

        page = _fetch(uncached_port, paths["article, 50 comments"])
        nginx = NginxStaticServer(page).start()
        servers.append(nginx)
        (scratch / "page.html").write_bytes(page)
        hello, hello_port = start_gunicorn(
            {**base, "BENCH_HELLO_PAGE": str(scratch / "page.html"), "PYTHONPATH": "bench"},
            workers=2,
            app="hello:application",
            log=log,
        )
        servers.append(hello)

        references = {
            "limit": Target("nginx, static file (the limit)", "limit", nginx.port, "/"),
            "floor": Target("Django view, the same bytes (the floor)", "floor", hello_port, "/"),
        }
        modes = {"uncached": uncached_port, "cached": cached_port, "front": varnish.port}
        wanted = set((arguments.only or "uncached,cached,front").split(","))
        targets = [
            Target(label, mode, port, path)
            for label, path in paths.items()
            for mode, port in modes.items()
            if mode in wanted
        ]
        everything = list(references.values()) + targets
        for target in everything:  # warm up: caches filled, code loaded
            for _ in range(3):
                _fetch(target.port, target.path)
        for round_number in range(1, arguments.rounds + 1):
            print(f"Round {round_number} of {arguments.rounds}", flush=True)
            for target in everything:
                target.rounds.append(
                    wrk(
                        target.port,
                        target.path,
                        seconds=arguments.seconds,
                        connections=arguments.connections,
                    )
                )
                result = target.rounds[-1]
                print(f"  {target.mode:9} {target.label:28} {result['rate']:9.1f} req/s")
        memory = {
            "uncached": worker_peak_memory(byline_uncached),
            "Byline-cached": worker_peak_memory(byline_cached),
        }

        posting = None
        if "posting" in wanted or not arguments.only:
            posting_path = prepare_posting_article(cached)
            poster, poster_port = start_gunicorn(cached, workers=arguments.posting_workers, log=log)
            servers.append(poster)
            posting = post_comments(
                poster_port, posting_path, clients=arguments.posters, comments=arguments.posts_each
            )
            posting.update(clients=arguments.posters, workers=arguments.posting_workers)
        write_results(arguments, targets, facts, memory, posting, references, started)
        print(RESULTS.read_text())
        print(json.dumps({"facts": facts}, indent=1))
    finally:
        for server in reversed(servers):
            if server is None:
                continue
            if isinstance(server, subprocess.Popen):
                stop_server(server)
            else:
                server.close()
        stack.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _fetch(port, path):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path} on port {port} answered {response.status}")
    return body


def _postgres_version():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


if __name__ == "__main__":
    sys.exit(main())
