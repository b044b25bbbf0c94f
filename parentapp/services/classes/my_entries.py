"""One class as a family sees it: ``my_enrollment`` is the latest entry the caller may
see there (their own seat, or one of their children's, whoever of its people took it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from parentapp.domain import EnrollmentStatus
from parentapp.extensions import db
from parentapp.models import ClassEnrollment
from parentapp.services.classes import queries
from parentapp.services.classes.enrollment import visible_to


def class_for(class_id: int, now: datetime, user_id: int | None = None) -> dict:
    """The class with ``my_enrollment`` (None without a parent's login). Raises NotFound."""
    view = queries.get_class(class_id, now)
    view["my_enrollment"] = None if user_id is None else latest_entry(view["id"], user_id)
    return view


def latest_entry(class_id: int, user_id: int) -> dict | None:
    row = db.session.scalar(
        select(ClassEnrollment)
        .where(ClassEnrollment.class_id == class_id, visible_to(user_id))
        .order_by(ClassEnrollment.id.desc()).limit(1))
    if row is None:
        return None
    position = (queries.waitlist_positions([class_id]).get(row.id)
                if row.status == EnrollmentStatus.WAITLISTED else None)
    return {"id": row.id, "status": row.status, "position": position,
            "child_id": row.child_id}
