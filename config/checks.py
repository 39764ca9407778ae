"""System checks for running Byline in production (`manage.py check --deploy`).

The comment flood limits and throttles count in the default cache. A local-memory cache lives
inside one process: with several gunicorn workers each keeps its own counts, so a limit of 5
lets 5 × workers through, and a confirmation mail "at most every few minutes" goes out once per
worker. The check below and the start hook in config/gunicorn.conf.py refuse that setup.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

PER_PROCESS_CACHE = "config.E001"
PER_PROCESS_BACKENDS = {"django.core.cache.backends.locmem.LocMemCache"}


def per_process_cache_problem(workers):
    """Why the default cache cannot serve `workers` processes, or None when it can."""
    backend = settings.CACHES["default"]["BACKEND"]
    if workers <= 1 or backend not in PER_PROCESS_BACKENDS:
        return None
    return (
        f"The cache is local memory, private to each process, but {workers} worker processes "
        "would serve the site: the comment flood limits and throttles would count per process. "
        "Set CACHE_URL to a shared cache (e.g. rediscache://127.0.0.1:6379/1), or run one "
        "worker (WEB_CONCURRENCY=1)."
    )


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    problem = per_process_cache_problem(settings.WEB_CONCURRENCY)
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Redis through CACHE_URL is the documented production cache (README.md, "
            "Production).",
            id=PER_PROCESS_CACHE,
        )
    ]
