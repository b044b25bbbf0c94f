"""Many rows at once on either database: written with ON CONFLICT, and read by many ids.

Writing (caller commits). SQLite: one ``INSERT ... ON CONFLICT`` executed many times
(``insert_for``), as for a few rows. PostgreSQL: the rows are copied (``COPY``) into
a temporary table of the target's column types and go in with one ``INSERT ...
SELECT ... ON CONFLICT``. A statement of thousands of rows' values costs more to
build and to parse than the rows cost to write; ``COPY`` streams them. Values pass
through each column's bind processor first (aware UTC datetimes, JSON written by the
same serializer), so a row reads back the same whichever way it went in; ids follow
the rows' order.

Reading (``among``): ``column IN (...)`` with one placeholder per id on SQLite; on
PostgreSQL ``column = ANY(array)``, one parameter whatever the number of ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

from sqlalchemy import ColumnElement, Integer, Table, any_, bindparam, column, select, table
from sqlalchemy.dialects import postgresql

from parentapp.extensions import db
from parentapp.services.common.dialect_insert import insert_for

_ORDER = "bulk_n"  # the staged row's position, so ids are given in the rows' order


def copies_rows() -> bool:
    """Whether rows go in by ``COPY`` (PostgreSQL) rather than by executemany."""
    return db.engine.dialect.name == "postgresql"


def among(id_column, ids) -> ColumnElement[bool]:
    """``id_column`` is one of ``ids`` (integers)."""
    if db.engine.dialect.name != "postgresql":
        return id_column.in_(list(ids))
    return id_column == any_(bindparam(None, list(ids), type_=postgresql.ARRAY(Integer)))


def insert_new(target: Table, rows: Sequence[dict], *, unique: list[str]) -> int:
    """Insert ``rows`` (dicts with the same keys), skipping each whose ``unique`` columns
    exist already; returns how many went in. Caller commits."""
    if not rows:
        return 0
    if not copies_rows():
        stmt = (insert_for(target).on_conflict_do_nothing(index_elements=unique)
                .returning(*target.primary_key.columns))
        return len(db.session.execute(stmt, list(rows)).all())
    with _staged(target, rows) as staged:
        stmt = postgresql.insert(target).from_select(list(rows[0]), staged)
        stmt = stmt.on_conflict_do_nothing(index_elements=unique)
        return db.session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount


def upsert(target: Table, rows: Sequence[dict], *, unique: list[str], update: list[str]) -> None:
    """Insert ``rows``; a row whose ``unique`` columns exist already sets ``update`` instead.
    Caller commits."""
    if not rows:
        return
    if not copies_rows():
        stmt = insert_for(target)
        stmt = stmt.on_conflict_do_update(index_elements=unique,
                                          set_={name: stmt.excluded[name] for name in update})
        db.session.execute(stmt, list(rows))
        return
    with _staged(target, rows) as staged:
        stmt = postgresql.insert(target).from_select(list(rows[0]), staged)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=unique, set_={name: stmt.excluded[name] for name in update}))


@contextmanager
def _staged(target: Table, rows: Sequence[dict]):
    """``COPY`` the rows into a temporary table; yields the SELECT of them in order. The
    table goes when the block ends (or, should it fail, with the transaction)."""
    connection = db.session.connection()
    dialect, names = connection.dialect, list(rows[0])
    name = f"bulk_{target.name}"
    quoted = ", ".join(dialect.identifier_preparer.quote(column_name) for column_name in names)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS SELECT 0::bigint AS {_ORDER}, {quoted}"
        f" FROM {dialect.identifier_preparer.format_table(target)} WITH NO DATA")
    processors = [(column_name,
                   target.c[column_name].type.dialect_impl(dialect).bind_processor(dialect))
                  for column_name in names]
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
            f"COPY {name} ({_ORDER}, {quoted}) FROM STDIN") as copy:
        for n, row in enumerate(rows):
            copy.write_row([n, *(row[key] if process is None else process(row[key])
                                 for key, process in processors)])
    staged = table(name, column(_ORDER), *(column(column_name) for column_name in names))
    yield select(*(staged.c[column_name] for column_name in names)).order_by(staged.c[_ORDER])
    connection.exec_driver_sql(f"DROP TABLE {name}")
