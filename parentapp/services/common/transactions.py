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
