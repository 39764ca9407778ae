"""Run code against the site in a fresh interpreter with production settings of its own.

For what one test process cannot do to itself: serve from a database that is down, from a
restored copy, or with a connection the database server dropped. The code runs after
`django.setup()` with DEBUG off and the test settings conftest.py would apply (plain static
files storage, no Secure cookies), and prints what the test asserts on.
"""

import os
import subprocess
import sys
from pathlib import Path

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
