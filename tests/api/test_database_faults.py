"""Database faults are 503 ``service_unavailable`` with Retry-After; a bug stays a 500."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError

from parentapp import create_app
from parentapp.database import describe
from tests.asserts import assert_error


@pytest.fixture
def failing(app):
    """An app whose GET /boom raises the exception the test puts in ``raised``."""
    other = create_app(dict(app.config))
    raised: list[Exception] = []

    @other.get("/boom")
    def boom():
        raise raised[0]

    return other, raised


def _driver_error(cls, message="server closed the connection", invalidated=False):
    return cls.instance("SELECT 1", {}, Exception(message), Exception,
                        connection_invalidated=invalidated)


@pytest.mark.parametrize("error", [
    _driver_error(InterfaceError),
    _driver_error(DBAPIError, invalidated=True),
], ids=["interface", "invalidated"])
def test_a_lost_connection_answers_503_with_retry_after(failing, error):
    app, raised = failing
    raised.append(error)
    response = app.test_client().get("/boom")
    assert_error(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == "5"


def test_an_unmapped_constraint_error_is_still_a_500(failing):
    app, raised = failing
    raised.append(_driver_error(IntegrityError, "duplicate key"))
    assert_error(app.test_client().get("/boom"), 500, "internal_error")


def test_an_unreachable_database_answers_503_on_any_endpoint(app, tmp_path):
    config = {k: v for k, v in app.config.items() if k != "SQLALCHEMY_ENGINE_OPTIONS"}
    broken = create_app({**config, "SQLALCHEMY_DATABASE_URI":
                         f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    response = broken.test_client().get("/api/v1/nurseries")
    assert_error(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == "5"
    health = broken.test_client().get("/healthz")
    assert_error(health, 503, "service_unavailable")
    assert health.get_json()["error"]["details"] == {"database": "unavailable"}


def test_a_fault_is_described_without_credentials():
    error = _driver_error(DBAPIError, 'connection to "postgresql://app:s3cret@db/x" failed '
                                      "password=hunter2\nsecond line")
    line = describe(error)
    assert "s3cret" not in line and "hunter2" not in line and "second line" not in line
    assert line.startswith("Exception: connection to")


def _pooled_backend(db) -> int:
    """The server pid of the app's (one) pooled connection, left in the pool."""
    pid = db.session.execute(db.text("SELECT pg_backend_pid()")).scalar()
    db.session.remove()
    return pid


def _kill_backend(db, pid: int) -> None:
    """Terminate one server connection (from a connection of our own) and wait until it
    is gone."""
    import time

    import psycopg

    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline, "the terminated backend did not exit"
            time.sleep(0.02)


@pytest.mark.postgres
@pytest.mark.parametrize("idle_ping_seconds,first_status", [(0.0, 200), (3600.0, 503)],
                         ids=["idle-pinged", "hot-not-pinged"])
def test_a_dead_pooled_connection_is_replaced_when_it_sat_idle(
        app, db, idle_ping_seconds, first_status):
    """A connection idle for DB_IDLE_PING_SECONDS (10 s unless configured) is pinged at
    checkout and replaced if dead: the request does not notice. A hot one is not pinged
    (no extra round trip): its request answers 503 once, and the pool is renewed for the
    next."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the idle ping is PostgreSQL's")
    own = create_app({**app.config, "DB_IDLE_PING_SECONDS": idle_ping_seconds})
    client = own.test_client()
    try:
        with own.app_context():
            _kill_backend(db, _pooled_backend(db))
        first = client.get("/api/v1/nurseries")
        assert first.status_code == first_status, first.get_json()
        if first_status == 503:
            assert_error(first, 503, "service_unavailable")
        assert client.get("/api/v1/nurseries").status_code == 200
    finally:
        with own.app_context():
            db.engine.dispose()
