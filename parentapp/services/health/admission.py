"""The nursery's admission check: are a booked child's vaccinations due so far recorded?

The standard requires age-appropriate vaccination before entry. The nursery
learns only whether the child is up to date and which vaccine codes are
missing (past 30 days' grace after the day each dose could first be given, and not
counting a dose the catch-up rules say is no longer given): no dates, no checkups, no
other health data. Polio is one four-dose series, so a child on IPV-containing
combination doses is not missing bOPV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from parentapp.errors import NotFound
from parentapp.extensions import db
from parentapp.models import Booking, Child
from parentapp.services.health.plan import GRACE_DAYS, missing_vaccinations
from parentapp.services.health.records import recorded_doses
from parentapp.services.health.schedule import Schedule
from parentapp.services.nurseries.access import owned_nursery
from parentapp.timeutil import local_today


@dataclass(frozen=True)
class HealthSummary:
    booking_id: int
    child_id: int
    checked_on: date
    schedule_version: str
    grace_days: int
    missing_vaccines: list[str]

    @property
    def vaccinations_up_to_date(self) -> bool:
        return not self.missing_vaccines


def health_summary(operator_id: int, booking_id: int, now: datetime, *,
                   schedule: Schedule) -> HealthSummary:
    """Raises NotFound for another nursery's booking or a child deleted since booking."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("没有找到该预约。")
    owned_nursery(operator_id, booking.nursery_id)
    child = db.session.get(Child, booking.child_id) if booking.child_id else None
    if child is None:
        raise NotFound("该预约的孩子信息已被家长删除。")
    today = local_today(now)
    done, products = recorded_doses(child.id)
    missing = missing_vaccinations(schedule, child.birth_date, choices=child.vaccine_choices,
                                   records=done, today=today, grace_days=GRACE_DAYS,
                                   products=products)
    return HealthSummary(booking.id, child.id, today, schedule.version, GRACE_DAYS, missing)
