"""Column helpers shared by every model."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def sql_in(column: str, values: Iterable[str]) -> str:
    """``column IN ('a', 'b')`` from an enum (or a tuple of its members), in their order,
    for a CHECK constraint or a partial index: the text the migrations hold."""
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def for_dialect(item, dialect_name: str) -> bool:
    """Whether a schema item exists on this database: an index built for one database only
    says so with ``info={"dialect": name}`` beside its ``ddl_if(dialect=name)``. Alembic's
    comparisons (migrations/env.py, tests/test_migrations.py) skip it elsewhere."""
    return getattr(item, "info", {}).get("dialect", dialect_name) == dialect_name


class UTCDateTime(TypeDecorator):
    """Aware UTC in, aware UTC out, on SQLite (which keeps no zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
