"""Checks every request body before a view sees it: JSON object or nothing."""

from __future__ import annotations

import json

from flask import Flask, request

from parentapp.errors import BadRequest

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def require_json_object() -> None:
    if request.method not in _BODY_METHODS or not request.path.startswith("/api/"):
        return
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH this raises 413
    if not raw.strip():
        return
    if request.mimetype != "application/json":
        raise BadRequest("请求体需要是 JSON（Content-Type: application/json）。")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("请求体不是合法的 JSON。") from exc
    if not isinstance(body, dict):
        raise BadRequest("请求体需要是 JSON 对象。")


def init_app(app: Flask) -> None:
    app.before_request(require_json_object)
