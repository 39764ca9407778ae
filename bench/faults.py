"""Fault bench: readers keep posting comments while PostgreSQL, Redis or a worker fails.

Run it with `.venv/bin/python bench/faults.py` (`--help` for the knobs); see bench/README.md.
It starts servers of its own, in a temporary directory, and never touches any other:

- a PostgreSQL cluster (initdb, on a free port; as the `postgres` user when run as root),
- a redis-server (free port, no persistence), the site's cache through CACHE_URL,
- the production server: gunicorn with config/gunicorn.conf.py (DEBUG off, JSON logs,
  `--workers` processes × `--threads` threads);

then runs three scenarios, each with a fresh article and `--clients` readers (bench/readers.py)
posting comments for `--seconds`, the fault striking a third of the way in:

a. postgres: PostgreSQL stopped (fast shutdown: in-flight transactions are cut) and started
   again `--down-seconds` later;
b. redis: redis-server stopped for the rest of the run (started again afterwards);
c. worker: one gunicorn worker killed with SIGKILL, `--kills` times a few seconds apart, while
   requests are in flight.

Each scenario is checked from the database: every acknowledged comment (a 3xx answer) is
stored, none twice, nothing refused or never posted is stored; no 500 (a 503 is expected only
while PostgreSQL is down, and it must be the site's page keeping the reader's text); posting
works again within `--recovery-limit` seconds. It prints acknowledged vs stored, 5xx, 503s,
p50/p99 POST latency and the time to recovery, and exits 1 if a check failed.
"""

import argparse
import collections
import contextlib
import html
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from readers import (
    ROOT,
    Outcome,
    Reader,
    RedisServer,
    free_port,
    percentile,
    prepare_site,
    publish_article,
    server_environment,
    wait_until_serving,
)

POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
UNAVAILABLE_PAGE = b"Back in a moment"
#: A reader whose page or posting failed waits this long before trying again, as people do.
PAUSE_AFTER_FAILURE = 0.5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent readers (20)")
    parser.add_argument("--seconds", type=float, default=30, help="length of a scenario (30)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument(
        "--down-seconds", type=float, default=5, help="how long PostgreSQL stays down (5)"
    )
    parser.add_argument("--kills", type=int, default=3, help="workers killed in scenario c (3)")
    parser.add_argument(
        "--recovery-limit",
        type=float,
        default=10,
        help="seconds within which posting must work again after a fault (10)",
    )
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request (30)")
    parser.add_argument(
        "--only", choices=["postgres", "redis", "worker"], action="append", help="run only these"
    )
    return parser.parse_args()


# Servers of the bench's own -------------------------------------------------------------------


class PostgresCluster:
    """A throwaway PostgreSQL cluster, run as the `postgres` user when this script is root."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.data = directory / "postgres"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/byline_faults"

    def _run(self, program, *arguments):
        subprocess.run(
            [*self.as_postgres, str(POSTGRES_BIN / program), *map(str, arguments)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def create(self):
        if self.as_postgres:
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "byline_faults")

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = self.directory / "postgres.log"
        self._run("pg_ctl", "start", "-D", self.data, "-l", log, "-o", options, "-w")

    def stop(self):
        """A fast shutdown: open transactions are rolled back, connections cut."""
        self._run("pg_ctl", "stop", "-D", self.data, "-m", "fast", "-w")

    def destroy(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()


class Gunicorn:
    """The production server: gunicorn with config/gunicorn.conf.py, its log in a file."""

    def __init__(self, environment, directory):
        self.port = free_port()
        self.environment = {**environment, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.log_path = directory / "gunicorn.log"
        self.process = None

    def start(self):
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until_serving(self.process, self.port)

    def workers(self):
        """The worker processes' ids (the master's children)."""
        pid = self.process.pid
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
            self.log.close()


# Readers ----------------------------------------------------------------------------------------


@dataclass
class Run:
    """What one scenario's readers sent and were answered, and when the fault struck."""

    name: str
    article: object
    outcomes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    seconds: float = 0.0
    fault_at: float | None = None  # when the fault began (time.monotonic)
    repaired_at: float | None = None  # when the fault was repaired (PostgreSQL started again)
    notes: list = field(default_factory=list)


def read_and_post(number, port, run, run_id, timeout, start):
    reader = Reader(number, port, run.article.get_absolute_url(), timeout)
    start.wait()
    index = 0
    while not run.stop.is_set():
        index += 1
        body = (
            f"Faults {run_id} {run.name}: reader {number}, comment {index}. "
            f"Does the <b>third</b> paragraph & its figures hold? ({secrets.token_hex(4)})"
        )
        try:
            outcome = reader.post_comment(body)
        except OSError as error:  # the page load itself was cut
            outcome = Outcome(number, body, None, 0.0, repr(error), "page")
        with run.lock:
            run.outcomes.append(outcome)
        if outcome.status is None or outcome.status >= 500:
            time.sleep(PAUSE_AFTER_FAILURE)


