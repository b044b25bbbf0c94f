"""The demo operator's first nursery's staff: two carers, a health worker and a cook,
hired through the service (so the one-active-nursery rule holds). Idempotent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import Nursery, StaffMember, User, utcnow
from parentapp.services.staff import employment

DEMO_OPERATOR_USERNAME = "demo-operator"
PEOPLE = [
    ("谭秀英", "13800000011", "carer", [("保育员证", "CQ-BY-2023-0117", date(2028, 6, 30))]),
    ("马春梅", "13800000012", "carer", [("育婴员证", "CQ-YY-2022-0431", None)]),
    ("冉小琴", "13800000013", "health", [("护士执业证书", "HS-500240-0098", date(2027, 9, 1))]),
    ("向国平", "13800000014", "cook", []),
]


def seed() -> str:
    operator = db.session.scalar(select(User).where(User.username == DEMO_OPERATOR_USERNAME))
    if operator is None:
        return "no demo operator"
    nursery_id = db.session.scalar(select(Nursery.id).where(
        Nursery.operator_id == operator.id).order_by(Nursery.id).limit(1))
    if nursery_id is None:
        return "no demo nursery"
    hired = 0
    for name, phone, role, certificates in PEOPLE:
        if db.session.scalar(select(StaffMember.id).where(StaffMember.phone == phone)):
            continue
        employment.hire_staff(
            operator.id, nursery_id, name=name, phone=phone, role=role,
            certificates=[{"kind": k, "number": n, "expires_on": e}
                          for k, n, e in certificates],
            health_certificate_expires_on=date(2027, 3, 1), now=utcnow())
        hired += 1
    return f"{hired} hired"
