"""One JSON line per request, with an id, and nothing personal or secret in it."""

import json
import logging
import re
from smtplib import SMTPRecipientsRefused

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import TestCase, override_settings
from django.urls import reverse

from comments import moderation
from comments.commenters import selfservice, verification
from comments.models import Comment
from tests.broken_urls import get_broken_page
from tests.comments.posting import valid_data
from tests.factories import ArticleFactory, CommentFactory
from tests.logs import JsonLines
from tests.privacy import text_leaks
from tests.sites import run_site

ADDRESS = "ada.reader@mail.example"
READER_IP = "203.0.113.7"


class RequestLogTestCase(TestCase):
    def setUp(self):
        self.captured = JsonLines()
        root = logging.getLogger()
        root.addHandler(self.captured)
        self.addCleanup(root.removeHandler, self.captured)
        for name in ("byline.requests", "django.request"):
            logger = logging.getLogger(name)
            self.addCleanup(logger.setLevel, logger.level)
            logger.setLevel(logging.INFO)

    def request_lines(self):
        return [
            json.loads(line)
            for line in self.captured.lines
            if json.loads(line)["logger"] == "byline.requests"
        ]

    def everything_logged(self):
        return "\n".join(self.captured.lines)


class RequestLineTests(RequestLogTestCase):
    def test_a_comment_posting_logs_one_line_without_address_text_or_ip(self):
        article = ArticleFactory(slug="talks-in-geneva")

        response = self.client.post(
            reverse("comments:post", kwargs={"slug": article.slug}),
            valid_data(email=ADDRESS, body="My very personal opinion on tariffs."),
            REMOTE_ADDR=READER_IP,
        )

        assert response.status_code == 302
        [line] = self.request_lines()
        assert line["method"] == "POST"
        assert line["path"] == "/comments/post/talks-in-geneva/"
        assert line["status"] == 302
        assert line["level"] == "INFO"
        assert isinstance(line["duration_ms"], float)
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
        assert line["request_id"] == response["X-Request-ID"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
        logged = self.everything_logged()
        assert ADDRESS not in logged
        assert "personal opinion" not in logged
        assert READER_IP not in logged

    def test_the_token_of_a_confirmation_link_is_not_logged(self):
        comment = Comment.objects.create(
            article=ArticleFactory(), name="Ada", email=ADDRESS, body="Hello."
        )
        token = verification.link_token(moderation.record_commenter(comment))

        self.client.get(reverse("comments:confirm", kwargs={"token": token}))

        [line] = self.request_lines()
        assert line["path"] == "/comments/confirm/<token>/"
        assert token not in self.everything_logged()

    def test_the_token_of_a_manage_link_is_not_logged(self):
        comment = Comment.objects.create(
            article=ArticleFactory(), name="Ada", email=ADDRESS, body="Hello."
        )
        url = selfservice.manage_url(moderation.record_commenter(comment))
        token = url.rstrip("/").rsplit("/", 1)[-1]

        self.client.get(url)

        assert self.request_lines()[0]["path"] == "/comments/manage/<token>/"
        assert token not in self.everything_logged()

    def test_an_unknown_path_keeps_only_what_looks_like_a_slug(self):
        token = "eyJhIjoxfQ:1tXyZa:Secret_Signature-Part"

        response = self.client.get(f"/comments/confirm/{token}/extra/")

        assert response.status_code == 404
        assert self.request_lines()[0]["path"] == "/comments/confirm/<redacted>/extra/"
        logged = self.everything_logged()
        assert token not in logged
        assert "Not Found: /comments/confirm/<redacted>/extra/" in logged

    def test_the_query_string_is_never_logged(self):
        self.client.get("/search/", {"q": ADDRESS})

        assert self.request_lines()[0]["path"] == "/search/"
        assert ADDRESS not in self.everything_logged()

    def test_public_url_arguments_are_kept(self):
        article = ArticleFactory(slug="talks-in-geneva")

        self.client.get(article.get_absolute_url())

        assert self.request_lines()[0]["path"] == "/articles/talks-in-geneva/"


class RequestIdTests(RequestLogTestCase):
    def test_a_well_formed_incoming_id_is_kept_and_echoed(self):
        response = self.client.get("/robots.txt", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")

        assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"
        assert self.request_lines()[0]["request_id"] == "lb-7f3a9c2e-0001"

    def test_a_malformed_incoming_id_is_replaced(self):
        forged = 'x" \n{"level": "INFO"}'

        response = self.client.get("/robots.txt", HTTP_X_REQUEST_ID=forged)

        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
        assert self.request_lines()[0]["request_id"] == response["X-Request-ID"]

    def test_each_request_gets_its_own_id(self):
        first = self.client.get("/robots.txt")["X-Request-ID"]
        second = self.client.get("/robots.txt")["X-Request-ID"]

        assert first != second


@override_settings(ROOT_URLCONF="tests.broken_urls")
class ErrorLogTests(RequestLogTestCase):
    def test_an_error_is_one_json_record_with_its_traceback_and_request_id(self):
        response = get_broken_page(self.client)

        assert response.status_code == 500
        [error] = [
            json.loads(line)
            for line in self.captured.lines
            if json.loads(line)["logger"] == "django.request"
        ]
        assert error["level"] == "ERROR"
        assert error["message"] == "Internal Server Error: /broken/"
        assert error["status"] == 500
        assert error["request_id"] == response["X-Request-ID"]
        assert "RuntimeError: the newsroom database is on fire" in error["exception"]
        assert self.request_lines()[0]["level"] == "ERROR"


class ProductionLoggingTests(TestCase):
    def test_with_debug_off_requests_are_logged_as_json_lines_on_stderr(self):
        result = run_site(
            "from django.test import Client\nClient().get('/robots.txt?q=private')",
            "sqlite:///:memory:",
        )

        assert result.returncode == 0, result.stderr
        lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
        [request] = [line for line in lines if line["logger"] == "byline.requests"]
        assert request["message"] == "GET /robots.txt 200"
        assert request["path"] == "/robots.txt"
        assert "private" not in result.stderr


class _DriverError(Exception):
    """Stands for psycopg's error: its text carries PostgreSQL's DETAIL line."""


def chained_database_error(detail):
    """A database error as Django raises it: its own IntegrityError from the driver's, both
    carrying the same text."""
    text = f'duplicate key value violates unique constraint "comments_unique"\nDETAIL:  {detail}'
    try:
        try:
            raise _DriverError(text)
        except _DriverError as driver_error:
            raise IntegrityError(text) from driver_error
    except IntegrityError as error:
        return error


def log_error(message, *args, error):
    try:
        raise error
    except Exception:
        logging.getLogger("comments.mail.tasks").exception(message, *args)


class LogRedactionTests(RequestLogTestCase):
    """Defence in depth: an address, or the row values PostgreSQL quotes, that reach a record
    anyway are masked in its message and its traceback."""

    def logged(self):
        return [json.loads(line) for line in self.captured.lines if '"comments.mail.tasks"' in line]

    def test_an_address_in_a_message_or_an_error_is_masked(self):
        refused = SMTPRecipientsRefused({ADDRESS: (550, f"5.1.1 <{ADDRESS}>: rejected".encode())})

        log_error("Could not write to %s", ADDRESS, error=refused)

        [line] = self.logged()
        assert line["message"] == "Could not write to <email>"
        assert (
            "SMTPRecipientsRefused: {'<email>': (550, b'5.1.1 <<email>>: rejected')}"
            in (line["exception"])
        )
        assert text_leaks(self.everything_logged(), [ADDRESS]) == []

    def test_url_encoded_and_non_ascii_addresses_are_masked(self):
        addresses = ["ada%2Breader%40mail.example", "zoë.reader@mail.example", "o'brien@mail.ie"]
        for address in addresses:
            logging.getLogger("comments.mail.tasks").warning("Bounce from %s.", address)

        assert [line["message"] for line in self.logged()] == ["Bounce from <email>."] * 3

    def test_postgresqls_detail_is_cut_from_every_error_of_the_chain(self):
        detail = "Key (body)=(My private words\n\nDuring handling, more private words) exists."

        log_error("Task failed", error=chained_database_error(detail))

        [line] = self.logged()
        exception = line["exception"]
        assert "private words" not in exception
        assert exception.count("DETAIL: <redacted>") == 2
        assert exception.count("Traceback (most recent call last)") == 2
        assert "The above exception was the direct cause" in exception
        assert 'violates unique constraint "comments_unique"' in exception

    def test_a_message_quoting_a_database_error_loses_its_detail(self):
        error = chained_database_error("Key (name)=(Ada Private) already exists.")

        logging.getLogger("comments.mail.tasks").error("Database error: %s", error)

        [line] = self.logged()
        assert "Ada Private" not in line["message"]
        assert line["message"].endswith("DETAIL: <redacted>")


@pytest.mark.postgres
class PostgresqlDetailTests(RequestLogTestCase):
    def setUp(self):
        super().setUp()
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL")

    def test_the_failing_row_postgresql_quotes_is_not_logged(self):
        comment = CommentFactory(name="Perpetua Private", body="Private words here.")
        try:
            with transaction.atomic():
                Comment.objects.filter(pk=comment.pk).update(body=None)
        except IntegrityError:
            logging.getLogger("comments.mail.tasks").exception("Task failed")

        [line] = self.logged()
        assert "Failing row contains" not in line["exception"]
        assert "Perpetua Private" not in self.everything_logged()
        assert "DETAIL: <redacted>" in line["exception"]

    logged = LogRedactionTests.logged