def run_scenario(name, fault, args, server, run_id):
    from django.db import connections

    connections.close_all()  # this script's own connection may predate a restart
    run = Run(name, publish_article(f"{run_id}-{name}"))
    start = threading.Barrier(args.clients + 1)
    readers = [
        threading.Thread(
            target=read_and_post, args=(n, server.port, run, run_id, args.timeout, start)
        )
        for n in range(1, args.clients + 1)
    ]
    for reader in readers:
        reader.start()
    start.wait()
    began = time.monotonic()
    time.sleep(args.seconds / 3)
    fault(run)
    time.sleep(max(0.0, began + args.seconds - time.monotonic()))
    run.stop.set()
    for reader in readers:
        reader.join()
    run.seconds = time.monotonic() - began
    return run


# The faults -------------------------------------------------------------------------------------


def restart_postgres(cluster, down_seconds):
    def fault(run):
        run.fault_at = time.monotonic()
        cluster.stop()
        time.sleep(down_seconds)
        cluster.start()
        run.repaired_at = time.monotonic()
        run.notes.append(
            f"PostgreSQL down {run.repaired_at - run.fault_at:.1f} s (fast shutdown, then start)"
        )

    return fault


def stop_redis(redis):
    def fault(run):
        run.fault_at = time.monotonic()
        redis.stop()
        run.notes.append("redis-server stopped for the rest of the run")

    return fault


def kill_workers(server, kills, workers):
    def fault(run):
        run.fault_at = time.monotonic()
        for kill in range(kills):
            victim = secrets.choice(server.workers())
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            while True:  # until the master has booted a replacement
                current = server.workers()
                if victim not in current and len(current) == workers:
                    break
                time.sleep(0.05)
            run.notes.append(
                f"kill -9 of worker {victim}: replaced in {time.monotonic() - killed_at:.2f} s"
            )
            if kill < kills - 1:
                time.sleep(3)

    return fault


# Checks and report ------------------------------------------------------------------------------


@dataclass
class Report:
    run: Run
    lines: list
    failures: list


def check(run, args, log_lines):
    from django.db import connections

    from comments.models import Comment

    connections.close_all()
    stored = collections.Counter(
        Comment.objects.filter(article=run.article).values_list("body", flat=True)
    )
    outcomes = run.outcomes
    posts = [o for o in outcomes if o.stage == "post"]
    acknowledged = [o for o in posts if o.status is not None and 300 <= o.status < 400]
    refused = [o for o in posts if o.status is not None and o.status >= 400]
    cut = [o for o in outcomes if o.status is None]
    cut_posts = [o for o in cut if o.stage == "post"]
    cut_posts_stored = [o for o in cut_posts if stored[o.body]]
    server_errors = [o for o in outcomes if o.status is not None and o.status >= 500]
    unavailable = [o for o in server_errors if o.status == 503]
    sent = {o.body for o in outcomes}

    failures = []
    lost = [o for o in acknowledged if not stored[o.body]]
    if lost:
        failures.append(f"{len(lost)} acknowledged comments are not stored")
    duplicated = [body for body, count in stored.items() if count > 1]
    if duplicated:
        failures.append(f"{len(duplicated)} comments are stored more than once")
    strangers = [body for body in stored if body not in sent]
    if strangers:
        failures.append(f"{len(strangers)} stored comments were never posted")
    refused_but_stored = [o for o in refused if stored[o.body]]
    if refused_but_stored:
        status = refused_but_stored[0].status
        failures.append(f"{len(refused_but_stored)} postings answered {status} were stored anyway")
    not_503 = collections.Counter(o.status for o in server_errors if o.status != 503)
    if not_503:
        failures.append(f"5xx other than 503: {dict(not_503)}")
    if run.name != "postgres" and unavailable:
        failures.append(f"{len(unavailable)} answers were 503 though the database was up")
    if run.name == "postgres" and not unavailable:
        failures.append("no request was answered while PostgreSQL was down")
    not_our_page = [o for o in unavailable if UNAVAILABLE_PAGE not in o.answer]
    if not_our_page:
        failures.append(f"{len(not_our_page)} 503 answers were not the site's 503 page")
    unavailable_posts = [o for o in unavailable if o.stage == "post"]
    text_lost = [
        o for o in unavailable_posts if html.escape(o.body) not in o.answer.decode("utf-8")
    ]
    if text_lost:
        failures.append(f"{len(text_lost)} 503 answers to a posting did not give the text back")
    if run.name != "worker" and cut:
        failures.append(f"{len(cut)} requests got no answer: {cut[0].error}")

    since = run.repaired_at if run.repaired_at is not None else run.fault_at
    after = [o.finished for o in acknowledged if o.finished > since]
    recovery = min(after) - since if after else None
    if recovery is None:
        failures.append("no comment was acknowledged after the fault")
    elif recovery > args.recovery_limit:
        failures.append(f"posting worked again only {recovery:.1f} s after the fault")

    if run.name == "worker" and not cut:
        run.notes.append("no request was in flight when the workers were killed")
    leaks = [line for line in log_lines if "@bench.example" in line or "Faults " in line]
    not_json = [line for line in log_lines if line.strip() and not line.startswith("{")]
    if not_json:
        failures.append(f"{len(not_json)} log lines are not JSON: {not_json[0][:80]}")
    if leaks:
        failures.append(f"{len(leaks)} log lines hold a reader's address or text")
    log_events = collections.Counter()
    for line in log_lines:
        for event in ("Database unavailable", "Cache unreachable", "Cache reachable again"):
            if event in line:
                log_events[event] += 1

    post_seconds = [o.seconds for o in posts if o.status is not None]
    statuses = collections.Counter(o.status for o in posts if o.status is not None)
    lines = [
        f"acknowledged {len(acknowledged)} (3xx), stored {sum(stored.values())} "
        f"({sum(1 for o in acknowledged if stored[o.body])} of the acknowledged, "
        f"{len(cut_posts_stored)} of the cut), lost {len(lost)}, duplicates {len(duplicated)}",
        f"postings    {len(posts)} answered "
        + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
        + f"; {len(cut_posts)} cut without an answer (and {len(cut) - len(cut_posts)} page "
        "loads)",
        f"5xx         {len(server_errors)}, of which 503 {len(unavailable)} "
        f"({len(unavailable_posts)} postings, all with the reader's text back: "
        f"{'yes' if not text_lost else 'no'}), other 5xx {sum(not_503.values())}",
        f"POST        p50 {percentile(post_seconds, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(post_seconds, 0.99) * 1000:.0f} ms",
        "recovery    "
        + (
            f"{recovery:.2f} s to the first acknowledged comment after the "
            + ("restart" if run.repaired_at is not None else "fault")
            if recovery is not None
            else "never"
        ),
        "log         "
        + (
            ", ".join(f"{event}: {count}" for event, count in sorted(log_events.items()))
            or "no fault messages"
        )
        + f"; {len(log_lines)} JSON lines, {len(leaks)} with a reader's address or text",
        *run.notes,
    ]
    return Report(run, lines, failures)


