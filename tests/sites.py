"""Run code in a fresh interpreter, for what one test process cannot do to itself.

`run_site` runs it against the site with production settings of its own: to serve from a
database that is down, from a restored copy, or with a connection the database server dropped.
The code runs after `django.setup()` with DEBUG off and the test settings conftest.py would
apply (plain static files storage, no Secure cookies), and prints what the test asserts on.

`run_settings` imports config.settings with only the environment a test gives (and PATH), to
see what the settings derive from it; `unless_dot_env_sets` skips a test when a local `.env`
would supply a variable the test needs absent.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

PRELUDE = """
import django
from django.conf import settings
django.setup()
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""


def run_site(code, database_url, timeout=120, **environment):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "test-only-insecure-key",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SITE_URL": "http://testserver",
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def dot_env_defines(name):
    dot_env = BASE_DIR / ".env"
    if not dot_env.exists():
        return False
    return any(
        line.strip().removeprefix("export ").startswith(f"{name}=")
        for line in dot_env.read_text().splitlines()
    )


def unless_dot_env_sets(*names, reason=None):
    """Skip the test when the local `.env` sets one of `names`, which the test needs absent."""
    return pytest.mark.skipif(
        any(dot_env_defines(name) for name in names),
        reason=reason or f"the local .env supplies {' or '.join(names)}, as designed",
    )


#: Production settings need the public site's address; tests about other settings give it.
PRODUCTION_SITE_URL = "https://news.example"


def run_settings(code, **env):
    """Run `code` after django.setup() in a fresh interpreter with only `env` (and PATH) set.

    SITE_URL is set to PRODUCTION_SITE_URL unless `env` names it; None leaves it unset.
    """
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SITE_URL": PRODUCTION_SITE_URL,
    }
    environment.update(env)
    environment = {name: value for name, value in environment.items() if value is not None}
    return subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_output(code, **env):
    """What `code` prints when `run_settings` runs it; the run must succeed."""
    result = run_settings(code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout
