"""Comment flood bench: concurrent readers post comments to Byline served by gunicorn on PostgreSQL.

Run it with `make flood` (or `.venv/bin/python bench/comment_flood.py --help`). It:

1. migrates the bench database (`DATABASE_URL`, default
   postgres://postgres@127.0.0.1:5432/byline_bench, created if missing), collects the static
   files, publishes a fresh article for this run, and raises the discussion settings' limits
   meant for people (flood control per IP and per address, the minimum seconds before posting)
   so one machine's robots may post at full speed: in the bench database only;
2. starts gunicorn on a free local port with production settings (DEBUG off);
3. runs `--clients` threads at once, each acting like a reader's browser: for every comment it
   loads the article page, reads the comment form as served (every input, whatever they are:
   tokens, honeypots, hidden fields), loads the images inside it (the form check, which sets
   the cookie holding the form's time token), fills in name, address and a body unique to this
   run, and posts it without following the redirect;
4. checks from the database that every accepted posting (a 3xx answer) is stored exactly once,
   that nothing refused was stored, that no body is stored twice and no answer was a 5xx;
5. prints a summary and exits non-zero when a check failed.

Not part of `make test`: it needs PostgreSQL and takes a while.
"""

import argparse
import collections
import os
import secrets
import statistics
import sys
import threading
import time

from readers import (
    ROOT,
    Outcome,
    Reader,
    create_database_if_missing,
    free_port,
    percentile,
    server_environment,
    set_up_site,
    start_server,
    stop_server,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/byline_bench"


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
    parser.add_argument(
        "--page-once",
        action="store_true",
        help="each reader loads the article page once, then only the form check before each "
        "posting: the page as a front cache serves it, without reaching Byline",
    )
    return parser.parse_args()


def run_reader(number, port, path, run_id, args, start, outcomes, lock):
    comments, timeout = args.comments, args.timeout
    reader = Reader(number, port, path, timeout, page_once=args.page_once)
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
        f"× {args.threads} threads, PostgreSQL"
        + (", article page loaded once per reader" if args.page_once else ""),
        f"requests   {len(outcomes) + len(page_seconds)} "
        f"({len(page_seconds)} article pages, {len(outcomes)} comment posts) "
        f"in {wall_seconds:.1f} s",
        f"accepted   {len(accepted)} (3xx), stored as: "
        + (", ".join(f"{status} {count}" for status, count in sorted(statuses.items())) or "none"),
        "refused    "
        + (", ".join(f"{status}: {count}" for status, count in sorted(by_status.items())) or "0"),
        f"posts      p50 {percentile(post_seconds, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(post_seconds, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(post_seconds, 0.99) * 1000:.0f} ms, "
        f"max {max(post_seconds, default=0) * 1000:.0f} ms",
        f"pages      p50 {percentile(page_seconds, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(page_seconds, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(page_seconds, 0.99) * 1000:.0f} ms",
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
    environment = server_environment(args.database_url)
    # This script reads and writes the bench database with the server's own settings.
    os.environ.update(environment)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))

    create_database_if_missing(args.database_url)
    run_id = time.strftime("%Y%m%d-%H%M%S")
    article = set_up_site(run_id)
    path = article.get_absolute_url()
    port = free_port()
    log = ROOT / "bench" / "comment_flood.log"
    print(f"Server log (a JSON line per request): {log}")
    with open(log, "w") as log_file:
        server = start_server(environment, port, args.workers, args.threads, log=log_file)
    try:
        outcomes = Outcomes()
        outcomes.page_seconds = []
        lock = threading.Lock()
        start = threading.Barrier(args.clients + 1)
        readers = [
            threading.Thread(
                target=run_reader,
                args=(n, port, path, run_id, args, start, outcomes, lock),
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
