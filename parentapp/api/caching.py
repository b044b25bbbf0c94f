"""HTTP caching of public reads: an ETag of the body, Cache-Control, 304 on a match.

A public listing (slots, a nursery's page, search) is the same for every anonymous
caller, so a shared cache may keep it for ``max_age`` seconds. An answer that can depend
on the caller (a token was sent: the owner sees their own unfiled nursery, a bad token is
a 401; or a query argument such as ``child_id`` names their child) is ``private, no-cache``:
the caller's own client may revalidate it by ETag, nobody else may be given it.

An answer that is one person's own data behind a token (a child's health plan) is
``private, no-store`` (``no_store``): no cache, shared or the client's own, keeps a copy.
"""

from __future__ import annotations

import functools
import hashlib

import orjson
from flask import current_app, make_response, request

NOT_MODIFIED_DOC = "Not Modified: the `If-None-Match` ETag still matches; no body."


def json_response(body: dict):
    """The body as the app's JSON answer (compact, UTF-8 unescaped, newline-terminated,
    like ``jsonify``), written straight by orjson: for plain str/int/bool/None data."""
    provider = current_app.json
    if provider.compact is False or (provider.compact is None and current_app.debug):
        return provider.response(body)  # pretty-printed, as jsonify does in debug
    return current_app.response_class(orjson.dumps(body) + b"\n", mimetype=provider.mimetype)


def public_cache(max_age: int, *, private_when: tuple[str, ...] = ()):
    """ETag and Cache-Control on a 200; ``If-None-Match`` with a matching tag gets a 304.

    Goes between ``@blp.route`` and flask-smorest's decorators (it sees their response).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200:
                return response
            personal = "Authorization" in request.headers or any(
                name in request.args for name in private_when)
            response.headers["Cache-Control"] = (
                "private, no-cache" if personal else f"public, max-age={max_age}")
            response.vary.add("Authorization")
            response.set_etag(hashlib.blake2b(response.get_data(), digest_size=16).hexdigest())
            return response.make_conditional(request)

        return wrapper

    return decorator


def no_store(view):
    """``Cache-Control: private, no-store`` on what ``view`` answers (an error raised in it
    is the error handler's, and tells nothing personal); goes between ``@blp.route`` and
    the auth and flask-smorest decorators."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "private, no-store"
        return response

    return wrapper
