"""A held lock makes a booking answer 503 ``busy`` (retryable) within the lock timeout:
never a hang, never a 500. The Idempotency-Key is given back, so the retry books."""

from __future__ import annotations

import time

from sqlalchemy import text

from parentapp.models import Slot
from tests.booking_factories import fresh, make_slot, setup_nursery
from tests.factories import make_child


def test_a_held_slot_lock_gives_a_retryable_busy(app, client, auth, db):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    slot_id = slot.id
    db.session.commit()
    blocker = db.engine.connect()
    try:
        transaction = blocker.begin()  # SQLite: BEGIN IMMEDIATE holds the write lock
        if db.engine.dialect.name == "postgresql":
            blocker.execute(text("SELECT id FROM slots WHERE id = :id FOR UPDATE"),
                            {"id": slot_id})
        started = time.monotonic()
        response = client.post("/api/v1/bookings", json=body,
                               headers={**headers, "Idempotency-Key": "retry-after-busy"})
        waited = time.monotonic() - started
        transaction.rollback()
    finally:
        blocker.close()
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "busy"
    assert response.headers["Retry-After"] == "1"
    assert waited < app.config["LOCK_TIMEOUT_MS"] / 1000 + 5
    assert fresh(Slot, slot_id).booked == 0
    retry = client.post("/api/v1/bookings", json=body,
                        headers={**headers, "Idempotency-Key": "retry-after-busy"})
    assert retry.status_code == 201
    assert fresh(Slot, slot_id).booked == 1
