"""Throwaway servers for tests (and the benches) that must stop them: never the shared Redis or
PostgreSQL.

`RedisServer` runs Debian's `redis-server` on a free port in a temporary directory, with no
persistence. Without the binary the tests that need it are skipped (on CI, `CI=true`, they
fail, so a CI image without Redis cannot pass silently). `RefusingSmtpServer` is a mail server
in a thread of the test process that refuses every recipient. `wait_for_answer` waits for a
web server a test or bench started. Standard library only (pytest when a binary is missing), so
that bench/ can use it too.
"""

import http.client
import os
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_binary(name, package):
    if shutil.which(name):
        return
    import pytest

    reason = f"{name} not found: install it with `apt-get install {package}`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"Cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


class _ServerProcess:
    """A server process of a test's own, with its files in `self.directory`: `stop` ends the
    process (killed if it does not end in 10 seconds), `close` also removes the files."""

    process = None
    directory = None

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def close(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class RedisServer(_ServerProcess):
    """A redis-server of the test's own, started and stopped on demand, with its files in
    `directory` (a temporary one by default)."""

    def __init__(self, directory=None):
        require_binary("redis-server", "redis-server")
        self.port = free_port()
        self.directory = str(directory or tempfile.mkdtemp(prefix="byline-test-redis-"))
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


def _wait_for_port(process, port, name, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not start on port {port}")


class VarnishServer(_ServerProcess):
    """Debian's varnishd (with varnish-modules' xkey) on a free port, running Byline's VCL
    (config/varnish/byline.vcl) in front of the web server on `backend_port`; its working
    files in a temporary directory. `output` receives varnishd's own messages."""

    VCL = os.path.join(os.path.dirname(os.path.dirname(__file__)), "config/varnish/byline.vcl")

    def __init__(self, backend_port, *, memory="256m", output=subprocess.DEVNULL):
        require_binary("varnishd", "varnish varnish-modules")
        self.backend_port = backend_port
        self.memory = memory
        self.output = output
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="byline-test-varnish-")
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        with open(self.VCL) as source:
            vcl = source.read().replace('.port = "8000";', f'.port = "{self.backend_port}";')
        vcl_path = os.path.join(self.directory, "byline.vcl")
        with open(vcl_path, "w") as copy:
            copy.write(vcl)
        self.process = subprocess.Popen(
            ["varnishd", "-F", "-j", "none", "-a", f"127.0.0.1:{self.port}"]
            + ["-f", vcl_path, "-n", os.path.join(self.directory, "work")]
            + ["-s", f"malloc,{self.memory}", "-p", "default_grace=0"],
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(self.process, self.port, "varnishd")
        return self


class NginxStaticServer(_ServerProcess):
    """Debian's nginx on a free port serving one file for every path: the static-file limit
    the benches compare with."""

    def __init__(self, page_bytes, *, workers=2):
        require_binary("nginx", "nginx-light")
        self.port = free_port()
        self.workers = workers
        self.directory = tempfile.mkdtemp(prefix="byline-test-nginx-")
        os.chmod(self.directory, 0o755)
        with open(os.path.join(self.directory, "page.html"), "wb") as page:
            page.write(page_bytes)
        self.process = None

    def start(self):
        config = os.path.join(self.directory, "nginx.conf")
        with open(config, "w") as conf:
            conf.write(
                f"daemon off; worker_processes {self.workers}; user root;\n"
                f"pid {self.directory}/nginx.pid; error_log stderr error;\n"
                "events { worker_connections 1024; }\n"
                "http { access_log off; default_type text/html; keepalive_requests 100000;\n"
                f"  client_body_temp_path {self.directory}; proxy_temp_path {self.directory};\n"
                f"  fastcgi_temp_path {self.directory}; uwsgi_temp_path {self.directory};\n"
                f"  scgi_temp_path {self.directory};\n"
                f"  server {{ listen 127.0.0.1:{self.port}; root {self.directory};\n"
                "    location / { try_files /page.html =404; } } }\n"
            )
        self.process = subprocess.Popen(
            ["nginx", "-c", config, "-p", self.directory],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.process, self.port, "nginx")
        return self


class NoAnswer(Exception):
    """The web server exited, or did not answer in time."""


def wait_for_answer(server, port, path="/", *, seconds=60, pause=0.2, wanted=None):
    """The status of the first answer the web `server` (a Popen) listening on `port` gives to
    GET `path` (with `wanted`, the first answer with that status); NoAnswer if it exits first
    or gives none within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise NoAnswer(f"the server exited with status {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            status = connection.getresponse().status
        except OSError:
            time.sleep(pause)
            continue
        if wanted is None or status == wanted:
            return status
    raise NoAnswer(f"no answer within {seconds} seconds")


class RefusingSmtpServer:
    """An SMTP server on a free port that refuses every recipient, as a mail server does an
    address it does not know: `550 5.1.1 <address>: Recipient address rejected`, the address
    echoed in the reply as real servers do. Django's SMTP backend then raises
    `SMTPRecipientsRefused`, whose text holds the address. `refused` lists the recipients."""

    def __init__(self):
        self.refused = []
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        refused = self.refused

        class Session(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self):
                self.reply("220 refusing.test ESMTP")
                for raw in self.rfile:
                    command = raw.decode("utf-8", "replace").rstrip("\r\n")
                    verb = command.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 refusing.test")
                    elif verb == "RCPT":
                        recipient = command.split(":", 1)[1].strip().strip("<>")
                        refused.append(recipient)
                        self.reply(f"550 5.1.1 <{recipient}>: Recipient address rejected")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:  # MAIL, RSET, NOOP
                        self.reply("250 OK")

        return Session

    @property
    def email_settings(self):
        """The settings that send Django's mail here."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 5,
        }

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.server.shutdown()
        self.server.server_close()
