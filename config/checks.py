"""System checks for the settings config/settings.py reads from the environment.

`manage.py check --deploy` runs the ones marked deploy; the others run on every start.

The comment flood limits and throttles count in the default cache. A local-memory cache lives
inside one process: with several gunicorn workers each keeps its own counts, so a limit of 5
lets 5 × workers through, and a confirmation mail "at most every few minutes" goes out once per
worker. `check_shared_cache` and the start hook in config/gunicorn.conf.py refuse that setup.
A cache that keeps nothing (`dummycache://`) is worse, with any number of workers: no limit
counts at all. `check_cache_keeps_values` and the same hook refuse it.
"""

import os

from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from .roles import ROLE_PERMISSIONS

MAIL_KEPT_ON_THE_SERVER = "config.E001"
UNKNOWN_TWO_FACTOR_GROUP = "config.W001"
RENAMED_VARIABLE = "config.W002"

#: Environment variables renamed since a release, with the name config/settings.py reads now. The
#: old name still works, but only until it is dropped.
RENAMED_VARIABLES = {"SHARE_LINK_MAX_AGE_DAYS": "REVIEW_LINK_MAX_AGE_DAYS"}

# Backends that deliver nothing but keep each message, recipients' addresses included, in the
# server's log or on its disk.
LOCAL_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints every message to the log",
    "django.core.mail.backends.filebased.EmailBackend": "writes every message to a folder",
}


@register(Tags.security, deploy=True)
def check_outgoing_mail(app_configs=None, **kwargs):
    if settings.DEBUG or settings.EMAIL_BACKEND not in LOCAL_MAIL_BACKENDS:
        return []
    return [
        Error(
            f"Outgoing mail {LOCAL_MAIL_BACKENDS[settings.EMAIL_BACKEND]} instead of sending "
            "it: nobody receives confirmations or notifications, and commenters' addresses "
            "end up in the server's files.",
            hint="Set EMAIL_URL to your mail server, e.g. "
            "smtp+tls://user:password@smtp.example.com:587.",
            id=MAIL_KEPT_ON_THE_SERVER,
        )
    ]


@register(Tags.security)
def check_two_factor_groups(app_configs=None, **kwargs):
    """A misspelt role in OTP_REQUIRED_GROUPS would silently oblige nobody."""
    unknown = sorted(set(settings.OTP_REQUIRED_GROUPS) - set(ROLE_PERMISSIONS))
    if not unknown:
        return []
    return [
        Warning(
            f"OTP_REQUIRED_GROUPS names {', '.join(unknown)}, which is not a newsroom role: "
            "its members are not obliged to use two-factor sign-in unless such a group exists.",
            hint=f"The roles are {', '.join(ROLE_PERMISSIONS)} (group names are case-sensitive). "
            f"For a group you made yourself, add {UNKNOWN_TWO_FACTOR_GROUP} to "
            "SILENCED_SYSTEM_CHECKS.",
            id=UNKNOWN_TWO_FACTOR_GROUP,
        )
    ]


PER_PROCESS_CACHE = "config.E002"
SHARED_CACHE = "Redis through CACHE_URL is the documented production cache (README.md, Production)"
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


def cache_errors(problem, check_id, hint):
    """The cache checks' answer: no error, or one for the problem found (the gunicorn start
    hook, config/gunicorn.conf.py, refuses to start on the same problems)."""
    return [] if problem is None else [Error(problem, hint=hint, id=check_id)]


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    return cache_errors(
        per_process_cache_problem(settings.WEB_CONCURRENCY),
        PER_PROCESS_CACHE,
        hint=f"{SHARED_CACHE}.",
    )


CACHE_KEEPS_NOTHING = "config.E003"


def cache_keeps_nothing_problem():
    """Why the default cache cannot hold the limits' counts at all, or None when it can."""
    try:
        backend = import_string(settings.CACHES["default"]["BACKEND"])
    except ImportError:  # Django's own cache checks name the broken setting
        return None
    if not (isinstance(backend, type) and issubclass(backend, DummyCache)):
        return None
    return (
        "The cache keeps nothing (a dummy cache, CACHE_URL=dummycache://): the comment flood "
        "limits and throttles never count, and the limit of one confirmation message per "
        "address every few minutes lets every request through, so anyone could flood an "
        "address with confirmation mail. Set CACHE_URL to a shared cache (e.g. "
        "rediscache://127.0.0.1:6379/1)."
    )


@register(Tags.caches, deploy=True)
def check_cache_keeps_values(app_configs=None, **kwargs):
    return cache_errors(
        cache_keeps_nothing_problem(),
        CACHE_KEEPS_NOTHING,
        hint=f"{SHARED_CACHE}; local memory (no CACHE_URL) serves one worker.",
    )


@register()
def check_renamed_variables(app_configs=None, **kwargs):
    return [
        Warning(
            f"{old} is deprecated: it is now called {new}.",
            hint=f"Rename {old} to {new} in the environment; the old name will stop working.",
            id=RENAMED_VARIABLE,
        )
        for old, new in RENAMED_VARIABLES.items()
        if old in os.environ
    ]
