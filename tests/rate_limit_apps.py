"""Apps with the rate limits on, on memory or Redis storage, for the limit tests.

The shared test app runs with rate limits off (see tests/conftest.py). A limit test
builds its own app on the same database with a unique key prefix, so its counters are
its own on a shared Redis, and deletes them afterwards. Redis is the server at
``PARENTAPP_TEST_REDIS_URL`` (e.g. ``redis://127.0.0.1:6379/0``); without it the Redis
variants skip.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest

from parentapp import create_app
from parentapp.extensions import db

STORAGES = ["memory", "redis"]


def storage_uri(storage: str) -> str:
    if storage == "memory":
        return "memory://"
    url = os.environ.get("PARENTAPP_TEST_REDIS_URL")
    if not url:
        pytest.skip("PARENTAPP_TEST_REDIS_URL is not set: the Redis variant needs a server")
    return url


@contextmanager
def limited_app(base_app, storage: str, limits: dict | None = None, *, clean: bool = True,
                **config):
    """An app like ``base_app`` with rate limits on, ``limits`` over the defaults, its
    context pushed; its counters are deleted afterwards unless ``clean`` is false (a
    second app sharing them). Make the test's rows inside, in this context."""
    uri = storage_uri(storage)
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    app = create_app({**base_app.config, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": uri, "RATELIMIT_KEY_PREFIX": prefix,
                      "LIMITS": {**base_app.config["LIMITS"], **(limits or {})}, **config})
    # The test's own session ends its transaction (on SQLite it would hold the write
    # lock), and the test runs in this app's context: factories and requests then share
    # one session, as they do with the shared app.
    db.session.commit()
    try:
        with app.app_context():
            yield app
            db.session.commit()
            db.engine.dispose()
    finally:
        if clean:
            clear_counters(app)


def clear_counters(app) -> None:
    """Forget every counter of this app, as if its windows had passed."""
    limiter = app.extensions["parentapp.rate_limits"]
    if app.config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        limiter.storage.reset()  # this app's own memory
        return
    import redis

    connection = redis.Redis.from_url(app.config["RATELIMIT_STORAGE_URI"])
    try:
        keys = list(connection.scan_iter(match=f"*{app.config['RATELIMIT_KEY_PREFIX']}*"))
        if keys:
            connection.delete(*keys)
    finally:
        connection.close()
