"""A day with an illness cluster (聚集性疾病) at the demo operator's first nursery.

On the last weekday before the first seed, three children of three demo families
were booked for a full day and stayed home ill with a fever. Everything goes
through the real services with that day's clock (slots generated two days before,
booked the day before, the no-shows with their reason recorded that morning), so
the third absence opens the ``illness_cluster`` alert as it would in the roster,
telling the operator and the regulators. Idempotent: the families are made once.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from parentapp import service_settings
from parentapp.demo.staff import demo_nursery
from parentapp.extensions import db
from parentapp.models import Child, Slot, User, utcnow
from parentapp.models.child import guarded_by
from parentapp.services.booking import bookings, roster
from parentapp.services.nurseries import slots
from parentapp.timeutil import add_months, local_instant, local_today

OPENID = "fake-openid-demo-ill-{}"
# parent's nickname, child's name, gender, age in months on the day
FAMILIES = [("演示家长甲", "小舟", "male", 14), ("演示家长乙", "小禾", "female", 20),
            ("演示家长丙", "小满", "female", 26)]
SYMPTOMS = ["fever"]


def seed() -> str:
    operator, nursery_id = demo_nursery()
    if operator is None or nursery_id is None:
        return "no demo nursery"
    if db.session.scalar(select(User.id).where(User.wechat_openid == OPENID.format(1))):
        return "exists"
    day = _last_weekday_before(local_today(utcnow()))
    slot_id = _slot_of(operator.id, nursery_id, day)
    for number, (nickname, name, gender, months) in enumerate(FAMILIES, start=1):
        parent, child = _family(number, nickname, name, gender, add_months(day, -months), day)
        booking = bookings.book_slots(
            parent.id, child.id, [slot_id], note=None,
            now=local_instant(day - timedelta(days=1), time(10)),
            offer_minutes=service_settings.offer_minutes(),
            future_slots_per_child=service_settings.limit("future_slots_per_child"))
        roster.mark_attendance(operator.id, booking.id, action="no_show", day=day,
                               now=local_instant(day, time(9, 30)), reason="illness",
                               symptoms=SYMPTOMS)
    return f"{len(FAMILIES)} children absent with a fever on {day.isoformat()}"


def _last_weekday_before(today: date) -> date:
    day = today - timedelta(days=1)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


def _slot_of(operator_id: int, nursery_id: int, day: date) -> int:
    """The nursery's full-day slot of ``day``, generated on the clock of two days before."""
    slots.generate_slots(operator_id, nursery_id, care_type="full_day", day_from=day,
                         day_to=day, weekdays=[day.isoweekday()], capacity=6, parts=None,
                         now=local_instant(day - timedelta(days=2), time(10)))
    return db.session.scalar(select(Slot.id).where(
        Slot.nursery_id == nursery_id, Slot.date == day, Slot.care_type == "full_day")
        .order_by(Slot.id).limit(1))


def _family(number: int, nickname: str, name: str, gender: str, birth_date: date,
            day: date) -> tuple[User, Child]:
    created = local_instant(day - timedelta(days=30), time(20))
    parent = User(role="parent", wechat_openid=OPENID.format(number), nickname=nickname,
                  township="500240001", created_at=created)
    child = Child(name=name, birth_date=birth_date, gender=gender, created_at=created)
    db.session.add(guarded_by(parent, child))
    db.session.commit()
    return parent, child
