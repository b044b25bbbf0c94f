"""Demo offerings, a month of slots, and a few bookings for the demo nurseries.

Runs after the nurseries step. Everything goes through the real services
(offerings, slot generation with its licensed-places check, booking), so demo
rows obey the same rules as real ones. Idempotent: offerings are only added
where missing, generation skips existing slots, the demo family books once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from parentapp import service_settings
from parentapp.extensions import db
from parentapp.models import Booking, Child, Nursery, Offering, Slot, User, utcnow
from parentapp.services.booking import bookings
from parentapp.services.family.access import children_of
from parentapp.services.nurseries import offerings, slots
from parentapp.timeutil import local_today

DEMO_PARENT_OPENID = "fake-openid-demo-parent"
DAYS = 31
# care type -> (price in fen per slot, share of the licensed places per slot, parts)
CARE = {
    "full_day": (12000, 0.5, None),
    "half_day": (7000, 0.2, ["am", "pm"]),
    "hourly": (2500, 0.1, None),
    "temporary": (15000, 0.1, None),
}
# What each kind of provider offers; kindergarten classes take children of 2 to 3.
OFFERED = {"nursery": ("full_day", "half_day", "hourly", "temporary"),
           "kindergarten_class": ("full_day",), "employer": ("full_day", "hourly"),
           "family": ("full_day", "temporary")}
INCLUSIVE_DISCOUNT = 0.7


def seed() -> str:
    now = utcnow()
    nurseries = list(db.session.scalars(db.select(Nursery).where(
        Nursery.filing_status != "revoked").order_by(Nursery.id)))
    added = created = 0
    for nursery in nurseries:
        added += _offerings(nursery, now)
        created += _month_of_slots(nursery, now)
    booked = _demo_family_books(now)
    return (f"{added} offerings added, {created} slots created for {len(nurseries)} "
            f"nurseries, demo family: {booked}")


def _offerings(nursery: Nursery, now: datetime) -> int:
    have = set(db.session.scalars(db.select(Offering.care_type).where(
        Offering.nursery_id == nursery.id)))
    added = 0
    for care_type in OFFERED[nursery.kind]:
        if care_type in have:
            continue
        price = CARE[care_type][0]
        fields = {"price_fen": int(price * INCLUSIVE_DISCOUNT) if nursery.inclusive else price,
                  "age_min_months": 24 if nursery.kind == "kindergarten_class" else 6}
        offerings.put_offering(nursery.operator_id, nursery.id, care_type, fields=fields, now=now)
        added += 1
    return added


def _month_of_slots(nursery: Nursery, now: datetime) -> int:
    first = local_today(now) + timedelta(days=1)
    created = 0
    for care_type in OFFERED[nursery.kind]:
        _, share, parts = CARE[care_type]
        result = slots.generate_slots(
            nursery.operator_id, nursery.id, care_type=care_type, day_from=first,
            day_to=first + timedelta(days=DAYS - 1), weekdays=[1, 2, 3, 4, 5],
            capacity=max(1, int(nursery.licensed_places * share)), parts=parts, now=now)
        created += result["created"]
    return created


def _demo_family_books(now: datetime) -> str:
    parent = db.session.scalar(db.select(User).where(User.wechat_openid == DEMO_PARENT_OPENID))
    if parent is None:
        return "no demo parent"
    if db.session.scalar(db.select(Booking.id).where(Booking.parent_id == parent.id)):
        return "already booked"
    child = db.session.scalar(db.select(Child).where(Child.id.in_(children_of(parent.id)))
                              .order_by(Child.birth_date.desc()))
    nursery_id = db.session.scalar(db.select(Nursery.id).where(
        Nursery.filing_status == "approved", Nursery.kind == "nursery").order_by(Nursery.id))
    week = list(db.session.scalars(db.select(Slot.id).where(
        Slot.nursery_id == nursery_id, Slot.care_type == "full_day",
        Slot.date >= local_today(now) + timedelta(days=2)).order_by(Slot.date).limit(5)))
    if child is None or not week:
        return "nothing to book"
    made = bookings.book_slots(
        parent.id, child.id, week, note="第一周适应期，请多关照。", now=now,
        offer_minutes=service_settings.offer_minutes(),
        future_slots_per_child=service_settings.limit("future_slots_per_child"))
    return f"{child.name} booked {len(week)} full days (booking {made.id})"
