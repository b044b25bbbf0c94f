"""Checks every request body before a view sees it: JSON object or nothing.

The body is read once here, within ``MAX_CONTENT_LENGTH`` whether or not the
client sent a Content-Length, and parsed once by the strict parser
(``parentapp.json_body``); views and the argument parser reuse that parse.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.routing import UnicodeConverter

from parentapp.errors import BadRequest, PayloadTooLarge

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def require_json_object() -> None:
    if request.method not in _BODY_METHODS or not request.path.startswith("/api/"):
        return
    raw = _read_body()
    if not raw.strip():
        return
    if request.mimetype != "application/json":
        raise BadRequest("请求体需要是 JSON（Content-Type: application/json）。")
    if not isinstance(request.get_json(), dict):  # malformed JSON: 400 from the parser
        raise BadRequest("请求体需要是 JSON 对象。")


def _read_body() -> bytes:
    """The body, or 413 when it is over the limit (a too-long Content-Length is 413 already)."""
    if request.content_length is None and _is_chunked():
        if "wsgi.input_terminated" not in request.environ:
            # werkzeug would hand us an empty body; answering as if nothing was sent is wrong.
            raise BadRequest("服务器无法读取分块传输的请求体，请带 Content-Length 发送。")
        raw = request.get_data(cache=True)
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        # werkzeug stops quietly at the limit; one more byte means the body was larger.
        if len(raw) >= limit and request.environ["wsgi.input"].read(1):
            raise PayloadTooLarge()
        return raw
    return request.get_data(cache=True)  # over MAX_CONTENT_LENGTH this raises 413


def _is_chunked() -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


class PrintableConverter(UnicodeConverter):
    """``<code>`` path segments never hold control characters: such a URL names nothing (a
    404 before any lookup; PostgreSQL would refuse a NUL in a query parameter)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's signature)
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f-\\x9f]", 1)


def init_app(app: Flask) -> None:
    app.before_request(require_json_object)
