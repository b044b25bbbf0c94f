"""Idempotency-Key on POST /bookings: replay, reuse, in-progress duplicates, expiry."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from parentapp.models import Booking, IdempotencyKey, Slot, utcnow
from parentapp.service_settings import offer_minutes
from parentapp.services.booking import bookings as booking_service
from parentapp.services.common import idempotency
from parentapp.services.common.transactions import begin_write
from tests.asserts import assert_error
from tests.booking_factories import fill, fresh, in_days, make_slot, setup_nursery
from tests.factories import make_child

URL = "/api/v1/bookings"


def count_bookings(db) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Booking))


def send(client, headers, key, body):
    return client.post(URL, headers={**headers, "Idempotency-Key": key}, json=body)


def test_a_repeat_with_the_same_key_and_body_replays_the_first_answer(client, auth, db):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=3)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    first = send(client, headers, "key-1", body)
    again = send(client, headers, "key-1", body)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert count_bookings(db) == 1 and fresh(Slot, slot.id).booked == 1


def test_the_same_json_written_differently_is_the_same_request(client, auth, db):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    child = make_child(parent)
    compact = json.dumps({"child_id": child.id, "slot_ids": [slot.id]})
    spaced = json.dumps({"slot_ids": [slot.id], "child_id": child.id}, indent=2)
    replies = [client.post(URL, data=raw, content_type="application/json",
                           headers={**headers, "Idempotency-Key": "k"})
               for raw in (compact, spaced)]
    assert [r.status_code for r in replies] == [201, 201]
    assert replies[0].get_json() == replies[1].get_json() and count_bookings(db) == 1


def test_an_error_answer_is_replayed_even_after_the_situation_changed(client, auth, db):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=1)
    [taken] = fill(slot)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    first = send(client, headers, "retry-me", body)
    assert first.status_code == 409 and first.get_json()["error"]["code"] == "slot_full"
    from parentapp.services.booking.cancellation import cancel_booking

    cancel_booking(taken.parent_id, taken.id, None, utcnow(),
                   offer_minutes=offer_minutes())  # a place is free now
    again = send(client, headers, "retry-me", body)
    assert again.status_code == 409 and again.get_json() == first.get_json()
    fresh_key = send(client, headers, "new-key", body)
    assert fresh_key.status_code == 201


def test_the_same_key_with_another_body_is_422(client, auth, db):
    nursery, _ = setup_nursery()
    a, b = make_slot(nursery, day=in_days(3)), make_slot(nursery, day=in_days(4))
    parent, headers = auth.parent()
    child = make_child(parent)
    assert send(client, headers, "k", {"child_id": child.id, "slot_ids": [a.id]}
                ).status_code == 201
    reused = send(client, headers, "k", {"child_id": child.id, "slot_ids": [b.id]})
    assert reused.status_code == 422
    assert reused.get_json()["error"]["code"] == "idempotency_key_reused"
    assert fresh(Slot, b.id).booked == 0 and count_bookings(db) == 1


def test_keys_belong_to_one_account(client, auth, db):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    for _ in range(2):
        parent, headers = auth.parent()
        body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
        assert send(client, headers, "shared-key", body).status_code == 201
    assert count_bookings(db) == 2


def test_a_key_still_being_processed_is_request_in_progress(client, auth, db):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    print_ = idempotency.fingerprint("POST", URL, body)
    db.session.add(IdempotencyKey(user_id=parent.id, key="busy-key", fingerprint=print_,
                                  state="in_progress", created_at=utcnow(),
                                  expires_at=utcnow() + timedelta(hours=24)))
    db.session.commit()
    response = send(client, headers, "busy-key", body)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "request_in_progress"
    assert fresh(Slot, slot.id).booked == 0


def test_a_concurrent_duplicate_gets_request_in_progress_or_waits_for_the_answer(
        app, client, auth, db, monkeypatch):
    """The key is claimed inside the booking's transaction. On PostgreSQL a duplicate
    arriving while the first is at work finds the key's advisory lock taken: 409
    request_in_progress at once. On SQLite the first holds the write lock: the duplicate
    waits for its commit and replays its answer (or, on a machine too slow for the lock
    wait, answers 503 busy and books nothing); either way one booking."""
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    claimed, release = threading.Event(), threading.Event()
    real_book = booking_service.book_slots

    def paused_book(*args, **kwargs):  # the first request, between its claim and its booking
        claimed.set()
        assert release.wait(10)
        return real_book(*args, **kwargs)

    monkeypatch.setattr(booking_service, "book_slots", paused_book)
    db.session.commit()  # the worker needs the (SQLite) write lock this session may hold
    first: dict = {}
    worker = threading.Thread(target=lambda: first.setdefault(
        "response", send(app.test_client(), headers, "dup", body)))
    worker.start()
    assert claimed.wait(10)
    postgres = db.engine.dialect.name == "postgresql"
    if not postgres:  # the duplicate waits on the write lock: let the first go on soon
        threading.Timer(0.3, release.set).start()
    duplicate = send(client, headers, "dup", body)
    release.set()
    worker.join(10)
    assert first["response"].status_code == 201
    if postgres:
        assert_error(duplicate, 409, "request_in_progress")
    elif duplicate.status_code == 503:  # the write lock's wait (2 s here) ran out first
        assert_error(duplicate, 503, "busy")
    else:
        assert duplicate.status_code == 201
        assert duplicate.get_json() == first["response"].get_json()
    replay = send(client, headers, "dup", body)
    assert replay.status_code == 201 and replay.get_json() == first["response"].get_json()
    assert count_bookings(db) == 1 and fresh(Slot, slot.id).booked == 1


def test_a_duplicate_that_answered_first_is_replayed_and_nothing_is_booked_twice(
        client, auth, db, monkeypatch):
    """Between this request's lookup and its store, a duplicate stored its answer (here:
    the transaction committed halfway, as expiring an offer does, and the duplicate's
    answer went in then). The store finds the key taken: the booking rolls back and the
    duplicate's answer is the answer."""
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=3)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    theirs = {"id": 424242, "status": "confirmed"}
    real_book, calls = booking_service.book_slots, []

    def duplicate_answers_first(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            db.session.commit()
            begin_write()
            db.session.add(IdempotencyKey(
                user_id=parent.id, key="raced", state="done", response_status=201,
                response_body=theirs, created_at=utcnow(),
                fingerprint=idempotency.fingerprint("POST", URL, body),
                expires_at=utcnow() + timedelta(hours=24)))
            db.session.commit()
        return real_book(*args, **kwargs)

    monkeypatch.setattr(booking_service, "book_slots", duplicate_answers_first)
    response = send(client, headers, "raced", body)
    assert response.status_code == 201 and response.get_json() == theirs
    assert len(calls) == 1  # the second lookup replayed; no second attempt at booking
    assert count_bookings(db) == 0 and fresh(Slot, slot.id).booked == 0


def test_an_abandoned_claim_is_taken_over_after_a_while(client, auth, db):
    nursery, _ = setup_nursery()
    slot = make_slot(nursery)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    long_ago = utcnow() - idempotency.STALE_CLAIM - timedelta(seconds=1)
    db.session.add(IdempotencyKey(user_id=parent.id, key="crashed", fingerprint="x",
                                  state="in_progress", created_at=long_ago,
                                  expires_at=long_ago + timedelta(hours=24)))
    db.session.commit()
    response = send(client, headers, "crashed", body)
    assert response.status_code == 201, response.get_json()
    assert count_bookings(db) == 1 and fresh(Slot, slot.id).booked == 1
    state = db.session.scalar(db.select(IdempotencyKey.state).where(
        IdempotencyKey.key == "crashed"))
    assert state == "done"


def test_answers_are_replayed_for_24_hours_then_forgotten(auth, db):
    nursery, _ = setup_nursery()
    slots = [make_slot(nursery, day=in_days(5), capacity=3)]
    parent, _ = auth.parent()
    child = make_child(parent)
    print_ = idempotency.fingerprint("POST", URL, {"x": 1})

    def book_at(now):
        return booking_service.book_once(parent.id, key="day-key", print_=print_,
                                         child_id=child.id, slot_ids=[slots[0].id], note=None,
                                         now=now, render=lambda b, _slots: {"id": b.id},
                                         offer_minutes=offer_minutes(),
                                         future_slots_per_child=100)

    now = utcnow()
    first = book_at(now)
    assert book_at(now + timedelta(hours=23, minutes=59)) == first
    from parentapp.services.booking.cancellation import cancel_booking

    cancel_booking(parent.id, first.body["id"], None, now, offer_minutes=offer_minutes())
    later = book_at(now + timedelta(hours=24))
    assert later.status == 201 and later.body["id"] != first.body["id"]
    assert idempotency.purge_expired(now + timedelta(hours=48)) == 1


def test_a_retry_after_busy_does_the_work(client, auth, db, monkeypatch):
    """The work fails on a lock wait: 503 busy, and nothing was written under the key
    (it was claimed in the rolled-back transaction), so the client's retry books."""
    from sqlalchemy.exc import OperationalError

    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=2)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    locked = OperationalError("UPDATE", {}, Exception("database is locked"))
    real_book = booking_service.book_slots

    def busy_book(*args, **kwargs):
        raise locked

    monkeypatch.setattr(booking_service, "book_slots", busy_book)
    assert_error(send(client, headers, "busy-key", body), 503, "busy")
    left = db.session.scalar(db.select(db.func.count()).select_from(IdempotencyKey))
    assert left == 0
    monkeypatch.setattr(booking_service, "book_slots", real_book)
    retry = send(client, headers, "busy-key", body)
    assert retry.status_code == 201, retry.get_json()
    assert count_bookings(db) == 1 and fresh(Slot, slot.id).booked == 1


