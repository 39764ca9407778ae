"""Structured logs: one JSON line per request in production, every other record as JSON too.

Each request gets an id: the incoming `X-Request-ID` when it is well-formed (a proxy's or load
balancer's, so that their logs and ours join up), else a new one. It is echoed in the
response's `X-Request-ID` header and added to every record logged while the request is handled.

Logs are kept longer and read by more people than the database, so a line never holds an IP
address, a commenter's address or text, a query string, a cookie, or the secret tokens some
paths carry (confirmation, manage, unsubscribe and share links): `loggable_path` replaces every
URL argument by its name (`/comments/confirm/<token>/`) unless it is a public one (a slug, a
year, an id), and a path that matches no URL keeps only the segments that look like a slug or
a number. Records Django logs about a request ("Not Found: /path") get the same treatment.
"""

import contextvars
import datetime
import json
import logging
import logging.config
import re
import time
import traceback
import uuid

request_logger = logging.getLogger("byline.requests")

REQUEST_ID_HEADER = "X-Request-ID"
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
#: URL arguments that are logged as they are: they name public pages or admin rows.
PUBLIC_URL_ARGUMENTS = {"slug", "year", "month", "day", "pk", "object_id", "page"}
PUBLIC_SEGMENT = re.compile(r"[a-z0-9-]{0,100}")

_request_id = contextvars.ContextVar("request_id", default=None)


def loggable_path(request):
    """The request's path without the secrets it may carry (never its query string)."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "/".join(
            segment if PUBLIC_SEGMENT.fullmatch(segment) else "<redacted>"
            for segment in path.split("/")
        )
    for name, value in match.kwargs.items():
        value = str(value)
        if value and not (name in PUBLIC_URL_ARGUMENTS and PUBLIC_SEGMENT.fullmatch(value)):
            path = path.replace(value, f"<{name}>")
    for value in map(str, match.args):
        if value and not PUBLIC_SEGMENT.fullmatch(value):
            path = path.replace(value, "<redacted>")
    return path


class RequestLogMiddleware:
    """Give each request an id, and log it once it is answered: method, path, status, time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if WELL_FORMED_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            status = response.status_code
            path = loggable_path(request)
            request_logger.log(
                logging.ERROR if status >= 500 else logging.INFO,
                "%s %s %s",
                request.method,
                path,
                status,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Add the id of the request being handled (or None) to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, holding only the fields named here.

    Extra attributes are never dumped wholesale: Django attaches the request object to its
    records, whose text holds the full path.
    """

    FIELDS = ("method", "path", "status", "duration_ms")

    def format(self, record):
        message = record.getMessage()
        request = getattr(record, "request", None)
        if request is not None and getattr(request, "path", None):
            message = message.replace(request.path, loggable_path(request))
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        request_id = getattr(record, "request_id", None) or _request_id.get()
        if request_id:
            line["request_id"] = request_id
        for name in self.FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if "status" not in line and isinstance(getattr(record, "status_code", None), int):
            line["status"] = record.status_code
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(logging_settings):
    """Django's LOGGING_CONFIG: dictConfig, plus Python's warnings as log records (JSON lines
    in production rather than bare text among them)."""
    logging.config.dictConfig(logging_settings)
    logging.captureWarnings(True)


def logging_config(debug, level):
    """Django's LOGGING: JSON lines to stderr in production, readable text in development."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "text" if debug else "json",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # The development server prints its own line per request.
            "byline.requests": {"level": "WARNING" if debug else "INFO"},
        },
    }
