"""Log lines: one JSON object per line (readable text in development), every time in
Asia/Shanghai (+08:00), the request id on every line written inside a request.

One handler, named ``parentapp``, sits on the root logger of every process: web
workers (gunicorn.conf.py installs it for gunicorn's own lines too), the CLI and
the scheduler. ``configure_logging`` finds it again when a process builds several
apps (tests build many) instead of adding a second one.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime

from flask import has_request_context, request

from parentapp.timeutil import LOCAL_TZ

HANDLER_NAME = "parentapp"
REQUEST_ID_KEY = "parentapp.request_id"  # where request_log keeps the id, in the WSGI environ
FORMATS = ("json", "text")
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime",
                                                              "request_id", "taskName"}
# A mainland mobile number standing alone; masked as services.accounts.users.mask_phone does.
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_phones(text: str) -> str:
    return _MOBILE.sub(lambda match: match.group()[:3] + "****" + match.group()[-4:], text)


def local_time(created: float) -> str:
    return datetime.fromtimestamp(created, LOCAL_TZ).isoformat(timespec="milliseconds")


class RequestIdFilter(logging.Filter):
    """Stamp the current request's id on a record (read when the line is written)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None and has_request_context():
            record.request_id = request.environ.get(REQUEST_ID_KEY)
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id (inside a request), then the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": local_time(record.created), "level": record.levelname,
                "logger": record.name, "message": mask_phones(record.getMessage())}
        if getattr(record, "request_id", None):
            line["request_id"] = record.request_id
        line.update({key: value for key, value in vars(record).items()
                     if key not in _RECORD_ATTRIBUTES and not key.startswith("_")})
        if record.exc_info:
            line["exception"] = mask_phones(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        text = json.dumps(line, ensure_ascii=False, default=str)
        # A lone surrogate (hostile input echoed in a message) cannot be written as UTF-8.
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class TextFormatter(logging.Formatter):
    """``2026-01-05T09:00:00.000+08:00 INFO parentapp.access [id] message`` for people."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        text = (f"{local_time(record.created)} {record.levelname} {record.name}"
                f"{f' [{request_id}]' if request_id else ''}: {mask_phones(record.getMessage())}")
        if record.exc_info:
            text += "\n" + mask_phones(self.formatException(record.exc_info))
        return text


_FORMATTERS = {"json": JsonFormatter, "text": TextFormatter}


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is written (test runners swap it).

    The standard library's own last-resort handler does it this way: skip
    StreamHandler's ``__init__`` (which would pin one stream) and read the stream anew.
    """

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def make_handler(fmt: str = "json", stream=None) -> logging.Handler:
    """A handler writing ``fmt`` lines with request ids, to ``stream`` or the current stderr."""
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(_FORMATTERS[fmt]())
    handler.addFilter(RequestIdFilter())
    return handler


def stderr_handler() -> logging.Handler:
    """The JSON handler, for gunicorn's ``logconfig_dict``."""
    return make_handler("json")


def configure_logging(fmt: str) -> None:
    """Put the one ``parentapp`` handler on the root logger, or set its format again."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is not None:
        handler.setFormatter(_FORMATTERS[fmt]())
    else:
        if not root.handlers:  # a bare process; a test runner sets its own levels
            root.setLevel(logging.INFO)
        root.addHandler(make_handler(fmt))
    # urllib3 logs full URLs at DEBUG, and WeChat puts the secret and token in them.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
