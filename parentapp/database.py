"""Engine settings per database; lock waits and database faults turned into retryable 503s.

SQLite (the embedded default): WAL so readers don't block the writer, a busy
timeout, foreign keys on. Reads never wait for the write lock, writes never
deadlock:

- The session's transactions begin deferred (``BEGIN``): a read-only request
  reads its snapshot while another request writes.
- Code that writes declares it first with
  ``services.common.transactions.begin_write`` (``rolls_back`` does it for
  every public service, the idempotency lookup and its retried writes do it
  too): an open read transaction ends and the next one begins
  IMMEDIATE, holding the write lock from its first read. (A deferred
  transaction that read and then writes fails at once with
  SQLITE_BUSY_SNAPSHOT if another writer committed meanwhile; IMMEDIATE
  avoids that.)
- A connection taken from the engine directly (``db.engine.begin()``: the
  dispatcher's claims, the scheduler's lease, the token cache) begins
  IMMEDIATE, as every transaction did before.
- A write in a deferred transaction during a request is a missed
  ``begin_write``: it raises ``WriteInReadTransaction`` under TESTING and is
  logged otherwise. (Outside requests, the CLI's seeding and the tests'
  factories write alone and are left to it.)

PostgreSQL: a ``lock_timeout`` so a stuck row lock becomes a clear 503 ``busy``
instead of a hang. A pooled connection is pinged at checkout only when it sat idle
for ``IDLE_PING_SECONDS`` or more (``_ping_if_idle``): a busy server's requests pay no
extra round trip, and a server restarted during a quiet spell is met with fresh
connections. One restarted under load costs each stale connection one 503, after
which SQLAlchemy has renewed the whole pool. A lock wait that gives up answers 503
``busy``; a lost or refused connection, an exhausted pool or a timeout answers 503
``service_unavailable``. Both carry ``Retry-After``, end the session's transaction (the next request
gets a fresh connection) and log one line without the statement's values.
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import contextmanager

from flask import Flask, has_request_context
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.routing import IntegerConverter

from parentapp.errors import (
    Busy,
    ServiceUnavailable,
    ValidationFailed,
    handle_unexpected,
    render,
)
from parentapp.extensions import SQLITE_BEGIN, db
from parentapp.services.common.transactions import read_deferred_after

log = logging.getLogger(__name__)

BUSY_RETRY_AFTER = "1"  # seconds: a lock is usually free again at once
UNAVAILABLE_RETRY_AFTER = "5"  # a lost server takes a few seconds to come back
HEALTH_READ_TIMEOUT_MS = 1000
IDLE_PING_SECONDS = 10.0
_IDLE_SINCE = "parentapp_idle_since"  # connection record info: monotonic check-in time
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
            # A server that does not answer is unavailable after 5 s, not after TCP's minutes.
            "connect_args": {"options": f"-c lock_timeout={lock_timeout_ms} -c timezone=UTC",
                             "connect_timeout": 5},
        }
    return {}


def _ping_if_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a connection at checkout when it was idle ``idle_seconds`` or more; a dead
    one is replaced before the request uses it (``DisconnectionError`` asks the pool
    for another)."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:  # the driver's own error: the server went away
            raise DisconnectionError(describe(error)) from error


class WriteInReadTransaction(RuntimeError):
    """A write ran in a deferred SQLite transaction: its code path lacks ``begin_write``."""


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _sqlite_setup(engine: Engine, busy_ms: int, strict: bool) -> None:
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
    def _on_begin(connection: Connection):
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql("BEGIN" if mode == "DEFERRED" else "BEGIN IMMEDIATE")
        connection.info[SQLITE_BEGIN] = mode

    @event.listens_for(engine, "before_cursor_execute")
    def _guard(connection, _cursor, statement, _parameters, _context, _executemany):
        if (has_request_context() and connection.info.get(SQLITE_BEGIN) == "DEFERRED"
                and statement.lstrip()[:7].upper().startswith(_WRITES)):
            where = " ".join(statement.split()[:3])
            if strict:
                raise WriteInReadTransaction(f"{where}: call begin_write() before writing")
            log.warning("write in a read transaction (begin_write missing): %s", where)


def is_lock_error(error: OperationalError) -> bool:
    text_ = str(getattr(error, "orig", error)).lower()
    return _sqlstate(error) in {"55P03", "40P01"} or any(m in text_ for m in _LOCK_MARKERS)


def _sqlstate(error: SQLAlchemyError) -> str | None:
    return getattr(getattr(error, "orig", None), "sqlstate", None)


def describe(error: BaseException) -> str:
    """One line naming a database fault: the driver's error and its first line, with
    anything that looks like a password or a URL's credentials masked."""
    cause = getattr(error, "orig", None) or error
    first = (str(cause).strip().splitlines() or [""])[0][:200]
    first = re.sub(r"(?i)(password\s*=\s*)\S+", r"\1***", first)
    first = re.sub(r"://[^/@\s]*@", "://***@", first)
    return f"{type(cause).__name__}: {first}"


