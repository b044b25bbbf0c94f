"""Engine settings per database, and lock waits turned into a retryable error.

SQLite (the embedded default): WAL so readers don't block the writer, a busy
timeout, foreign keys on, and every transaction begins IMMEDIATE so two
writers never deadlock upgrading a read lock. PostgreSQL: a ``lock_timeout``
so a stuck row lock becomes a clear 503 ``busy`` instead of a hang.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.routing import IntegerConverter

from parentapp.errors import AppError, Busy, ValidationFailed, render
from parentapp.extensions import db

log = logging.getLogger(__name__)

_LOCK_MARKERS = ("database is locked", "lock timeout", "could not obtain lock",
                 "canceling statement due to lock timeout", "deadlock detected")


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy's default would be psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str, lock_timeout_ms: int) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": lock_timeout_ms / 1000}}
    if url.startswith("postgresql"):
        return {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-c lock_timeout={lock_timeout_ms} -c timezone=UTC"},
        }
    return {}


def _sqlite_setup(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_lock_error(error: OperationalError) -> bool:
    text = str(getattr(error, "orig", error)).lower()
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    return sqlstate in {"55P03", "40P01"} or any(marker in text for marker in _LOCK_MARKERS)


def _handle_operational_error(error: OperationalError):
    db.session.rollback()
    if is_lock_error(error):
        log.warning("lock wait gave up: %s", type(getattr(error, "orig", error)).__name__)
        return render(Busy(headers={"Retry-After": "1"}))
    log.exception("database error")
    return render(AppError())


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` that matches only values a 64-bit id column can hold.

    The regex bounds it, not ``max``: werkzeug turns a value its converter refuses
    into a 405 when another method's rule matched the same path (PATCH /children/<huge>
    answered 405, GET 404). Eighteen digits always fit; no id gets that long.
    """

    regex = r"\d{1,18}"


def _handle_pool_timeout(error: PoolTimeout):
    """Every connection busy for longer than pool_timeout: retryable, like a lock wait."""
    log.warning("database connection pool exhausted")
    return render(Busy(headers={"Retry-After": "1"}))


def _handle_out_of_range(error: Exception):
    """Last line of defence: a number the database cannot hold is bad input, not a 500.

    SQLite's driver raises OverflowError; PostgreSQL answers DataError (22003).
    """
    db.session.rollback()
    log.warning("out-of-range value refused: %s", type(getattr(error, "orig", error)).__name__)
    return render(ValidationFailed("提交的数值超出允许范围。"))


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _sqlite_setup(engine, app.config["LOCK_TIMEOUT_MS"])
    app.register_error_handler(OperationalError, _handle_operational_error)
    app.register_error_handler(PoolTimeout, _handle_pool_timeout)
    app.register_error_handler(DataError, _handle_out_of_range)
    app.register_error_handler(OverflowError, _handle_out_of_range)
