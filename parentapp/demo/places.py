"""A round of monthly places (入托申请) at the demo operator's first nursery, two months
ahead, so the 入托申请 tab has something to show. Its month's full-day slots are
generated and the round opened through the real services. Idempotent."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from parentapp.domain import CareType
from parentapp.extensions import db
from parentapp.models import Nursery, PlaceRound, User, utcnow
from parentapp.services.nurseries import slots
from parentapp.services.places import rounds
from parentapp.services.places.holds import month_of, month_range
from parentapp.timeutil import add_months, local_instant, local_today

DEMO_OPERATOR_USERNAME = "demo-operator"
PLACES = 2


def seed() -> str:
    nursery = db.session.scalar(select(Nursery).join(User, User.id == Nursery.operator_id)
                                .where(User.username == DEMO_OPERATOR_USERNAME)
                                .order_by(Nursery.id).limit(1))
    if nursery is None:
        return "no demo nursery"
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
    return f"{month}: {place_round.places} places a day held"
