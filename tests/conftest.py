"""Fixtures for every test: app, db, client, the fake WeChat server, auth helpers.

`db` is not autouse: the directories whose tests touch the database (api,
services, console, browser) turn it on for each of their tests in their own
conftest.py, so the pure unit tests (unit, mini_program_api) never build the
app or wait for the tables to be emptied.

Set PARENTAPP_TEST_DATABASE_URL to a PostgreSQL server URL to run the suite
there; each run creates its own database and drops it at the end.
"""

from __future__ import annotations

import os
import threading

import pytest
from hypothesis import settings
from sqlalchemy import text

from mini_program_api.fake_server import FakeWeChat, serve_in_thread
from parentapp import create_app
from parentapp.config import SANDBOX_TEMPLATES
from parentapp.extensions import db as _db
from parentapp.services.stats.townships import ensure_townships
from tests.dbutil import temporary_database
from tests.factories import AuthHelper

APPID, SECRET = "wx-test-appid", "test-secret-not-real"

# Property tests judge results, never speed: a busy CI machine (or a PostgreSQL run
# beside other work) must not turn a slow example into a failure.
settings.register_profile("parentapp", deadline=None)
settings.load_profile("parentapp")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    server = os.environ.get("PARENTAPP_TEST_DATABASE_URL")
    with temporary_database(server, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def wechat_server():
    fake = FakeWeChat(APPID, SECRET, templates=SANDBOX_TEMPLATES)
    base_url, shutdown = serve_in_thread(fake)
    yield fake, base_url
    shutdown()


@pytest.fixture(scope="session")
def app(database_url, wechat_server):
    app = create_app({
        "PARENTAPP_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-0123456789-abcdefghijklmnop",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WECHAT_APPID": APPID,
        "WECHAT_SECRET": SECRET,
        "WECHAT_API_BASE": wechat_server[1],
        "LOCK_TIMEOUT_MS": 2000,
        # Rate limits are off in the shared app: its counters would carry over from test to
        # test (one client IP, many logins and bookings). tests/limits builds apps with them
        # on, per storage. Caps are service rules and hold in every test.
        "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        _db.create_all()
        ensure_townships()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t.name for t in _db.metadata.sorted_tables]
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(text(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            _db.session.execute(text(f'DELETE FROM "{table}"'))
    _db.session.commit()


@pytest.fixture
def db(app):
    """An app context for the test, and empty tables (but the townships) afterwards; the
    WeChat client goes too, with the access token it keeps beside the emptied row."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        app.extensions.pop("wechat_client", None)
        _empty_all_tables()
        ensure_townships()
        _db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fake(wechat_server):
    fake = wechat_server[0]
    fake.reset()
    return fake


@pytest.fixture
def auth(db):
    return AuthHelper()


def pytest_unconfigure(config):
    """Stop the rate-limit memory storages' expiry timers before the interpreter joins
    its threads. Under libfaketime (the clock-ahead run) a timed wait's deadline lies
    years ahead, so a 10 ms ``threading.Timer`` would never fire and the run never end."""
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()
