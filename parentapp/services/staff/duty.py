"""Who is on duty: a staff member checks in when they arrive and out when they leave.

Check-in and check-out take the person's row lock, so one person's two requests at
once are one after the other; the partial unique index ``ux_staff_duties_open``
(one open duty per person) holds even if a path forgot. A person already on duty
cannot check in again (StaffOnDuty, 409 ``staff_on_duty``), one off duty cannot
check out (StaffNotOnDuty, 409 ``staff_not_on_duty``), and one who left cannot
check in (StaffLeft, 409 ``staff_left``). A check-in or check-out after which the
nursery is short of carers opens the day's ``ratio_breach`` alert (``alerts``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from parentapp.errors import StaffLeft, StaffNotOnDuty, StaffOnDuty
from parentapp.extensions import db
from parentapp.models import StaffDuty, StaffMember
from parentapp.services.alerts.ratio_breach import detect_ratio_breach
from parentapp.services.common.transactions import commit_keeping_loaded, rolls_back
from parentapp.services.staff.employment import owned_staff


@rolls_back
def check_in_staff(operator_id: int, staff_id: int, now: datetime) -> StaffMember:
    """Start the person's duty at ``now``. Raises NotFound, StaffLeft, StaffOnDuty."""
    staff = owned_staff(operator_id, staff_id, lock=True)
    if not staff.active:
        raise StaffLeft("该员工已离职，不能签到。")
    if staff.open_duty is not None:
        raise StaffOnDuty(details={"since": staff.open_duty.checked_in_at.isoformat()})
    duty = StaffDuty(staff_id=staff.id, nursery_id=staff.nursery_id, checked_in_at=now)
    db.session.add(duty)
    staff.certificates  # noqa: B018 - loaded for the answer before the commit
    try:
        db.session.flush()
    except IntegrityError as exc:  # the index caught a second open duty
        db.session.rollback()
        raise StaffOnDuty() from exc
    set_committed_value(staff, "open_duty", duty)
    detect_ratio_breach(operator_id, staff.nursery_id, now)
    commit_keeping_loaded()
    return staff


@rolls_back
def check_out_staff(operator_id: int, staff_id: int, now: datetime) -> StaffMember:
    """End the person's open duty at ``now``. Raises NotFound, StaffNotOnDuty."""
    staff = owned_staff(operator_id, staff_id, lock=True)
    if staff.open_duty is None:
        raise StaffNotOnDuty()
    staff.open_duty.checked_out_at = max(now, staff.open_duty.checked_in_at)
    staff.certificates  # noqa: B018 - loaded for the answer before the commit
    db.session.flush()
    set_committed_value(staff, "open_duty", None)
    detect_ratio_breach(operator_id, staff.nursery_id, now)
    commit_keeping_loaded()
    return staff
