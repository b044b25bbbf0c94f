"""Transaction helpers every service shares."""

from __future__ import annotations

import functools

from parentapp.extensions import db


def rolls_back(service):
    """On any error, end the transaction (and its row locks) before the error propagates.

    Requests end their session anyway; this matters where one session serves
    several calls (a console page, a job, a test) and on SQLite, where an open
    transaction holds the write lock.
    """

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return wrapper


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded, for a service whose answer is
    built from rows it already holds: reading them again would start a new transaction,
    which on SQLite waits for the write lock and could answer 503 busy for work that was
    done. Load everything the answer shows before calling this."""
    session = db.session()
    previous, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous
