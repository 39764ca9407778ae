"""EXPLAIN (ANALYZE, BUFFERS) of every query each public page runs, on a big database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/byline_big \\
        .venv/bin/python bench/explain_plans.py [--out bench/plans]

Fill the database first (`manage.py generate_content --articles 100000 --comments 1000000
--authors 500 --tags 2000 --bench-article --big-thread 2000`). The script asks each page through
Django's test client against that database (no test database: it only reads), captures the
queries the page runs, and writes `<out>/<page>.txt`: the address, the number of queries and,
for every SELECT, its SQL and its plan, run for real. Lists are asked at their first and last
page (`?page=last` leads to it). `<out>/SUMMARY.md` lists each page's queries, the slowest
query's time and any sequential scan of a big table, which the script also reports on exit
(status 1 when there is one).

Re-runnable: the plans are overwritten, nothing is written to the database. The pages are read
with the production settings (`DEBUG` off, through HTTPS as the test client sees it).
"""

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "explain-plans-not-a-secret")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from articles.models import Article, Kind, Tag  # noqa: E402
from authors.models import Author  # noqa: E402

#: Tables that grow with the publication: a sequential scan of one is a page that slows down
#: as the site grows.
BIG_TABLES = (
    "articles_article",
    "articles_byline",
    "articles_taggedarticle",
    "comments_comment",
)
#: A sequential scan that reads fewer rows than this (under a LIMIT that finds its rows at
#: once, say) is not one that grows with the table.
ROWS_READ_LIMIT = 1000
SEQ_SCAN = re.compile(r"Seq Scan on (\w+) .*?actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)")
REMOVED = re.compile(r"Rows Removed by Filter: (\d+)")


def pages():
    """(name, address) of every public page worth a plan, first and last pages of the lists."""
    live = Article.objects.published()
    busiest_tag = (
        Tag.objects.annotate(n=Count("tagged_articles")).order_by("-n").values_list("slug", "n")
    )
    top_tag, _ = busiest_tag.first()
    middle_tag = busiest_tag[Tag.objects.count() // 2][0]
    kind = Kind.objects.annotate(n=Count("articles")).order_by("-n").first().slug
    author = Author.objects.annotate(n=Count("bylines")).order_by("-n").first().slug
    newest = live.order_by("-published_at").first().published_at
    busiest = (
        live.annotate(n=Count("comments")).order_by("-n").values_list("slug", flat=True).first()
    )
    listed = {
        "home": "/",
        "tag-busiest": f"/tags/{top_tag}/",
        "tag-middling": f"/tags/{middle_tag}/",
        "kind": f"/kinds/{kind}/",
        "author": f"/authors/{author}/",
        "archive": "/archive/",
        "archive-year": f"/archive/{newest:%Y}/",
        "archive-month": f"/archive/{newest:%Y/%m}/",
    }
    for name, address in listed.items():
        yield f"{name}-first", address
        yield f"{name}-last", f"{address}?page=last"
    yield "article-bench-analysis", "/articles/bench-analysis/"
    yield "article-long-thread", "/articles/bench-long-thread/"
    yield "article-most-comments", f"/articles/{busiest}/"
    yield "search", "/search/?q=shipping+tariffs"
    yield "feed", "/feed/"
    yield "feed-atom", "/feed/atom/"
    yield "feed-tag", f"/tags/{top_tag}/feed/"
    yield "feed-author", f"/authors/{author}/feed/"
    yield "feed-kind", f"/kinds/{kind}/feed/"
    yield "feed-comments", "/comments/feed/bench-long-thread/"
    yield "sitemap", "/sitemap.xml"


def fetch(client, address):
    """The page at `address`, following redirects (an old ?page= link); (final address,
    response, captured queries)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, secure=True)
    while response.status_code in (301, 302):
        address = response["Location"]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address, secure=True)
    return address, response, [query["sql"] for query in queries.captured_queries]


def big_sequential_scans(plan):
    """The big tables `plan` reads sequentially, beyond `ROWS_READ_LIMIT` rows (the rows it
    kept and the rows its filter removed, over every loop)."""
    lines = plan.splitlines()
    found = set()
    for number, line in enumerate(lines):
        match = SEQ_SCAN.search(line)
        if not match or match[1] not in BIG_TABLES:
            continue
        read = int(match[2]) * int(match[3])
        for detail in lines[number + 1 : number + 4]:
            if removed := REMOVED.search(detail):
                read += int(removed[1]) * int(match[3])
        if read > ROWS_READ_LIMIT:
            found.add(match[1])
    return found


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def execution_ms(plan):
    match = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return float(match[1]) if match else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "plans"))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at the big PostgreSQL database.")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    client = Client()
    summary, offenders = [], []
    # Static addresses without the collected files' manifest, as in the tests.
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
        plan_pages(out, client, summary, offenders)
    write_summary(out, summary)
    if offenders:
        print("Sequential scans of big tables on:", ", ".join(offenders))
        sys.exit(1)


def plan_pages(out, client, summary, offenders):
    for name, address in pages():
        final, response, queries = fetch(client, address)
        lines = [f"GET {final} → {response.status_code}", f"{len(queries)} queries", ""]
        slowest, scans = 0.0, set()
        for number, sql in enumerate(queries, 1):
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                lines += [f"-- {number}. {sql}", ""]
                continue
            plan = explain(sql)
            slowest = max(slowest, execution_ms(plan))
            scans |= big_sequential_scans(plan)
            lines += [f"-- {number}. {sql}", plan, ""]
        (out / f"{name}.txt").write_text("\n".join(lines))
        summary.append((name, final, response.status_code, len(queries), slowest, scans))
        if scans:
            offenders.append(name)
        flagged = f" SEQ SCAN: {', '.join(sorted(scans))}" if scans else ""
        print(
            f"{name:28} {response.status_code} {len(queries):3} queries, "
            f"slowest {slowest:8.2f} ms{flagged}"
        )


def write_summary(out, summary):
    rows = [
        f"| {name} | `{final}` | {status} | {count} | {slowest:.2f} | {', '.join(sorted(scans))} |"
        for name, final, status, count, slowest, scans in summary
    ]
    counts = connection.cursor()
    counts.execute(
        "SELECT (SELECT count(*) FROM articles_article), (SELECT count(*) FROM comments_comment)"
    )
    articles, comments = counts.fetchone()
    (out / "SUMMARY.md").write_text(
        f"# Query plans on {articles:,} articles and {comments:,} comments\n\n"
        "Written by `bench/explain_plans.py`; each page's plans are in `<page>.txt`. "
        "Times are one EXPLAIN ANALYZE run on a warm cache, on a shared machine: read them "
        "as orders of magnitude.\n\n"
        "| page | address | status | queries | slowest query (ms) | seq scan of a big table |\n"
        "|---|---|---:|---:|---:|---|\n" + "\n".join(rows) + "\n"
    )


if __name__ == "__main__":
    main()
