"""A revoked filing cancels the nursery's future bookings (cancelled_by_nursery, families
told) through the ``filing_revoked`` signal, which ``create_app`` connects."""

from __future__ import annotations

from datetime import timedelta

import pytest

from parentapp import create_app
from parentapp.models import Booking, Notification, Slot, WaitlistEntry, utcnow
from parentapp.services.booking.cancellation import close_on_revocation
from parentapp.services.nurseries import filings
from parentapp.signals import filing_revoked
from tests.booking_factories import book, fill, fresh, in_days, make_slot, setup_nursery
from tests.factories import make_child, make_user


def test_revocation_cancels_future_bookings_and_tells_families(auth, db):
    regulator, _ = auth.regulator()
    nursery, _ = setup_nursery(min_notice_hours=0)
    today_slot = make_slot(nursery, day=in_days(1))
    later = make_slot(nursery, day=in_days(5), capacity=1)
    family = make_user("parent")
    booking = book(family, [today_slot, later])
    waiting_parent = make_user("parent")
    db.session.add(WaitlistEntry(slot_id=later.id, parent_id=waiting_parent.id,
                                 child_id=make_child(waiting_parent).id, created_at=utcnow()))
    db.session.commit()
    during_first_day = today_slot.starts_at() + timedelta(hours=1)

    filings.revoke_filing(nursery.id, "证照过期", regulator.id, during_first_day)

    row = fresh(Booking, booking.id)
    assert [s.status for s in row.slots] == ["confirmed", "cancelled_by_nursery"]
    assert row.status == "confirmed" and row.price_fen == 15000
    assert (fresh(Slot, later.id).status, fresh(Slot, later.id).booked) == ("closed", 0)
    assert fresh(Slot, today_slot.id).status == "open"  # under way: left as it is
    kinds = list(db.session.scalars(db.select(Notification.kind).where(
        Notification.user_id == family.id)))
    assert kinds == ["booking_cancelled_by_nursery"]
    assert db.session.scalar(db.select(WaitlistEntry.status)) == "expired"


def test_a_booking_wholly_in_the_future_becomes_cancelled_by_nursery(auth, db):
    regulator, _ = auth.regulator()
    nursery, _ = setup_nursery()
    slot = make_slot(nursery, capacity=2)
    bookings = fill(slot)
    filings.revoke_filing(nursery.id, "停业", regulator.id, utcnow())
    assert {fresh(Booking, b.id).status for b in bookings} == {"cancelled_by_nursery"}
    assert {fresh(Booking, b.id).price_fen for b in bookings} == {0}


@pytest.fixture
def unwired():
    """The process as if no app had been built yet: nothing listens to revocations."""
    filing_revoked.disconnect(close_on_revocation)
    yield
    filing_revoked.connect(close_on_revocation, weak=False)


def test_create_app_connects_revocation_to_bookings_once(app, auth, db, unwired):
    regulator, _ = auth.regulator()
    now = utcnow()
    before, _ = setup_nursery()
    before_booking = book(make_user("parent"), [make_slot(before)], now=now)
    filings.revoke_filing(before.id, "停业", regulator.id, now)
    assert fresh(Booking, before_booking.id).status == "confirmed"  # no receiver: untouched

    create_app(dict(app.config))
    create_app(dict(app.config))

    assert list(filing_revoked.receivers_for(object())) == [close_on_revocation]
    after, _ = setup_nursery()
    after_booking = book(make_user("parent"), [make_slot(after)], now=now)
    filings.revoke_filing(after.id, "停业", regulator.id, now)
    assert fresh(Booking, after_booking.id).status == "cancelled_by_nursery"
