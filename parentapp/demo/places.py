"""A round of monthly places (入托申请) at the demo operator's first nursery, two months
ahead, so the 入托申请 tab has something to show. Its month's full-day slots are
generated, the round opened and four families (the demo parent's younger child and
three families of different townships) apply, all through the real services, so the
operator sees applicants and the regulator sees demand by township. Idempotent."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from parentapp.demo.bookings import DEMO_PARENT_OPENID
from parentapp.demo.staff import demo_nursery
from parentapp.domain import CareType
from parentapp.extensions import db
from parentapp.models import Child, Nursery, PlaceRound, User, utcnow
from parentapp.models.child import guarded_by
from parentapp.services.family.access import children_of
from parentapp.services.nurseries import slots
from parentapp.services.places import applications, rounds
from parentapp.timeutil import add_months, local_instant, local_today, month_of, month_range

PLACES = 2
OPENID = "fake-openid-demo-apply-{}"
# parent's nickname, township, child's name, gender, age in months at seeding
FAMILIES = [("申请家长甲", "500240001", "小山", "male", 18),
            ("申请家长乙", "500240002", "小溪", "female", 24),
            ("申请家长丙", "500240104", "小林", "male", 12)]


def seed() -> str:
    _, nursery_id = demo_nursery()
    if nursery_id is None:
        return "no demo nursery"
    nursery = db.session.get(Nursery, nursery_id)
    if db.session.scalar(select(PlaceRound.id).where(PlaceRound.nursery_id == nursery.id)):
        return "exists"
    now = utcnow()
    month = month_of(add_months(local_today(now).replace(day=1), 2))
    first, last = month_range(month)
    slots.generate_slots(nursery.operator_id, nursery.id, care_type=CareType.FULL_DAY,
                         day_from=first, day_to=last, weekdays=[1, 2, 3, 4, 5],
                         capacity=max(PLACES, nursery.licensed_places // 2), parts=None, now=now)
    place_round = rounds.open_round(
        nursery.operator_id, nursery.id, month=month, care_type=CareType.FULL_DAY,
        places=PLACES, closes_at=local_instant(first - timedelta(days=7), time(0)),
        priority_rules=None, now=now)
    applied = [applications.apply(parent.id, child_id=child.id, month=month,
                                  care_type=CareType.FULL_DAY, choices=[nursery.id], now=now)
               for parent, child in _families(now)]
    return f"{month}: {place_round.places} places a day held, {len(applied)} applications"


def _families(now) -> list[tuple[User, Child]]:
    """The demo parent's younger child, then three new families (committed)."""
    found = []
    demo = db.session.scalar(select(User).where(User.wechat_openid == DEMO_PARENT_OPENID))
    child = demo and db.session.scalar(select(Child).where(Child.id.in_(children_of(demo.id)))
                                       .order_by(Child.birth_date.desc()))
    if child is not None:
        found.append((demo, child))
    for number, (nickname, township, name, gender, months) in enumerate(FAMILIES, start=1):
        parent = User(role="parent", wechat_openid=OPENID.format(number), nickname=nickname,
                      township=township, created_at=now)
        child = guarded_by(parent, Child(name=name, gender=gender, created_at=now,
                                         birth_date=add_months(local_today(now), -months)))
        db.session.add_all([parent, child])
        db.session.commit()
        found.append((parent, child))
    return found
