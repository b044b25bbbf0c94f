"""The demo seed: offerings and a month of slots within every licence, and one booking."""

from __future__ import annotations

from collections import Counter

from parentapp.models import Booking, Nursery, Offering, Slot
from parentapp.seed import seed_demo
from parentapp.services.nurseries.licensed_places import ensure_within_licensed_places


def test_demo_offerings_slots_and_a_booking(db):
    lines: list[str] = []
    seed_demo(echo=lines.append)
    first = [db.session.scalar(db.select(db.func.count()).select_from(model))
             for model in (Offering, Slot, Booking)]
    seed_demo(echo=lines.append)  # idempotent
    again = [db.session.scalar(db.select(db.func.count()).select_from(model))
             for model in (Offering, Slot, Booking)]
    assert first == again
    assert any("offerings and slots" in line for line in lines)

    nurseries = list(db.session.scalars(db.select(Nursery).where(
        Nursery.filing_status != "revoked")))
    per_kind = Counter(db.session.scalars(db.select(Offering.care_type)))
    assert set(per_kind) == {"full_day", "half_day", "hourly", "temporary"}
    for nursery in nurseries:
        dates = set(db.session.scalars(db.select(Slot.date).where(
            Slot.nursery_id == nursery.id)))
        assert len(dates) >= 20  # a month of weekdays
        ensure_within_licensed_places(nursery, dates)
    [booking] = db.session.scalars(db.select(Booking))
    assert booking.status == "confirmed" and len(booking.slots) == 5
