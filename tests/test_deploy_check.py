"""`manage.py check --deploy` passes cleanly with the settings a production site runs with.

The command runs in a fresh interpreter with only PRODUCTION_ENV (and PATH) set, so the test
sees the defaults an operator gets, plus the variables README's "Production" section tells them
to set. A variable the production settings need goes into PRODUCTION_ENV, nowhere else.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.test import SimpleTestCase

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "SITE_URL": "https://news.example",
    "ALLOWED_HOSTS": "news.example",
    "COMMENT_EMAIL_KEYS": Fernet.generate_key().decode(),
    "COMMENT_EMAIL_HMAC_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://byline@127.0.0.1:5432/byline",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
    "EMAIL_URL": "smtp+tls://byline:secret@smtp.news.example:587",
}


def check_deploy(**overrides):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **PRODUCTION_ENV,
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


class DeployCheckTests(SimpleTestCase):
    def test_production_settings_pass_the_deploy_check_without_a_warning(self):
        result = check_deploy()

        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues (0 silenced)." in result.stdout

    def test_the_check_notices_when_hsts_is_switched_off(self):
        # The control: the command does report what it should, with these same settings.
        result = check_deploy(SECURE_HSTS_SECONDS="0")

        assert result.returncode != 0
        assert "security.W004" in result.stderr

    def test_the_check_notices_a_per_process_cache_shared_by_several_workers(self):
        result = check_deploy(CACHE_URL="", WEB_CONCURRENCY="3")

        assert result.returncode != 0
        assert "config.E002" in result.stderr
