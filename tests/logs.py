"""Capturing log records as production writes them: one JSON line each (config/logs.py)."""

import logging
from contextlib import contextmanager

from config.logs import JsonFormatter, RequestIdFilter


class JsonLines(logging.Handler):
    """Every record it receives, formatted as production formats it, in `lines`."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@contextmanager
def json_log_lines():
    """Every record logged meanwhile, at any level, as production's JSON lines."""
    handler = JsonLines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
