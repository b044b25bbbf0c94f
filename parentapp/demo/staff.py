"""The demo operator's first nursery's staff: two carers, a health worker and a cook,
hired through the service (so the one-active-nursery rule holds). Idempotent.

Dates count from the day of the first seed, so the demo never ages into a sea of
expired papers; one carer's health certificate (健康证) runs out within 30 days, so
``jobs run staff-certificates`` opens a ``certificate_expiring`` alert on the demo.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import Nursery, StaffMember, User, utcnow
from parentapp.services.staff import employment
from parentapp.timeutil import local_today

DEMO_OPERATOR_USERNAME = "demo-operator"
EXPIRING_IN_DAYS = 20  # within the staff-certificates job's 30 days
# name, phone, role, [(certificate, number, days until it expires)], days of the 健康证
PEOPLE = [
    ("谭秀英", "13800000011", "carer", [("保育员证", "CQ-BY-2023-0117", 570)], 300),
    ("马春梅", "13800000012", "carer", [("育婴员证", "CQ-YY-2022-0431", None)],
     EXPIRING_IN_DAYS),
    ("冉小琴", "13800000013", "health", [("护士执业证书", "HS-500240-0098", 270)], 300),
    ("向国平", "13800000014", "cook", [], 300),
]


def demo_nursery() -> tuple[User | None, int | None]:
    """The demo operator and the id of their first nursery (None when not seeded)."""
    operator = db.session.scalar(select(User).where(User.username == DEMO_OPERATOR_USERNAME))
    if operator is None:
        return None, None
    return operator, db.session.scalar(select(Nursery.id).where(
        Nursery.operator_id == operator.id).order_by(Nursery.id).limit(1))


def seed() -> str:
    operator, nursery_id = demo_nursery()
    if operator is None:
        return "no demo operator"
    if nursery_id is None:
        return "no demo nursery"
    now = utcnow()
    today = local_today(now)
    hired = 0
    for name, phone, role, certificates, health_days in PEOPLE:
        if db.session.scalar(select(StaffMember.id).where(StaffMember.phone == phone)):
            continue
        employment.hire_staff(
            operator.id, nursery_id, name=name, phone=phone, role=role,
            certificates=[{"kind": k, "number": n, "expires_on": _in_days(today, d)}
                          for k, n, d in certificates],
            health_certificate_expires_on=_in_days(today, health_days), now=now)
        hired += 1
    return f"{hired} hired"


def _in_days(today: date, days: int | None) -> date | None:
    return None if days is None else today + timedelta(days=days)