def _stores_a_refusal(statement) -> bool:
    """The INSERT that stores a refused request's answer (the booking stores 201 first,
    in its own rolled-back transaction, before it finds the slot full)."""
    return (getattr(statement, "is_insert", False)
            and statement.table.name == "idempotency_keys"
            and statement.compile().params.get("response_status") == 409)


def _request_for_a_full_slot(auth):
    """(headers, body) of a family asking for a full slot, and a lock-wait error to raise."""
    from sqlalchemy.exc import OperationalError

    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=1)
    fill(slot)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    return headers, body, OperationalError("UPDATE", {}, Exception("database is locked"))


def test_a_refusal_is_stored_and_replayed_even_when_the_database_was_busy_at_first(
        client, auth, db, monkeypatch):
    """slot_full under load: storing the refusal meets a lock wait twice, then succeeds;
    the family gets 409 slot_full (not 503 busy with the key left claimed), and so does
    its repeat, from the stored answer."""
    headers, body, locked = _request_for_a_full_slot(auth)
    real_execute, stores = db.session.execute, []

    def busy_twice(statement, *args, **kwargs):
        if _stores_a_refusal(statement):
            stores.append(statement)
            if len(stores) <= 2:
                raise locked
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(idempotency, "WRITE_PAUSES", (0.01, 0.01, 0.01))
    monkeypatch.setattr(db.session, "execute", busy_twice)
    first = send(client, headers, "full-key", body)
    assert first.status_code == 409 and first.get_json()["error"]["code"] == "slot_full"
    assert len(stores) == 3
    monkeypatch.setattr(db.session, "execute", real_execute)
    again = send(client, headers, "full-key", body)
    assert again.status_code == 409 and again.get_json() == first.get_json()
    state = db.session.scalar(db.select(IdempotencyKey.state)
                              .where(IdempotencyKey.key == "full-key"))
    assert state == "done"


def test_a_refusal_that_cannot_be_stored_leaves_the_key_free(client, auth, db, monkeypatch,
                                                              caplog):
    headers, body, locked = _request_for_a_full_slot(auth)
    real_execute = db.session.execute

    def never_stored(statement, *args, **kwargs):
        if _stores_a_refusal(statement):
            raise locked
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(idempotency, "WRITE_PAUSES", (0.01,))
    monkeypatch.setattr(db.session, "execute", never_stored)
    first = send(client, headers, "lost-key", body)
    assert first.status_code == 409 and first.get_json()["error"]["code"] == "slot_full"
    left = db.session.scalar(db.select(db.func.count()).select_from(IdempotencyKey)
                             .where(IdempotencyKey.key == "lost-key"))
    assert left == 0  # a repeat does the work again instead of request_in_progress
    assert "idempotency refusal not stored" in caplog.text
