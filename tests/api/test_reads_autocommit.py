"""The reads-only answers (class listing, nursery search and page, health plan) run their
statements in autocommit on PostgreSQL, and hand their connection back transactional; a
search or page asked for a vacancy (which may expire offers) and SQLite keep their
transaction."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from parentapp.extensions import db
from tests.booking_factories import in_days, make_offering
from tests.factories import make_child, make_class, make_nursery


@contextmanager
def autocommit_seen():
    """Per statement sent: whether its connection was in autocommit."""
    seen: list[bool] = []

    def _record(conn, cursor, statement, parameters, context, executemany):
        seen.append(conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT")

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


def on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def reads(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent)
    nursery = make_nursery()
    make_offering(nursery)
    make_class()
    paths = {"classes": ("/api/v1/classes", {}),
             "nursery": (f"/api/v1/nurseries/{nursery.id}", {}),
             "search": (f"/api/v1/nurseries?lat={nursery.lat}&lng={nursery.lng}", {}),
             "search by a child's age": (f"/api/v1/nurseries?child_id={child.id}", headers),
             "health": (f"/api/v1/children/{child.id}/health-plan", headers)}
    db.session.remove()  # as a real request starts: no connection held
    return paths


@pytest.mark.parametrize("row", ["classes", "nursery", "health", "search",
                                 "search by a child's age"])
def test_a_reads_only_answer_runs_in_autocommit_on_postgresql_only(client, reads, row):
    path, headers = reads[row]
    with autocommit_seen() as seen:
        assert client.get(path, headers=headers).status_code == 200
    assert seen and set(seen) == {on_postgresql()}


def test_the_connection_goes_back_to_the_pool_transactional(client, reads, auth):
    path, headers = reads["classes"]
    assert client.get(path, headers=headers).status_code == 200
    with autocommit_seen() as seen:
        _, parent = auth.parent()  # a token issued and committed: a write transaction
        assert client.get("/api/v1/me", headers=parent).status_code == 200
    assert seen and not any(seen)


@pytest.mark.parametrize("row", ["nursery", "search"])
def test_a_read_asked_for_a_vacancy_keeps_its_transaction(client, reads, row):
    path, _ = reads[row]
    with autocommit_seen() as seen:
        response = client.get(f"{path}{'&' if '?' in path else '?'}care_type=full_day"
                              f"&date={in_days(3).isoformat()}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["items"][0] if row == "search" else body)["has_vacancy"] is False
    assert seen and not any(seen)
