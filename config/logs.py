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

What reaches a record anyway is masked as it is written (`redacted`): text shaped like an email
address (plain or URL-encoded) becomes `<email>`, and PostgreSQL's `DETAIL:` part of an error,
which quotes row values (a comment's text, its author's name), becomes `DETAIL: <redacted>`,
in the message and in each error of the traceback.
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

#: Text shaped like an email address: a local part (backslashes included, as bytes' repr
#: escapes non-ASCII letters; an apostrophe, as in o'brien@, but not first, where it is the
#: quote around a repr), then `@` or its URL encoding, then a domain with a dot.
EMAIL_SHAPED = re.compile(r"[\w.!#$%&*+/=?^~\\-][\w.!#$%&'*+/=?^~\\-]*(?:@|%40)[\w-]+(?:\.[\w-]+)+")
EMAIL_MASK = "<email>"
#: PostgreSQL's DETAIL and all that follows it in the same error's text: the row values it
#: quotes may span lines.
DATABASE_DETAIL = re.compile(r"^([ \t]*DETAIL:).*?(?=\n?\Z)", re.MULTILINE | re.DOTALL)
#: In a traceback already formatted, where one error's text ends and the next error begins.
_NEXT_IN_CHAIN = (
    r"\n\nThe above exception was the direct cause of the following exception:\n"
    r"|\n\nDuring handling of the above exception, another exception occurred:\n"
)
DATABASE_DETAIL_IN_TRACEBACK = re.compile(
    rf"^([ \t]*DETAIL:).*?(?={_NEXT_IN_CHAIN}|\Z)", re.MULTILINE | re.DOTALL
)
DETAIL_MASK = r"\1 <redacted>"


def redacted(text):
    """One error's text, or a log message, without addresses or PostgreSQL's row values."""
    return EMAIL_SHAPED.sub(EMAIL_MASK, DATABASE_DETAIL.sub(DETAIL_MASK, text))


def redacted_traceback(text):
    """A traceback already formatted, as `redacted` would leave each of its errors' text.

    Where the errors are at hand, `format_exception` is exact; here a DETAIL is cut up to the
    line Python puts between chained errors, which a quoted row value could itself contain:
    text past it is still masked for addresses.
    """
    text = DATABASE_DETAIL_IN_TRACEBACK.sub(DETAIL_MASK, text)
    return EMAIL_SHAPED.sub(EMAIL_MASK, text)


def format_exception(error, _seen=None):
    """`error`'s traceback as Python prints it, chained errors first, with each error's text
    `redacted` on its own (so a DETAIL is cut up to the end of that error's text, whatever it
    holds), and addresses masked in the frames' source lines too."""
    seen = _seen if _seen is not None else set()
    seen.add(id(error))
    text = ""
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        text = format_exception(cause, seen) + (
            "\nThe above exception was the direct cause of the following exception:\n\n"
        )
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        text = format_exception(context, seen) + (
            "\nDuring handling of the above exception, another exception occurred:\n\n"
        )
    if error.__traceback__ is not None:
        frames = "".join(traceback.format_tb(error.__traceback__))
        text += "Traceback (most recent call last):\n" + EMAIL_SHAPED.sub(EMAIL_MASK, frames)
    return text + redacted("".join(traceback.format_exception_only(type(error), error)))


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
            "message": redacted(message),
        }
        request_id = getattr(record, "request_id", None) or _request_id.get()
        if request_id:
            line["request_id"] = request_id
        for name in self.FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if "status" not in line and isinstance(getattr(record, "status_code", None), int):
            line["status"] = record.status_code
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = format_exception(record.exc_info[1]).rstrip()
        if record.stack_info:
            line["stack"] = EMAIL_SHAPED.sub(EMAIL_MASK, record.stack_info)
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
