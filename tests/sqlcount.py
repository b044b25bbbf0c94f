"""Count the SQL statements a block of code sends."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from parentapp.extensions import db


@contextmanager
def count_statements():
    statements: list[str] = []

    def _record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)
