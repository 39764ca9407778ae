"""Capturing log records: as plain formatted text, or one JSON line each as production writes
them (config/logs.py)."""

import logging
from contextlib import contextmanager

from config.logs import JsonFormatter, RequestIdFilter


class LogLines(logging.Handler):
    """Every record it receives, formatted, in `lines`."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


class JsonLines(LogLines):
    """Every record it receives, formatted as production formats it, in `lines`."""

    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())


@contextmanager
def captured(handler):
    """`handler.lines`: every record logged meanwhile, at any level."""
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def log_lines():
    """Every record logged meanwhile, at any level, formatted by logging's default format."""
    return captured(LogLines())


def json_log_lines():
    """Every record logged meanwhile, at any level, as production's JSON lines."""
    return captured(JsonLines())
