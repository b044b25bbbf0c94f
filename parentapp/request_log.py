"""Every request's id, echoed in ``X-Request-ID``, and its one access line.

The caller's ``X-Request-ID`` is kept when it is a sane token (1-64 of
``[A-Za-z0-9._-]``), so a line can be followed through a proxy that set it;
anything else is replaced by a new id. The access line names the path without
its query string (values there can be personal) and never a header or a body.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from sqlalchemy import inspect

from parentapp.logs import REQUEST_ID_KEY

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_STARTED_KEY = "parentapp.request_started"

access_log = logging.getLogger("parentapp.access")


def request_id() -> str:
    """This request's id: the caller's sane ``X-Request-ID``, else a new one.

    Kept in the WSGI environ, which belongs to this request only (``g`` lives as long as
    the app context, which a test or a CLI command may share between requests).
    """
    current = request.environ.get(REQUEST_ID_KEY)
    if current is None:
        given = request.headers.get(HEADER, "")
        current = given if _SANE.fullmatch(given) else uuid.uuid4().hex
        request.environ[REQUEST_ID_KEY] = current
    return current


def _start() -> None:
    request.environ[_STARTED_KEY] = time.perf_counter()
    request_id()


def _signed_in_user_id() -> int | None:
    """From the identity map: reading ``user.id`` after a commit would load the row again,
    starting a transaction (on SQLite, taking the write lock) after the request's work."""
    user = g.get("user") or g.get("console_user")
    identity = inspect(user).identity if user is not None else None
    return identity[0] if identity else None


def _finish(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    started = request.environ.get(_STARTED_KEY)
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    access_log.info("%s %s %s", request.method, request.path, response.status_code, extra={
        "method": request.method, "path": request.path, "status": response.status_code,
        "duration_ms": duration_ms, "user_id": _signed_in_user_id()})
    return response


def init_app(app: Flask) -> None:
    """Register first, so the id exists before any other hook can refuse the request."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
