"""Transaction helpers every service shares."""

from __future__ import annotations

import functools
from contextlib import contextmanager

from parentapp.extensions import SQLITE_BEGIN, db

_WRITING = "parentapp_writing"  # session.info key: inside ``writing``


def rolls_back(service):
    """A service that writes: every transaction it begins is a write transaction
    (``writing``), and on any error the transaction (and its row locks) ends before the
    error propagates.

    Requests end their session anyway; this matters where one session serves
    several calls (a console page, a job, a test) and on SQLite, where an open
    transaction holds the write lock.
    """

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with writing():
            try:
                return service(*args, **kwargs)
            except Exception:
                db.session.rollback()
                raise

    return wrapper


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded, for a service whose answer is
    built from rows it already holds: reading them again would start a new transaction,
    which could fail (a lost connection, a lock on PostgreSQL) and answer 503 for work
    that was done. Load everything the answer shows before calling this."""
    session = db.session()
    previous, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous


@contextmanager
def writing():
    """Inside, every transaction of the session is a write transaction (``begin_write``),
    also one begun after a commit halfway (before a WeChat call) or a rollback."""
    session = db.session()
    if session.info.get(_WRITING):
        yield
        return
    begin_write()
    session.info[_WRITING] = True
    try:
        yield
    finally:
        del session.info[_WRITING]
        if not session.in_transaction():
            set_begin(session, "DEFERRED")


def begin_write() -> None:
    """The session's next statements write: on SQLite, make its transaction IMMEDIATE.

    The session reads in deferred transactions, which never wait for the write
    lock. A deferred transaction that read and then writes fails at once
    (SQLITE_BUSY_SNAPSHOT) when another writer committed in between, so a writer
    takes the lock before its first read: a read-only transaction still open
    (the view read the token's user) is ended first, which expires what it
    loaded (``g.user`` reloads on its next use, inside the write transaction, so
    no decision rests on a value read before the lock), and the next transaction
    begins IMMEDIATE with its first statement. Within a transaction that is
    already IMMEDIATE this does nothing; once that transaction ends, the session
    reads deferred again (unless inside ``writing``). PostgreSQL needs none of this.
    """
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.connection().info.get(SQLITE_BEGIN) == "IMMEDIATE":
            return
        session.commit()  # it only read; a pending write here is the guard's to refuse
    set_begin(session, "IMMEDIATE")


def set_begin(session, mode: str) -> None:
    """How the session's next SQLite transaction begins: "DEFERRED" or "IMMEDIATE"."""
    session.execution_options = session.execution_options.union({SQLITE_BEGIN: mode})


def read_deferred_after(session, transaction) -> None:
    """Session event ``after_transaction_end``: a write transaction declared by
    ``begin_write`` covers that transaction only, outside ``writing``."""
    if transaction.parent is None and not session.info.get(_WRITING):
        set_begin(session, "DEFERRED")



def read_in_autocommit() -> bool:
    """The session's next statements run without BEGIN and ROLLBACK on PostgreSQL (each
    statement its own snapshot), when it holds no transaction yet; True when so. SQLite
    keeps its deferred read transaction (begin_write's rule)."""
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return False
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def reads_only(keep_transaction=lambda: False):
    """A view whose every statement is a read, the token check's included, runs them in
    autocommit (``read_in_autocommit``): an answer of one or a few reads skips the BEGIN
    and ROLLBACK round trips. ``keep_transaction()`` True (a request that may write) keeps
    the transaction. The connection goes back to the pool when the view returns, in its
    transactional default (nothing later in the session writes in autocommit). Goes
    outside ``auth_required`` and flask-smorest's decorators."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if keep_transaction() or not read_in_autocommit():
                return view(*args, **kwargs)
            try:
                answer = view(*args, **kwargs)
            except Exception:
                db.session.rollback()
                raise
            commit_keeping_loaded()  # nothing to commit: hands the connection back
            return answer

        return wrapper

    return decorator
