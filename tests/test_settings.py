"""config.settings, imported fresh in a subprocess with a controlled environment.

Settings also read `.env` beside manage.py, without overwriting variables already set. `.env` is
gitignored (absent in CI) but `make run` writes one locally; so every variable a test depends
on is set explicitly, and the tests that need a variable to be truly absent are skipped when
the local `.env` would supply it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY_MESSAGE = (
    "SECRET_KEY must be set when DEBUG is off (export SECRET_KEY=... or set DEBUG=1)."
)


def dot_env_defines(name):
    dot_env = BASE_DIR / ".env"
    if not dot_env.exists():
        return False
    return any(
        line.strip().removeprefix("export ").startswith(f"{name}=")
        for line in dot_env.read_text().splitlines()
    )


def run_settings(code, **env):
    """Run `code` after django.setup() in a fresh interpreter with only `env` (and PATH) set."""
    environment = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_import_with_an_empty_secret_key_when_debug_is_off():
    # An explicitly empty SECRET_KEY wins over any SECRET_KEY in a local .env.
    result = run_settings("print('imported')", DEBUG="0", SECRET_KEY="")

    assert result.returncode != 0
    assert "imported" not in result.stdout
    assert f"django.core.exceptions.ImproperlyConfigured: {SECRET_KEY_MESSAGE}" in result.stderr


@pytest.mark.skipif(
    dot_env_defines("SECRET_KEY"), reason="the local .env supplies SECRET_KEY, as designed"
)
def test_settings_refuse_to_import_without_a_secret_key_when_debug_is_off():
    result = run_settings("print('imported')", DEBUG="0")

    assert result.returncode != 0
    assert "imported" not in result.stdout
    assert f"django.core.exceptions.ImproperlyConfigured: {SECRET_KEY_MESSAGE}" in result.stderr


def test_settings_import_with_a_secret_key_when_debug_is_off():
    # The control for the refusals above: the same command succeeds once a key is given.
    result = run_settings(
        "from django.conf import settings\nprint(settings.SECRET_KEY, settings.DEBUG)",
        DEBUG="0",
        SECRET_KEY="a-real-key",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["a-real-key", "False"]


@pytest.mark.skipif(
    dot_env_defines("SECRET_KEY"), reason="the local .env supplies SECRET_KEY, as designed"
)
def test_debug_mode_imports_without_a_secret_key_using_an_insecure_development_key():
    result = run_settings(
        "from django.conf import settings\nprint(settings.SECRET_KEY, settings.DEBUG)",
        DEBUG="1",
    )

    assert result.returncode == 0, result.stderr
    key, debug = result.stdout.split()
    assert key.startswith("django-insecure-")
    assert debug == "True"


def test_postgres_database_url_selects_the_postgresql_engine():
    code = (
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(db['ENGINE'], db['NAME'], db['USER'], db['HOST'], db['PORT'], "
        "db['ATOMIC_REQUESTS'])"
    )

    result = run_settings(
        code,
        DEBUG="0",
        SECRET_KEY="test",
        DATABASE_URL="postgres://newsroom@db.internal.example:5433/byline_prod",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "byline_prod",
        "newsroom",
        "db.internal.example",
        "5433",
        "True",
    ]


@pytest.mark.skipif(
    dot_env_defines("DATABASE_URL"), reason="the local .env supplies DATABASE_URL, as designed"
)
def test_default_database_is_sqlite_beside_manage_py():
    code = (
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(db['ENGINE'], db['NAME'])"
    )

    result = run_settings(code, DEBUG="0", SECRET_KEY="test")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        str(BASE_DIR / "db.sqlite3"),
    ]
