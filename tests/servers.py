"""Throwaway servers for tests that must stop them: never the shared Redis or PostgreSQL.

`RedisServer` runs Debian's `redis-server` on a free port in a temporary directory, with no
persistence. Without the binary the tests that need it are skipped (on CI, `CI=true`, they
fail, so a CI image without Redis cannot pass silently).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_binary(name, package):
    if shutil.which(name):
        return
    reason = f"{name} not found: install it with `apt-get install {package}`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"Cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


class RedisServer:
    """A redis-server of the test's own, started and stopped on demand."""

    def __init__(self):
        require_binary("redis-server", "redis-server")
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="byline-test-redis-")
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def cache_url(self):
        return f"rediscache://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", self.directory],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def close(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
