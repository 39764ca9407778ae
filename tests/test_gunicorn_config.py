"""config/gunicorn.conf.py and the deploy check: several workers need a shared cache."""

import http.client
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.core.checks import run_checks
from django.test import SimpleTestCase, override_settings

from config.cache import cache_settings
from config.checks import CACHE_KEEPS_NOTHING, PER_PROCESS_CACHE
from tests.servers import NoAnswer, RedisServer, free_port, wait_for_answer

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
LOCAL_MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": cache_settings("dummycache://")}


def gunicorn(port, **environment):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "0",
        "SECRET_KEY": "test-only-insecure-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": "sqlite:///:memory:",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        **environment,
    }
    return subprocess.Popen(
        [GUNICORN, "-c", "config/gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_health(server, port, seconds=60):
    try:
        return wait_for_answer(server, port, "/healthz", seconds=seconds)
    except NoAnswer as no_answer:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited: {server.communicate()[1]}") from no_answer
        raise AssertionError("gunicorn did not answer") from no_answer


def refusal(server, seconds=60):
    """What a server expected to refuse to start wrote; it is stopped if it serves instead."""
    try:
        _, stderr = server.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        server.kill()
        server.communicate()
        raise AssertionError("gunicorn started instead of refusing to") from None
    return stderr


def stop(server):
    server.send_signal(signal.SIGTERM)
    try:
        _, stderr = server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        _, stderr = server.communicate()
    return stderr


class GunicornStartTests(SimpleTestCase):
    def test_refuses_several_workers_with_a_per_process_cache(self):
        server = gunicorn(free_port(), WEB_CONCURRENCY="3")

        stderr = refusal(server)

        assert server.returncode != 0
        assert "Refusing to start: The cache is local memory" in stderr
        assert "3 worker processes" in stderr
        assert "CACHE_URL" in stderr

    def test_one_worker_may_use_local_memory(self):
        port = free_port()
        server = gunicorn(port, WEB_CONCURRENCY="1")
        try:
            assert wait_for_health(server, port) == 200
        finally:
            stderr = stop(server)
        assert server.returncode == 0

        # gunicorn's own messages are JSON lines too, and there is no access log.
        lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
        assert any(line["message"].startswith("Booting worker") for line in lines)
        assert all(line["logger"] != "gunicorn.access" for line in lines)

    def test_several_workers_start_with_redis(self):
        redis = RedisServer().start()
        self.addCleanup(redis.close)
        port = free_port()
        server = gunicorn(port, WEB_CONCURRENCY="2", CACHE_URL=redis.cache_url)
        try:
            assert wait_for_health(server, port) == 200
        finally:
            stderr = stop(server)
        assert stderr.count("Booting worker") == 2


def get(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status, response.getheader("Location")


class ForwardedHeadersTests(SimpleTestCase):
    """Whether a request came over HTTPS is Django's to decide (TRUSTED_PROXY_COUNT or
    TRUSTED_PROXY_NETWORKS, config/proxy.py), never gunicorn's: by default gunicorn believes
    X-Forwarded-Proto, -Ssl and -Protocol (and takes SCRIPT_NAME from a header) on any
    connection from 127.0.0.1, where a proxy on the same machine connects from, whatever
    client sent them."""

    CLAIMS = [
        {"X-Forwarded-Proto": "https"},
        {"X-Forwarded-Ssl": "on"},
        {"X-Forwarded-Protocol": "ssl"},
        {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"},
    ]

    def serve(self, **environment):
        port = free_port()
        server = gunicorn(port, WEB_CONCURRENCY="1", SECURE_SSL_REDIRECT="1", **environment)
        self.addCleanup(stop, server)
        assert wait_for_health(server, port) == 200
        return port

    def test_a_client_claiming_https_is_redirected_without_a_trusted_proxy(self):
        port = self.serve(TRUSTED_PROXY_COUNT="0", TRUSTED_PROXY_NETWORKS="")

        for headers in self.CLAIMS:
            with self.subTest(headers=headers):
                assert get(port, "/robots.txt", headers) == (
                    301,
                    f"https://127.0.0.1:{port}/robots.txt",
                )

    def test_a_client_cannot_set_the_script_name(self):
        port = self.serve(TRUSTED_PROXY_COUNT="0", TRUSTED_PROXY_NETWORKS="")

        status, location = get(port, "/robots.txt", {"SCRIPT_NAME": "/elsewhere"})

        assert (status, location) == (301, f"https://127.0.0.1:{port}/robots.txt")

    def test_behind_a_trusted_proxy_django_believes_its_forwarded_scheme(self):
        port = self.serve(TRUSTED_PROXY_COUNT="1")

        assert get(port, "/robots.txt", {"X-Forwarded-Proto": "https"}) == (200, None)
        assert get(port, "/robots.txt", {"X-Forwarded-Ssl": "on"})[0] == 301


class SharedCacheCheckTests(SimpleTestCase):
    def errors(self):
        return [m for m in run_checks(include_deployment_checks=True) if m.id == PER_PROCESS_CACHE]

    @override_settings(DEBUG=False, CACHES=LOCAL_MEMORY, WEB_CONCURRENCY=2)
    def test_local_memory_with_several_workers_is_an_error(self):
        [error] = self.errors()

        assert error.is_serious()
        assert "2 worker processes" in error.msg
        assert "rediscache://" in error.msg

    @override_settings(DEBUG=False, CACHES=LOCAL_MEMORY, WEB_CONCURRENCY=1)
    def test_local_memory_with_one_worker_is_fine(self):
        assert self.errors() == []

    @override_settings(
        DEBUG=False,
        CACHES={"default": cache_settings("rediscache://127.0.0.1:6379/1")},
        WEB_CONCURRENCY=4,
    )
    def test_redis_with_several_workers_is_fine(self):
        assert self.errors() == []

    @override_settings(DEBUG=True, CACHES=LOCAL_MEMORY, WEB_CONCURRENCY=4)
    def test_development_is_not_checked(self):
        assert self.errors() == []

    @override_settings(DEBUG=False, CACHES=LOCAL_MEMORY, WEB_CONCURRENCY=2)
    def test_only_the_deploy_checks_include_it(self):
        assert [m for m in run_checks() if m.id == PER_PROCESS_CACHE] == []


class CacheThatKeepsNothingTests(SimpleTestCase):
    """A cache that keeps nothing (`CACHE_URL=dummycache://`) turns off every limit counted in
    it: the flood limits, and the resend limit that keeps anyone from flooding an address with
    confirmation mail. Production refuses it, whatever the number of workers."""

    def errors(self):
        return [
            m for m in run_checks(include_deployment_checks=True) if m.id == CACHE_KEEPS_NOTHING
        ]

    def test_a_dummy_cache_is_an_error_with_one_worker_or_several(self):
        for workers in (1, 4):
            with (
                self.subTest(workers=workers),
                override_settings(DEBUG=False, CACHES=DUMMY, WEB_CONCURRENCY=workers),
            ):
                [error] = self.errors()

                assert error.is_serious()
                assert "keeps nothing" in error.msg
                assert "confirmation" in error.msg
                assert "rediscache://" in error.msg

    def test_caches_that_keep_values_pass(self):
        for caches in (LOCAL_MEMORY, {"default": cache_settings("rediscache://127.0.0.1:6379/1")}):
            with override_settings(DEBUG=False, CACHES=caches, WEB_CONCURRENCY=1):
                assert self.errors() == []

    @override_settings(DEBUG=False, CACHES=DUMMY)
    def test_only_the_deploy_checks_include_it(self):
        assert [m for m in run_checks() if m.id == CACHE_KEEPS_NOTHING] == []

    def test_gunicorn_refuses_to_start_with_it(self):
        server = gunicorn(free_port(), WEB_CONCURRENCY="1", CACHE_URL="dummycache://")

        stderr = refusal(server)

        assert server.returncode != 0
        assert "Refusing to start: The cache keeps nothing" in stderr
