"""The organiser's view of who comes to a class, and attendance marking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from parentapp.domain import AuditAction, EnrollmentStatus
from parentapp.errors import InvalidState, ValidationFailed
from parentapp.extensions import db
from parentapp.models import ClassEnrollment, ParentingClass
from parentapp.services.accounts.users import mask_phone
from parentapp.services.classes.organizing import organizer_class, organizer_of
from parentapp.services.classes.queries import waitlist_positions
from parentapp.services.common import audit
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.timeutil import LOCAL_TZ, age_months

_STATUS_ORDER = case({EnrollmentStatus.ENROLLED: 0, EnrollmentStatus.WAITLISTED: 1},
                     value=ClassEnrollment.status, else_=2)


def roster(organizer_id: int, class_id: int, *, page: int, per_page: int,
           status: str | None = None) -> dict:
    """Seats first, then the waitlist in its order, then ended entries. Raises NotFound."""
    user = organizer_of(organizer_id)
    cls = organizer_class(user, class_id)
    stmt = (select(ClassEnrollment).where(ClassEnrollment.class_id == cls.id)
            .options(joinedload(ClassEnrollment.family), joinedload(ClassEnrollment.child))
            .order_by(_STATUS_ORDER, ClassEnrollment.id))
    if status is not None:
        stmt = stmt.where(ClassEnrollment.status == status)
    result = paginate(stmt, page, per_page)
    waiting = any(entry.status == EnrollmentStatus.WAITLISTED for entry in result["items"])
    positions = waitlist_positions([cls.id]) if waiting else {}
    result["items"] = [_row(cls, entry, positions) for entry in result["items"]]
    return result


def _row(cls: ParentingClass, entry: ClassEnrollment, positions: dict[int, int]) -> dict:
    child = entry.child
    class_day = cls.starts_at.astimezone(LOCAL_TZ).date()
    age = None
    if child is not None and child.birth_date <= class_day:
        age = age_months(child.birth_date, class_day)
    return {"id": entry.id, "class_id": entry.class_id, "child_id": entry.child_id,
            "status": entry.status, "position": positions.get(entry.id),
            "family_id": entry.family_id, "nickname": entry.family.nickname,
            "phone": mask_phone(entry.family.phone), "child_name": child.name if child else None,
            "child_age_months": age, "attended": entry.attended,
            "created_at": entry.created_at, "promoted_at": entry.promoted_at}


@rolls_back
def mark_attendance(organizer_id: int, class_id: int, *, enrollment_ids: list[int], attended: bool,
                    now: datetime) -> dict:
    """Mark (or, with ``attended=False``, unmark) families present; idempotent.

    Raises NotFound, InvalidState (cancelled, or not started yet), ValidationFailed
    (an id that is not an enrolled entry of this class).
    """
    user = organizer_of(organizer_id)
    cls = organizer_class(user, class_id, lock=True)
    if cls.cancelled_at is not None:
        raise InvalidState("课程已取消，不能登记出勤。")
    if now < cls.starts_at:
        raise InvalidState("课程开始后才能登记出勤。")
    wanted = set(enrollment_ids)
    entries = list(db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.id.in_(wanted), ClassEnrollment.class_id == cls.id,
        ClassEnrollment.status == EnrollmentStatus.ENROLLED)))
    unknown = sorted(wanted - {entry.id for entry in entries})
    if unknown:
        raise ValidationFailed(details={"enrollment_ids": [
            "以下记录不是本课程已报名的家庭：" + "、".join(map(str, unknown))]})
    before = {"attended": {str(entry.id): entry.attended_at is not None for entry in entries}}
    for entry in entries:
        if not attended:
            entry.attended_at = None
        elif entry.attended_at is None:
            entry.attended_at = now
    present_ids = list(db.session.scalars(
        select(ClassEnrollment.id).where(ClassEnrollment.class_id == cls.id,
                                         ClassEnrollment.status == EnrollmentStatus.ENROLLED,
                                         ClassEnrollment.attended_at.is_not(None))
        .order_by(ClassEnrollment.id)))
    audit.record(user.id, AuditAction.CLASS_ATTENDANCE, cls, now=now, before=before, after={
        "attended": {str(entry.id): entry.attended_at is not None for entry in entries}})
    db.session.commit()
    return {"class_id": cls.id, "attended": len(present_ids), "enrollment_ids": present_ids}
