"""The child-to-carer ratio at a moment (托育机构设置标准: 1:3, 1:5, 1:7).

Children are those checked in at that moment (a booking slot of that day checked in
before it and not yet checked out), banded by whole months of age on that day:
``infant`` under 12, ``toddler`` 12 to 23, ``older`` 24 and up. Carers are staff of
role ``carer`` on duty at that moment. Each band needs its children divided by its
ratio, rounded up; the bands' needs add up. Three queries whatever the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_

from parentapp.domain import BookingStatus, StaffRole
from parentapp.extensions import db
from parentapp.models import Booking, BookingSlot, Child, Slot, StaffDuty, StaffMember
from parentapp.services.nurseries.access import owned_nursery
from parentapp.timeutil import age_months, local_today

# band -> (first month after the band, children per carer)
BANDS = {"infant": (12, 3), "toddler": (24, 5), "older": (None, 7)}


@dataclass(frozen=True)
class Ratio:
    at: datetime
    children: dict[str, int]
    carers_on_duty: int

    @property
    def carers_required(self) -> int:
        return carers_required(self.children)

    @property
    def compliant(self) -> bool:
        return self.carers_on_duty >= self.carers_required


def band_of(months: int) -> str:
    return next(band for band, (below, _) in BANDS.items() if below is None or months < below)


def carers_required(children: dict[str, int]) -> int:
    """Each band's children over its ratio, rounded up, summed: 4 infants, 6 toddlers and
    1 older child need 2 + 2 + 1 = 5 carers."""
    return sum(math.ceil(children.get(band, 0) / per) for band, (_, per) in BANDS.items())


def nursery_ratio(operator_id: int, nursery_id: int, at: datetime) -> Ratio:
    """The ratio of the operator's nursery at ``at``. Raises NotFound."""
    owned_nursery(operator_id, nursery_id)
    day = local_today(at)
    children = dict.fromkeys(BANDS, 0)
    for birth_date in _children_present(nursery_id, at):
        children[band_of(age_months(birth_date, day))] += 1
    return Ratio(at=at, children=children, carers_on_duty=_carers_on_duty(nursery_id, at))


def _children_present(nursery_id: int, at: datetime) -> list:
    """Birth dates of the children checked in at ``at`` (each child once)."""
    still_in = or_(BookingSlot.status == BookingStatus.CHECKED_IN,
                   and_(BookingSlot.status == BookingStatus.COMPLETED,
                        BookingSlot.changed_at > at))
    rows = db.session.execute(
        db.select(Child.id, Child.birth_date).distinct()
        .select_from(BookingSlot)
        .join(Booking, Booking.id == BookingSlot.booking_id)
        .join(Slot, Slot.id == BookingSlot.slot_id)
        .join(Child, Child.id == BookingSlot.child_id)
        .where(Booking.nursery_id == nursery_id, Slot.date == local_today(at),
               BookingSlot.checked_in_at <= at, still_in))
    return [birth_date for _, birth_date in rows]


def _carers_on_duty(nursery_id: int, at: datetime) -> int:
    return db.session.scalar(
        db.select(db.func.count(db.distinct(StaffDuty.staff_id)))
        .join(StaffMember, StaffMember.id == StaffDuty.staff_id)
        .where(StaffDuty.nursery_id == nursery_id, StaffMember.role == StaffRole.CARER,
               StaffDuty.checked_in_at <= at,
               or_(StaffDuty.checked_out_at.is_(None), StaffDuty.checked_out_at > at)))
