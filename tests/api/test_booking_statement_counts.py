"""Booking, slot listing and the roster send a fixed, small number of SQL statements
whatever the number of slots involved (counted at the cursor)."""

from __future__ import annotations

import uuid

from tests.booking_factories import book, in_days, make_slot, setup_nursery
from tests.factories import make_child, make_user
from tests.sqlcount import count_statements

MOST = 25
# A booking: the token, the key (and its advisory lock), due offers, the child's lock and
# link, the slots, the child's booked slots, three INSERTs, the slot locks, the UPDATE;
# SQLite adds its BEGIN statements (deferred for the token, then IMMEDIATE) and has no
# advisory lock. (The claim in a transaction of its own and the reloaded answer cost 20.)
BOOKING_MOST = {"postgresql": 12, "sqlite": 15}


def _slots(nursery, count, capacity=5):
    return [make_slot(nursery, day=in_days(2 + n), capacity=capacity) for n in range(count)]


def test_booking_one_or_twenty_slots_costs_the_same(client, auth, db):
    nursery, _ = setup_nursery()
    counts = []
    for size in (1, 20):
        slots = _slots(nursery, size) if size == 1 else _slots(nursery, size)
        parent, headers = auth.parent()
        child = make_child(parent)
        body = {"child_id": child.id, "slot_ids": [s.id for s in slots]}
        db.session.commit()
        with count_statements() as statements:
            response = client.post("/api/v1/bookings", json=body,
                                   headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
        assert response.status_code == 201
        assert len(response.get_json()["slots"]) == size
        counts.append(len(statements))
        db.session.execute(db.text("DELETE FROM booking_slots"))  # next round: fresh dates
        db.session.execute(db.text("DELETE FROM bookings"))
        db.session.execute(db.text("DELETE FROM slots"))
        db.session.commit()
    assert counts[0] == counts[1] <= BOOKING_MOST[db.engine.dialect.name], counts


def test_listing_one_or_twenty_slots_costs_the_same(client, db):
    counts = []
    for size in (1, 20):
        nursery, _ = setup_nursery()
        slots = _slots(nursery, size)
        book(make_user("parent"), slots[:1])
        db.session.commit()
        with count_statements() as statements:
            response = client.get(f"/api/v1/nurseries/{nursery.id}/slots",
                                  query_string={"from": in_days(0).isoformat(),
                                                "to": in_days(30).isoformat()})
        assert len(response.get_json()["items"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1] <= MOST, counts


def test_the_roster_of_one_or_twenty_bookings_costs_the_same(client, auth, db):
    counts = []
    for size in (1, 20):
        operator, headers = auth.operator()
        nursery, _ = setup_nursery("full_day", operator)
        slot = make_slot(nursery, day=in_days(3), capacity=20)
        for _ in range(size):
            book(make_user("parent"), [slot])
        db.session.commit()
        with count_statements() as statements:
            response = client.get(f"/api/v1/operator/nurseries/{nursery.id}/roster",
                                  query_string={"date": in_days(3).isoformat()},
                                  headers=headers)
        assert len(response.get_json()["items"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1] <= MOST, counts


def test_a_full_slot_is_refused_before_anything_is_written_or_locked(client, auth, db):
    """The hot slot's refusals: slot_full from the slots as read, no booking row written
    and no slot row-locked; only the stored answer is written."""
    from tests.booking_factories import fill

    nursery, _ = setup_nursery()
    slot = make_slot(nursery, day=in_days(3), capacity=1)
    fill(slot)
    parent, headers = auth.parent()
    body = {"child_id": make_child(parent).id, "slot_ids": [slot.id]}
    db.session.commit()
    with count_statements() as statements:
        response = client.post("/api/v1/bookings", json=body,
                               headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "slot_full"
    writes = [s.split()[0:3] for s in statements if s.lstrip().upper().startswith(
        ("INSERT", "UPDATE", "DELETE"))]
    assert writes == [["INSERT", "INTO", "idempotency_keys"]], writes
    assert not [s for s in statements if "FROM slots" in s and "FOR" in s.split("WHERE")[-1]]
