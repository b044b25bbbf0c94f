"""DELETE /me leaves none of the family's words or stored answers behind (read straight
from the tables, not through the API)."""

from __future__ import annotations

from sqlalchemy import text

from parentapp.extensions import db
from tests.booking_factories import fill, in_days, make_slot, setup_nursery
from tests.factories import make_child

NOTE = "孩子对花生过敏 13800001234"


def _book(client, headers, key, child_id, slot_ids):
    return client.post("/api/v1/bookings", headers={**headers, "Idempotency-Key": key},
                       json={"child_id": child_id, "slot_ids": slot_ids, "note": NOTE})


def _rows(sql: str, **params) -> list:
    db.session.expire_all()
    return list(db.session.execute(text(sql), params))


def test_deleting_the_account_clears_booking_notes_and_stored_answers(client, auth):
    nursery, _ = setup_nursery()
    later, past, full = make_slot(nursery), make_slot(nursery, day=in_days(4)), make_slot(
        nursery, day=in_days(5), capacity=1)
    fill(full)
    parent, headers = auth.parent()
    other, other_headers = auth.parent()
    child = make_child(parent)
    assert _book(client, headers, "one", child.id, [later.id]).status_code == 201
    kept = _book(client, headers, "two", child.id, [past.id])
    assert kept.status_code == 201
    assert _book(client, headers, "three", child.id, [full.id]).status_code == 409
    assert _book(client, other_headers, "one", make_child(other).id,
                 [later.id]).status_code == 201
    # The second booking becomes history the nursery keeps (no longer cancelled on deletion).
    db.session.execute(text("UPDATE slots SET date = :day WHERE id = :id"),
                       {"day": in_days(-2), "id": past.id})
    db.session.commit()
    assert len(_rows("SELECT id FROM idempotency_keys WHERE user_id = :u", u=parent.id)) == 3

    assert client.delete("/api/v1/me", headers=headers).status_code == 204

    assert _rows("SELECT id FROM idempotency_keys WHERE user_id = :u", u=parent.id) == []
    mine = _rows("SELECT id, note FROM bookings WHERE parent_id = :u ORDER BY id", u=parent.id)
    assert [row.id for row in mine][1] == kept.get_json()["id"]  # the history row stays
    assert [row.note for row in mine] == [None, None]
    assert _rows("SELECT id FROM bookings WHERE note = :n AND parent_id = :u",
                 n=NOTE, u=other.id) != []  # another family's note is theirs
    stored = _rows("SELECT user_id FROM idempotency_keys")
    assert [row.user_id for row in stored] == [other.id]
