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


SITE_URL_MESSAGE = (
    "SITE_URL must be set to the public site's address when DEBUG is off "
    "(e.g. SITE_URL=https://news.example): links in emails are built from it, never from the "
    "request's Host header."
)


@pytest.mark.skipif(
    dot_env_defines("SITE_URL"), reason="the local .env supplies SITE_URL, as designed"
)
def test_settings_refuse_to_import_without_site_url_when_debug_is_off():
    result = run_settings("print('imported')", DEBUG="0", SECRET_KEY="a-real-key", SITE_URL=None)

    assert result.returncode != 0
    assert "imported" not in result.stdout
    assert f"django.core.exceptions.ImproperlyConfigured: {SITE_URL_MESSAGE}" in result.stderr


def test_settings_refuse_the_development_site_url_when_debug_is_off():
    for development in ("http://127.0.0.1:8000", "http://127.0.0.1:8000/", ""):
        result = run_settings(
            "print('imported')", DEBUG="0", SECRET_KEY="a-real-key", SITE_URL=development
        )

        assert result.returncode != 0, development
        assert "imported" not in result.stdout
        assert f"django.core.exceptions.ImproperlyConfigured: {SITE_URL_MESSAGE}" in result.stderr


def test_settings_refuse_a_site_url_that_is_not_an_origin():
    for malformed in ("news.example", "ftp://news.example", "https://news.example/comments/"):
        result = run_settings(
            "print('imported')", DEBUG="1", SECRET_KEY="a-real-key", SITE_URL=malformed
        )

        assert result.returncode != 0, malformed
        assert (
            "django.core.exceptions.ImproperlyConfigured: SITE_URL must be the public site's "
            f"origin, a scheme and a host such as https://news.example, not '{malformed}'."
        ) in result.stderr


def test_settings_import_with_a_site_url_when_debug_is_off():
    result = run_settings(
        "from django.conf import settings\nprint(settings.SITE_URL)",
        DEBUG="0",
        SECRET_KEY="a-real-key",
        SITE_URL="https://news.example/",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://news.example/"]


@pytest.mark.skipif(
    dot_env_defines("SITE_URL"), reason="the local .env supplies SITE_URL, as designed"
)
def test_debug_mode_defaults_site_url_to_the_development_server():
    result = run_settings(
        "from django.conf import settings\nprint(settings.SITE_URL)", DEBUG="1", SITE_URL=None
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["http://127.0.0.1:8000"]
