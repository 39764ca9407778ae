"""Gunicorn settings for Byline in production: `gunicorn -c config/gunicorn.conf.py`.

Read from the environment (and `.env`), like Django's settings:

- `GUNICORN_BIND` (default `127.0.0.1:8000`; comma-separated for several addresses);
- `WEB_CONCURRENCY` worker processes (default 2, read by config/settings.py so that
  `manage.py check --deploy` sees the same number), `GUNICORN_THREADS` threads each (4);
- `GUNICORN_TIMEOUT` seconds a request may run before its worker is restarted (30).

gunicorn trusts no forwarded header itself: HTTPS behind a proxy is for Django's
`TRUSTED_PROXY_*` settings alone. The server refuses to start with a cache that keeps nothing
(`dummycache://`), and with a per-process (local-memory) cache and more than one worker: the
flood limits would count nothing, or count per process (config/checks.py).
Access logging is off because Django logs every request itself, as one JSON line with DEBUG off
(config/logs.py); gunicorn's own messages are JSON lines too then.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402  (after DJANGO_SETTINGS_MODULE)

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = settings.WEB_CONCURRENCY
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deploy), workers finish the requests they hold for up to this long.
graceful_timeout = 30
# Behind a proxy on the same network: keep its connections open a little.
keepalive = 5
# Workers are replaced now and then, staggered, so that no slow leak grows for ever.
max_requests = 2000
max_requests_jitter = 200
# gunicorn 27's control socket has one default path per user: several sites (or a test run
# beside production) on one host would take each other's. Byline does not use it.
control_socket_disable = True
# Whether a request came over HTTPS, and from whom, is Django's to decide from the proxy
# settings (TRUSTED_PROXY_COUNT / TRUSTED_PROXY_NETWORKS, config/proxy.py). gunicorn believes
# none of the headers it would otherwise take from connections from 127.0.0.1 or a UNIX socket,
# whoever sent them: X-Forwarded-Proto, -Ssl and -Protocol (which set the WSGI scheme), and
# SCRIPT_NAME or PATH_INFO sent as headers (which would move every link the site builds).
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

if not settings.DEBUG:
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


def on_starting(server):
    from config.checks import cache_keeps_nothing_problem, per_process_cache_problem

    problem = cache_keeps_nothing_problem() or per_process_cache_problem(server.cfg.workers)
    if problem:
        server.log.error("Refusing to start: %s", problem)
        raise SystemExit(1)
