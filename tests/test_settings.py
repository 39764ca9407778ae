"""config.settings, imported fresh in a subprocess with a controlled environment.

Settings also read `.env` beside manage.py, without overwriting variables already set. `.env` is
gitignored (absent in CI) but `make run` writes one locally; so every variable a test depends
on is set explicitly, and the tests that need a variable to be truly absent are skipped when
the local `.env` would supply it.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from tests.sites import BASE_DIR, run_settings, settings_output, unless_dot_env_sets

SECRET_KEY_MESSAGE = (
    "SECRET_KEY must be set when DEBUG is off (export SECRET_KEY=... or set DEBUG=1)."
)


def refusal(**env):
    """What config.settings says on stderr when it refuses to import under `env`."""
    result = run_settings("print('imported')", **env)
    assert result.returncode != 0, env
    assert "imported" not in result.stdout
    return result.stderr


def test_settings_refuse_to_import_with_an_empty_secret_key_when_debug_is_off():
    # An explicitly empty SECRET_KEY wins over any SECRET_KEY in a local .env.
    stderr = refusal(DEBUG="0", SECRET_KEY="")

    assert f"django.core.exceptions.ImproperlyConfigured: {SECRET_KEY_MESSAGE}" in stderr


@unless_dot_env_sets("SECRET_KEY")
def test_settings_refuse_to_import_without_a_secret_key_when_debug_is_off():
    stderr = refusal(DEBUG="0")

    assert f"django.core.exceptions.ImproperlyConfigured: {SECRET_KEY_MESSAGE}" in stderr


def test_settings_import_with_a_secret_key_when_debug_is_off():
    # The control for the refusals above: the same command succeeds once a key is given.
    output = settings_output(
        "from django.conf import settings\nprint(settings.SECRET_KEY, settings.DEBUG)",
        DEBUG="0",
        SECRET_KEY="a-real-key",
    )

    assert output.split() == ["a-real-key", "False"]


def test_postgres_database_url_selects_the_postgresql_engine():
    code = (
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(db['ENGINE'], db['NAME'], db['USER'], db['HOST'], db['PORT'], "
        "db['ATOMIC_REQUESTS'])"
    )

    output = settings_output(
        code,
        DEBUG="0",
        SECRET_KEY="test",
        DATABASE_URL="postgres://newsroom@db.internal.example:5433/byline_prod",
    )

    assert output.split() == [
        "django.db.backends.postgresql",
        "byline_prod",
        "newsroom",
        "db.internal.example",
        "5433",
        "True",
    ]


@unless_dot_env_sets("DATABASE_URL")
def test_default_database_is_sqlite_beside_manage_py():
    code = (
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(db['ENGINE'], db['NAME'])"
    )

    output = settings_output(code, DEBUG="0", SECRET_KEY="test")

    assert output.split() == [
        "django.db.backends.sqlite3",
        str(BASE_DIR / "db.sqlite3"),
    ]


SITE_URL_MESSAGE = (
    "SITE_URL must be set to the public site's address when DEBUG is off "
    "(e.g. SITE_URL=https://news.example): canonical links, feeds, the sitemap and links in "
    "emails are built from it, never from the request's Host header."
)


@unless_dot_env_sets("SITE_URL")
def test_settings_refuse_to_import_without_site_url_when_debug_is_off():
    stderr = refusal(DEBUG="0", SECRET_KEY="a-real-key", SITE_URL=None)

    assert f"django.core.exceptions.ImproperlyConfigured: {SITE_URL_MESSAGE}" in stderr


def test_settings_refuse_the_development_site_url_when_debug_is_off():
    for development in ("http://127.0.0.1:8000", "http://127.0.0.1:8000/", ""):
        stderr = refusal(DEBUG="0", SECRET_KEY="a-real-key", SITE_URL=development)

        assert f"django.core.exceptions.ImproperlyConfigured: {SITE_URL_MESSAGE}" in stderr


def test_settings_refuse_a_site_url_that_is_not_an_origin():
    for malformed in ("news.example", "ftp://news.example", "https://news.example/comments/"):
        stderr = refusal(DEBUG="1", SECRET_KEY="a-real-key", SITE_URL=malformed)

        assert (
            "django.core.exceptions.ImproperlyConfigured: SITE_URL must be the public site's "
            f"origin, a scheme and a host such as https://news.example, not '{malformed}'."
        ) in stderr


def test_settings_import_with_a_site_url_when_debug_is_off():
    output = settings_output(
        "from django.conf import settings\nprint(settings.SITE_URL)",
        DEBUG="0",
        SECRET_KEY="a-real-key",
        SITE_URL="https://news.example/",
    )

    assert output.split() == ["https://news.example/"]


@unless_dot_env_sets("SITE_URL")
def test_debug_mode_defaults_site_url_to_the_development_server():
    output = settings_output(
        "from django.conf import settings\nprint(settings.SITE_URL)",
        DEBUG="1",
        SECRET_KEY="test",
        SITE_URL=None,
    )

    assert output.split() == ["http://127.0.0.1:8000"]


def fresh_checkout(directory):
    """A copy of the settings package in `directory`: a checkout with no `.env` and no key yet."""
    checkout = Path(directory)
    shutil.copytree(
        BASE_DIR / "config", checkout / "config", ignore=shutil.ignore_patterns("__pycache__")
    )
    return checkout


def settings_secret_key(checkout, **env):
    """SECRET_KEY as config.settings sets it when imported from `checkout` with only `env`."""
    environment = {"PATH": os.environ.get("PATH", ""), **env}
    result = subprocess.run(
        [sys.executable, "-c", "from config import settings; print(settings.SECRET_KEY)"],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class DevelopmentSecretKeyTests(SimpleTestCase):
    """With DEBUG on and no SECRET_KEY, each checkout makes its own key once and keeps it."""

    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="byline-checkout-")
        self.addCleanup(directory.cleanup)
        self.checkout = fresh_checkout(directory.name)
        self.key_file = self.checkout / ".secret_key"

    def test_debug_without_a_key_generates_a_random_one_instead_of_a_public_string(self):
        key = settings_secret_key(self.checkout, DEBUG="1")

        assert key != "django-insecure-development-only-key"
        assert len(key) >= 50
        # Django's own marker for development keys: check --deploy refuses any key starting so.
        assert key.startswith("django-insecure-")

    def test_the_generated_key_is_kept_beside_manage_py_and_reused(self):
        first = settings_secret_key(self.checkout, DEBUG="1")

        assert self.key_file.read_text().strip() == first
        assert stat.S_IMODE(self.key_file.stat().st_mode) == 0o600
        assert settings_secret_key(self.checkout, DEBUG="1") == first

    def test_two_checkouts_get_different_keys(self):
        with tempfile.TemporaryDirectory(prefix="byline-checkout-") as other:
            other_key = settings_secret_key(fresh_checkout(other), DEBUG="1")

        assert settings_secret_key(self.checkout, DEBUG="1") != other_key

    def test_a_secret_key_from_the_environment_wins_and_writes_no_file(self):
        assert settings_secret_key(self.checkout, DEBUG="1", SECRET_KEY="from-env") == "from-env"
        assert not self.key_file.exists()

    def test_the_development_key_is_never_used_with_debug_off(self):
        settings_secret_key(self.checkout, DEBUG="1")

        result = subprocess.run(
            [sys.executable, "-c", "from config import settings"],
            cwd=self.checkout,
            env={"PATH": os.environ.get("PATH", ""), "DEBUG": "0"},
            capture_output=True,
            text=True,
            timeout=60,
        )

        assert result.returncode != 0
        assert SECRET_KEY_MESSAGE in result.stderr


EMAIL_SETTINGS = (
    "from django.conf import settings\n"
    "import json\n"
    "print(json.dumps({name: getattr(settings, name) for name in ("
    "'EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', "
    "'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'EMAIL_TIMEOUT', 'DEFAULT_FROM_EMAIL', 'SERVER_EMAIL')}))"
)
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


def email_settings(**env):
    output = settings_output(EMAIL_SETTINGS, **{"SECRET_KEY": "test", **env})
    return json.loads(output)


class EmailUrlTests(SimpleTestCase):
    """Outgoing mail is configured by one EMAIL_URL (django-environ's email_url)."""

    def test_smtp_with_starttls_user_and_password_from_one_url(self):
        mail = email_settings(DEBUG="0", EMAIL_URL="smtp+tls://desk:p%40ss%2Fword@mail.example:587")

        assert mail["EMAIL_BACKEND"] == SMTP
        assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"]) == ("mail.example", 587)
        assert (mail["EMAIL_HOST_USER"], mail["EMAIL_HOST_PASSWORD"]) == ("desk", "p@ss/word")
        assert (mail["EMAIL_USE_TLS"], mail["EMAIL_USE_SSL"]) == (True, False)

    def test_smtp_over_implicit_tls(self):
        mail = email_settings(DEBUG="0", EMAIL_URL="smtp+ssl://desk:secret@mail.example:465")

        assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"]) == ("mail.example", 465)
        assert (mail["EMAIL_USE_TLS"], mail["EMAIL_USE_SSL"]) == (False, True)

    def test_console_mail_url(self):
        assert email_settings(DEBUG="1", EMAIL_URL="consolemail://")["EMAIL_BACKEND"] == CONSOLE

    @unless_dot_env_sets("EMAIL_URL")
    def test_development_prints_mail_to_the_console_by_default(self):
        assert email_settings(DEBUG="1")["EMAIL_BACKEND"] == CONSOLE

    @unless_dot_env_sets("EMAIL_URL")
    def test_production_default_is_an_smtp_server_on_this_machine(self):
        mail = email_settings(DEBUG="0")

        assert mail["EMAIL_BACKEND"] == SMTP
        assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"]) == ("localhost", 25)
        assert (mail["EMAIL_HOST_USER"], mail["EMAIL_HOST_PASSWORD"]) == ("", "")

    def test_a_slow_mail_server_cannot_hold_a_worker_for_ever(self):
        assert email_settings(DEBUG="0", EMAIL_URL="smtp://mail.example")["EMAIL_TIMEOUT"] == 10
        assert email_settings(DEBUG="0", EMAIL_TIMEOUT="3")["EMAIL_TIMEOUT"] == 3

    def test_sender_addresses_come_from_the_environment(self):
        mail = email_settings(
            DEBUG="0",
            DEFAULT_FROM_EMAIL="Byline newsroom <newsroom@byline.example>",
            SERVER_EMAIL="alerts@byline.example",
        )

        assert mail["DEFAULT_FROM_EMAIL"] == "Byline newsroom <newsroom@byline.example>"
        assert mail["SERVER_EMAIL"] == "alerts@byline.example"

    def test_server_errors_are_sent_from_the_newsroom_address_unless_told_otherwise(self):
        mail = email_settings(DEBUG="0", DEFAULT_FROM_EMAIL="newsroom@byline.example")

        assert mail["SERVER_EMAIL"] == "newsroom@byline.example"

    def test_email_backend_still_names_a_backend_the_url_has_no_scheme_for(self):
        mail = email_settings(
            DEBUG="0",
            EMAIL_URL="smtp://mail.example:2525",
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        )

        assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.dummy.EmailBackend"
        assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"]) == ("mail.example", 2525)

    def test_an_unknown_scheme_is_refused_with_the_known_ones(self):
        result = run_settings("", DEBUG="0", SECRET_KEY="test", EMAIL_URL="smtpx://mail.example")

        assert result.returncode != 0
        assert "EMAIL_URL" in result.stderr
        assert "smtp+tls://" in result.stderr

    def test_the_port_defaults_to_the_one_for_the_kind_of_tls(self):
        ports = [
            email_settings(DEBUG="0", EMAIL_URL=f"{scheme}://mail.example")["EMAIL_PORT"]
            for scheme in ("smtp", "smtp+tls", "smtp+ssl")
        ]

        assert ports == [25, 587, 465]

    def test_file_mail_writes_to_the_folder_in_the_url(self):
        code = (
            "from django.conf import settings\n"
            "print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
        )
        output = settings_output(
            code, DEBUG="1", SECRET_KEY="test", EMAIL_URL="filemail:///var/tmp/byline-mail"
        )

        assert output.split() == [
            "django.core.mail.backends.filebased.EmailBackend",
            "/var/tmp/byline-mail",
        ]


def production_output(code, **env):
    """What `code` prints under production settings (DEBUG off) and `env`."""
    return settings_output(code, DEBUG="0", SECRET_KEY="test", **env)


class AdminSignInSettingsTests(SimpleTestCase):
    CODE = (
        "from django.conf import settings\n"
        "print(settings.AXES_FAILURE_LIMIT, int(settings.AXES_COOLOFF_TIME.total_seconds()))"
    )

    @unless_dot_env_sets(
        "AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES", reason="the local .env sets the lockout"
    )
    def test_lockout_after_five_failures_for_fifteen_minutes_by_default(self):
        assert production_output(self.CODE).split() == ["5", "900"]

    def test_failure_limit_and_cool_off_come_from_the_environment(self):
        output = production_output(self.CODE, AXES_FAILURE_LIMIT="8", AXES_COOLOFF_MINUTES="45")

        assert output.split() == ["8", "2700"]

    OTP_CODE = (
        "from django.conf import settings\n"
        "print(settings.OTP_REQUIRED_GROUPS, settings.OTP_REQUIRED_FOR_SUPERUSERS)"
    )

    @unless_dot_env_sets(
        "OTP_REQUIRED_GROUPS",
        "OTP_REQUIRED_FOR_SUPERUSERS",
        reason="the local .env requires two-factor sign-in, as designed",
    )
    def test_two_factor_sign_in_is_optional_for_everyone_by_default(self):
        assert production_output(self.OTP_CODE).strip() == "[] False"

    def test_the_environment_requires_two_factor_sign_in_of_roles_and_superusers(self):
        output = production_output(
            self.OTP_CODE,
            OTP_REQUIRED_GROUPS="Editor,Moderator",
            OTP_REQUIRED_FOR_SUPERUSERS="true",
        )

        assert output.strip() == "['Editor', 'Moderator'] True"


class RenamedVariableTests(SimpleTestCase):
    """SHARE_LINK_MAX_AGE_DAYS became REVIEW_LINK_MAX_AGE_DAYS with articles/review_links.py."""

    def review_link_days(self, **env):
        output = settings_output(
            "from django.conf import settings\n"
            "from django.core.checks import run_checks\n"
            "print(settings.REVIEW_LINK_MAX_AGE_DAYS)\n"
            "print(sorted({m.id for m in run_checks() if m.id.startswith('config.')}))",
            DEBUG="0",
            SECRET_KEY="x" * 50,
            **env,
        )
        days, check_ids = output.splitlines()
        return int(days), check_ids

    def test_the_new_name_is_read(self):
        assert self.review_link_days(REVIEW_LINK_MAX_AGE_DAYS="3") == (3, "[]")

    def test_the_old_name_still_works_and_the_checks_ask_for_the_new_one(self):
        assert self.review_link_days(SHARE_LINK_MAX_AGE_DAYS="4") == (4, "['config.W002']")

    def test_the_new_name_wins_over_the_old(self):
        days, _checks = self.review_link_days(
            REVIEW_LINK_MAX_AGE_DAYS="2", SHARE_LINK_MAX_AGE_DAYS="9"
        )
        assert days == 2

    def test_the_default_is_a_week(self):
        assert self.review_link_days() == (7, "[]")
