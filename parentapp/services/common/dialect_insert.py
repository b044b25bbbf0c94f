"""INSERT with ON CONFLICT for the database in use (PostgreSQL and SQLite both have it)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from parentapp.extensions import db


def insert_for(table):
    """A dialect ``insert`` offering ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if db.engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