def end_session() -> None:
    """End the session's transaction after a fault; one whose connection died is invalidated,
    so the next request checks out a fresh connection."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session().invalidate()


def _close_session(_exc: BaseException | None) -> None:
    """Teardown, before Flask-SQLAlchemy's: a connection that died after the answer was
    made (a read, then the server went away) must not turn that answer into a 500."""
    try:
        db.session.close()
    except SQLAlchemyError as error:
        log.warning("database lost at the end of a request: %s", describe(error))
        db.session().invalidate()


def _answer_fault(error: SQLAlchemyError):
    end_session()
    if isinstance(error, OperationalError) and is_lock_error(error):
        log.warning("lock wait gave up: %s", describe(error))
        return render(Busy(headers={"Retry-After": BUSY_RETRY_AFTER}))
    log.warning("database unavailable: %s", describe(error))
    return render(ServiceUnavailable(headers={"Retry-After": UNAVAILABLE_RETRY_AFTER}))


def _handle_dbapi_error(error: DBAPIError):
    """Operational and interface errors, and any error that cost the connection, are faults
    (503); the rest (a constraint nobody mapped, a bad statement) stay a bug (500)."""
    if isinstance(error, (OperationalError, InterfaceError)) or error.connection_invalidated:
        return _answer_fault(error)
    end_session()
    return handle_unexpected(error)


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` that matches only values a 64-bit id column can hold.

    The regex bounds it, not ``max``: werkzeug turns a value its converter refuses
    into a 405 when another method's rule matched the same path (PATCH /children/<huge>
    answered 405, GET 404). Eighteen digits always fit; no id gets that long.
    """

    regex = r"\d{1,18}"


def _handle_out_of_range(error: Exception):
    """Last line of defence: a number the database cannot hold is bad input, not a 500.

    SQLite's driver raises OverflowError; PostgreSQL answers DataError (22003).
    """
    db.session.rollback()
    log.warning("out-of-range value refused: %s", type(getattr(error, "orig", error)).__name__)
    return render(ValidationFailed("提交的数值超出允许范围。"))


def database_state(read_timeout_ms: int = HEALTH_READ_TIMEOUT_MS) -> str:
    """"ok" when the database can be read; "busy" when it answers but the read waited
    longer than ``read_timeout_ms`` (a lock); "unavailable" when it cannot be reached.
    A held SQLite write lock is "ok": reads do not wait for it."""
    try:
        with _waits_at_most(db.session.connection(), read_timeout_ms) as connection:
            connection.execute(_PROBES.get(connection.dialect.name, _PROBES["postgresql"]))
        return "ok"
    except OperationalError as error:
        if is_lock_error(error) or _sqlstate(error) == "57014":  # 57014: statement timeout
            return "busy"
        log.warning("health check: database unavailable: %s", describe(error))
        return "unavailable"
    except SQLAlchemyError as error:
        log.warning("health check: database unavailable: %s", describe(error))
        return "unavailable"
    finally:
        end_session()


# SQLite's "SELECT 1" never opens the file; reading the schema page takes a read lock.
_PROBES = {"sqlite": text("SELECT count(*) FROM sqlite_master"), "postgresql": text("SELECT 1")}


@contextmanager
def _waits_at_most(connection: Connection, timeout_ms: int):
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
        yield connection
        return
    previous = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(timeout_ms)}")
    try:
        yield connection
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(previous)}")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _sqlite_setup(engine, app.config["LOCK_TIMEOUT_MS"], strict=app.testing)
        elif engine.dialect.name == "postgresql":
            _ping_if_idle(engine, app.config.get("DB_IDLE_PING_SECONDS", IDLE_PING_SECONDS))
    if not event.contains(db.session, "after_transaction_end", read_deferred_after):
        event.listen(db.session, "after_transaction_end", read_deferred_after)
    app.teardown_appcontext(_close_session)  # runs before db's own (reverse order)
    for fault in (OperationalError, InterfaceError, DisconnectionError, PoolTimeout):
        app.register_error_handler(fault, _answer_fault)
    app.register_error_handler(DBAPIError, _handle_dbapi_error)
    app.register_error_handler(DataError, _handle_out_of_range)
    app.register_error_handler(OverflowError, _handle_out_of_range)