def read_log(server, offset):
    with open(server.log_path, encoding="utf-8") as log:
        log.seek(offset)
        text = log.read()
        return text.splitlines(), log.tell()


def main():
    args = parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server not found: apt-get install redis-server")
    if not (POSTGRES_BIN / "initdb").exists():
        raise SystemExit(f"{POSTGRES_BIN}/initdb not found: set POSTGRES_BIN")
    directory = Path(tempfile.mkdtemp(prefix="byline-faults-"))
    directory.chmod(0o755)  # the postgres user reaches its own folder inside
    (directory / "postgres").mkdir()
    (directory / "redis").mkdir()
    cluster = PostgresCluster(directory / "postgres")
    redis = RedisServer(directory / "redis")
    reports = []
    try:
        print(f"Servers in {directory}: PostgreSQL on {cluster.port}, Redis on {redis.port}")
        cluster.create()
        redis.start()
        environment = {
            **server_environment(cluster.url),
            "CACHE_URL": redis.cache_url,
            "WEB_CONCURRENCY": str(args.workers),
            "GUNICORN_THREADS": str(args.threads),
        }
        # This script reads and writes the bench database with the server's own settings.
        os.environ.update(environment)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        sys.path.insert(0, str(ROOT))
        prepare_site()
        server = Gunicorn(environment, directory)
        server.start()
        print(
            f"gunicorn -c config/gunicorn.conf.py on {server.port}: {args.workers} workers "
            f"× {args.threads} threads, {args.clients} readers, {args.seconds:.0f} s a scenario"
        )
        scenarios = {
            "postgres": restart_postgres(cluster, args.down_seconds),
            "redis": stop_redis(redis),
            "worker": kill_workers(server, args.kills, args.workers),
        }
        run_id = time.strftime("%Y%m%d-%H%M%S")
        offset = 0
        try:
            for name, fault in scenarios.items():
                if args.only and name not in args.only:
                    continue
                run = run_scenario(name, fault, args, server, run_id)
                log_lines, offset = read_log(server, offset)
                reports.append(check(run, args, log_lines))
                if name == "redis":
                    redis.start()
        finally:
            server.stop()
    finally:
        redis.stop()
        cluster.destroy()

    failed = False
    titles = {
        "postgres": "a. PostgreSQL restarted mid-run",
        "redis": "b. Redis stopped mid-run",
        "worker": "c. gunicorn workers killed with kill -9 mid-request",
    }
    for report in reports:
        print(f"\n{titles[report.run.name]} ({report.run.seconds:.0f} s)")
        print("\n".join(f"  {line}" for line in report.lines))
        if report.failures:
            failed = True
            print("  FAILED:\n    " + "\n    ".join(report.failures))
        else:
            print("  OK")
    if failed:
        print(f"\nLogs kept in {directory}")
        return 1
    shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
