"""Throwaway databases for a test run: a unique PostgreSQL database or a SQLite file."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

from parentapp.database import normalise_url


def _admin_dsn(url) -> str:
    return url.set(drivername="postgresql", database=url.database or "postgres").render_as_string(
        hide_password=False)


@contextmanager
def temporary_database(server_url: str | None, tmp_dir):
    """Yield a SQLAlchemy URL of a new, empty database; drop it afterwards."""
    if not server_url:
        yield f"sqlite:///{tmp_dir}/test-{uuid.uuid4().hex[:8]}.sqlite3"
        return
    url = make_url(normalise_url(server_url))
    name = f"parentapp_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_admin_dsn(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
