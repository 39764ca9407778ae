"""/healthz and /readyz: answered before sessions, CSRF, host checks and HTTPS redirects."""

import json

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from config import health
from config.cache import cache_settings
from tests.servers import free_port


class LivenessTests(TestCase):
    def test_healthz_says_ok_without_asking_the_database(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/healthz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert len(queries) == 0

    def test_head_is_answered_too(self):
        assert self.client.head("/healthz").status_code == 200

    def test_other_methods_are_refused(self):
        response = self.client.post("/healthz")

        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


class ReadinessTests(TestCase):
    def setUp(self):
        health._migrations_applied = False

    def test_readyz_checks_the_database_the_migrations_and_the_cache(self):
        response = self.client.get("/readyz")

        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "database": "ok",
            "migrations": "ok",
            "cache": "ok",
        }

    def test_an_unapplied_migration_makes_the_site_not_ready(self):
        MigrationRecorder.Migration.objects.filter(app="comments").order_by("-id")[
            :1
        ].get().delete()

        with self.assertLogs("config.health", "WARNING"):
            response = self.client.get("/readyz")

        assert response.status_code == 503
        assert response.json()["migrations"] == "1 migration not applied"
        assert response.json()["status"] == "unavailable"

    def test_an_unreachable_cache_makes_the_site_not_ready(self):
        nowhere = cache_settings(f"rediscache://127.0.0.1:{free_port()}/0")

        with override_settings(CACHES={"default": nowhere}), self.assertLogs("config"):
            response = self.client.get("/readyz")

        assert response.status_code == 503
        assert response.json()["cache"] == "unreachable or not keeping values"
        assert response.json()["database"] == "ok"


class ProbeFriendlyTests(TestCase):
    def test_no_cookie_no_vary_on_cookie_and_never_cached(self):
        self.client.cookies["sessionid"] = "someone"
        self.client.cookies["csrftoken"] = "x" * 32

        for path in ("/healthz", "/readyz"):
            response = self.client.get(path)

            assert response.cookies == {}, path
            assert "Cookie" not in response.get("Vary", ""), path
            assert "no-store" in response["Cache-Control"], path
            assert response["X-Robots-Tag"] == "noindex", path

    @override_settings(ALLOWED_HOSTS=["news.example"], SECURE_SSL_REDIRECT=True)
    def test_answered_for_a_probe_on_plain_http_with_the_containers_address(self):
        response = self.client.get("/healthz", HTTP_HOST="10.0.3.7:8000")

        assert response.status_code == 200
        assert self.client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400

    def test_robots_txt_disallows_both(self):
        robots = self.client.get("/robots.txt").content.decode()

        assert "Disallow: /healthz\n" in robots
        assert "Disallow: /readyz\n" in robots

    def test_the_sitemap_lists_neither(self):
        sitemap = self.client.get("/sitemap.xml").content.decode()

        assert "healthz" not in sitemap
        assert "readyz" not in sitemap

    def test_the_body_is_json(self):
        response = self.client.get("/readyz")

        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert json.loads(response.content)["status"] == "ok"
