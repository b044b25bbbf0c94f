"""SQLite: reads never wait for the write lock; writes wait for it and answer busy.

A raw sqlite3 connection in ``BEGIN IMMEDIATE`` plays the writer holding the lock
(another process, a long service). Reads answer at once; a booking waits the lock
timeout and answers 503 ``busy``; ``/healthz`` calls a locked database ok and one
that cannot even be read busy.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import update

from parentapp.database import WriteInReadTransaction
from parentapp.models import Child
from parentapp.services.common.transactions import begin_write
from tests.asserts import assert_error
from tests.booking_factories import in_days, make_slot, setup_nursery
from tests.concurrency import run_at_once
from tests.factories import bearer, make_child, make_user


@pytest.fixture(autouse=True)
def _sqlite_only(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL reads never take it")


@contextmanager
def held(db, *statements):
    """A second connection to the database file holding what ``statements`` take."""
    db.session.commit()
    other = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=5)
    try:
        for statement in statements:
            other.execute(statement)
        yield
    finally:
        other.execute("ROLLBACK") if other.in_transaction else None
        other.close()


def write_lock(db):
    return held(db, "BEGIN IMMEDIATE", "UPDATE slots SET updated_at = updated_at")


def timed(send):
    started = time.monotonic()
    response = send()
    return response, time.monotonic() - started


def test_reads_answer_at_once_while_a_writer_holds_the_lock(app, client, db):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent = make_user("parent")
    headers = bearer(parent)
    child_id = make_child(parent).id
    with write_lock(db):
        reads = [timed(lambda url=url: client.get(url, headers=headers)) for url in (
            f"/api/v1/nurseries/{nursery.id}/slots?from={in_days(0)}&to={in_days(7)}",
            "/api/v1/bookings", "/api/v1/children", f"/api/v1/nurseries/{nursery.id}",
            "/healthz")]
        booking, waited = timed(lambda: client.post(
            "/api/v1/bookings", json={"child_id": child_id, "slot_ids": [slot.id]},
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())}))
    for response, seconds in reads:
        assert response.status_code == 200, response.get_json()
        assert seconds < 0.5
    assert reads[0][0].get_json()["items"][0]["id"] == slot.id
    health = reads[-1][0].get_json()
    assert (health["status"], health["database"]) == ("ok", "ok")
    assert_error(booking, 503, "busy")
    assert booking.headers["Retry-After"] == "1"
    assert waited >= app.config["LOCK_TIMEOUT_MS"] / 1000 * 0.9


def test_healthz_says_busy_when_the_database_cannot_even_be_read(app, client, db):
    make_user("parent")
    db.session.close()
    db.engine.dispose()  # EXCLUSIVE mode needs the file to itself to start
    # EXCLUSIVE locking mode: the writer keeps readers out too (as a checkpoint or
    # another program might), which the write lock alone never does in WAL mode.
    with held(db, "PRAGMA locking_mode=EXCLUSIVE", "BEGIN EXCLUSIVE",
              "UPDATE users SET created_at = created_at"):
        response, seconds = timed(lambda: client.get("/healthz"))
    assert_error(response, 503, "busy")
    assert response.get_json()["error"]["details"] == {"database": "busy"}
    assert response.headers["Retry-After"] == "1"
    # A new connection waits the lock timeout to open; a pooled one a second at most.
    assert seconds < app.config["LOCK_TIMEOUT_MS"] / 1000 + 1
    assert client.get("/healthz").status_code == 200


def test_mixed_reads_and_writes_at_once_never_give_a_read_503(app, db):
    """Bookings race while one writer holds the lock for 1.5 s (a long import, say):
    every read answers 200 at once; writes book, wait, or answer busy."""
    nursery, _ = setup_nursery()
    slots = [make_slot(nursery, day=in_days(3 + n), capacity=3) for n in range(4)]
    listing = f"/api/v1/nurseries/{nursery.id}/slots?from={in_days(0)}&to={in_days(10)}"
    path = db.engine.url.database
    jobs = [lambda _client: ("hold", _hold_lock(path, seconds=1.5))]
    for n in range(10):
        parent = make_user("parent")
        headers, child_id = bearer(parent), make_child(parent).id
        body = {"child_id": child_id, "slot_ids": [slots[n % len(slots)].id]}
        jobs.append(lambda client, h=headers, b=body: ("write", client.post(
            "/api/v1/bookings", json=b, headers={**h, "Idempotency-Key": str(uuid.uuid4())})))
        jobs.append(lambda client, h=headers: ("read", [
            timed(lambda url=url: client.get(url, headers=h))
            for url in (listing, "/api/v1/bookings", listing)]))
    results = run_at_once(app, jobs)
    reads = [timing for kind, timings in results if kind == "read" for timing in timings]
    writes = [response for kind, response in results if kind == "write"]
    assert [response.status_code for response, _ in reads] == [200] * len(reads)
    assert max(seconds for _, seconds in reads) < 1
    assert {r.status_code for r in writes} <= {201, 503}
    for response in writes:
        if response.status_code == 503:
            assert_error(response, 503, "busy")


def _hold_lock(path: str, seconds: float) -> None:
    other = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        other.execute("BEGIN IMMEDIATE")
        time.sleep(seconds)
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_write_without_begin_write_during_a_request_fails_loudly(app, db):
    child_id = make_child(make_user("parent")).id
    db.session.commit()
    rename = update(Child).where(Child.id == child_id).values(name="小红")
    with app.test_request_context():
        db.session.get(Child, child_id)  # a read transaction, as a view's first read
        with pytest.raises(WriteInReadTransaction):
            db.session.execute(rename)
        db.session.rollback()
        db.session.get(Child, child_id)
        begin_write()  # ends the read transaction; the write begins IMMEDIATE
        db.session.execute(rename)
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Child, child_id).name == "小红"
