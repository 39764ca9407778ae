"""Health endpoints for load balancers, orchestrators and deploy scripts.

- `/healthz`: the process is up and answering (liveness). Touches nothing else.
- `/readyz`: the database answers, every migration is applied, and the cache keeps what it is
  given (readiness). 200 with `{"status": "ok", …}`, or 503 naming what is wrong. Details of
  a failure (host names, driver messages) go to the log, not to the answer.

`HealthCheckMiddleware`, first in MIDDLEWARE, answers both before anything else runs: no
session, no CSRF cookie, no `Vary: Cookie`, no redirect to HTTPS (probes talk plain HTTP to the
worker) and no refusal for the Host header a probe sends (often the container's address, which
ALLOWED_HOSTS need not list). The answers are never cached, the paths are disallowed in
robots.txt and absent from the sitemap.

With Redis down the site keeps serving without it (config/cache.py) while `/readyz` says 503:
point the load balancer at `/healthz`, and watch `/readyz` or gate deploys on it.
"""

import json
import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"

_migrations_applied = False  # once true, stays true for the life of the process


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_migrations():
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return f"{len(plan)} migration{'s' if len(plan) > 1 else ''} not applied"
        _migrations_applied = True
    return "ok"


def check_cache():
    key = f"health:readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    kept = cache.get(key)
    cache.delete(key)
    return "ok" if kept == "ok" else "unreachable or not keeping values"


CHECKS = {"database": check_database, "migrations": check_migrations, "cache": check_cache}


def readiness():
    """Each check's answer: "ok", or what is wrong."""
    results = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "not checked: no database"
            continue
        try:
            results[name] = check()
        except Exception as error:  # a probe answers 503, never 500
            logger.warning("Readiness check %s failed: %s: %s", name, type(error).__name__, error)
            results[name] = "unreachable"
    failing = {name: result for name, result in results.items() if result != "ok"}
    if failing:
        logger.warning("Not ready: %s", ", ".join(f"{k}: {v}" for k, v in failing.items()))
    return results


def _answer(status, payload):
    response = HttpResponse(
        json.dumps(payload), status=status, content_type="application/json; charset=utf-8"
    )
    response["X-Robots-Tag"] = "noindex"
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in (LIVENESS_PATH, READINESS_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = _answer(405, {"status": "method not allowed"})
            response["Allow"] = "GET, HEAD"
            return response
        if request.path == LIVENESS_PATH:
            return _answer(200, {"status": "ok"})
        checks = readiness()
        ready = all(result == "ok" for result in checks.values())
        return _answer(
            200 if ready else 503, {"status": "ok" if ready else "unavailable", **checks}
        )
