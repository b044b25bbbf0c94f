"""A cancellation's answer is built before its commit and needs no query after it.

A read after the commit starts a new transaction, which could fail (503) for a
cancellation that was done, and the family's retry would then be refused as
invalid_state.
"""

from __future__ import annotations

from sqlalchemy import event

from parentapp.extensions import db
from parentapp.models import utcnow
from parentapp.schemas.bookings import BookingSchema
from parentapp.service_settings import offer_minutes
from parentapp.services.booking.cancellation import cancel_booking
from tests.booking_factories import book, make_slots, setup_nursery
from tests.factories import make_user
from tests.sqlcount import count_statements


def test_the_cancelled_booking_is_answered_without_another_query():
    nursery, _ = setup_nursery()
    slots = make_slots(nursery, days=2, start=5)
    parent = make_user("parent")
    booking = book(parent, slots)
    parent_id, booking_id, slot_id = parent.id, booking.id, slots[0].id
    db.session.commit()  # the test's own reads end here; the count is the service's
    with count_statements() as statements:

        def mark(_connection):
            statements.append("COMMIT")

        event.listen(db.engine, "commit", mark)
        try:
            answer = cancel_booking(parent_id, booking_id, [slot_id], utcnow(),
                                    offer_minutes=offer_minutes())
            shown = BookingSchema().dump(answer)
        finally:
            event.remove(db.engine, "commit", mark)
    assert statements.count("COMMIT") == 1
    assert statements[-1] == "COMMIT"  # nothing read after the commit, not even to answer
    assert shown["status"] == "confirmed"
    assert sorted(s["status"] for s in shown["slots"]) == ["cancelled", "confirmed"]
    assert shown["price_fen"] == 15000
