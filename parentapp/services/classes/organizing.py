"""The organisers' side of parenting classes: publish, edit, cancel, look up.

Regulators organise classes anywhere and may manage every class. Operators
publish classes for their own approved nurseries and manage only the classes
they published; anyone else's class is a 404, exactly like a missing one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from parentapp.domain import (
    ACTIVE_ENROLLMENT_STATUSES,
    AuditAction,
    ClassStatus,
    EnrollmentStatus,
    FilingStatus,
    NotificationKind,
    Role,
)
from parentapp.errors import CapacityBelowEnrolled, InvalidState, NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import ClassEnrollment, Nursery, ParentingClass, User
from parentapp.services.classes.enrollment import class_link, lock_class, promote_waitlist
from parentapp.services.classes.queries import (
    filter_classes,
    present,
    present_page,
    seat_counts,
    storable_id,
)
from parentapp.services.common import audit
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import fanout
from parentapp.timeutil import LOCAL_TZ

MAX_LEAD = timedelta(days=366)
RULE_FIELDS = ("starts_at", "ends_at", "enroll_deadline", "child_age_min_months",
               "child_age_max_months")
# A change to any of these is news for every family holding a seat or a waitlist place.
SCHEDULE_FIELDS = ("starts_at", "ends_at", "venue", "lat", "lng")


def organizer_of(organizer_id: int) -> User:
    """The staff account acting as organiser (a regulator or an operator). Raises NotFound."""
    user = db.session.get(User, organizer_id)
    if user is None or user.role not in ("regulator", "operator"):
        raise NotFound()
    return user


def organizer_class(user: User, class_id: int, lock: bool = False) -> ParentingClass:
    """The class if ``user`` may manage it (row-locked with ``lock``). Raises NotFound."""
    if lock:
        cls = lock_class(class_id)
    else:
        cls = db.session.get(ParentingClass, class_id) if storable_id(class_id) else None
    if cls is None or (user.role != Role.REGULATOR and cls.organizer_id != user.id):
        raise NotFound("没有找到该课程。")
    return cls


def get_organizer_class(organizer_id: int, class_id: int, now: datetime) -> dict:
    user = organizer_of(organizer_id)
    cls = organizer_class(user, class_id)
    return present(cls, seat_counts([cls.id]).get(cls.id), now)


def list_organizer_classes(organizer_id: int, now: datetime, page: int, per_page: int,
                           **filters) -> dict:
    """Latest first; regulators see every class, operators their own."""
    user = organizer_of(organizer_id)
    stmt = select(ParentingClass)
    if user.role != Role.REGULATOR:
        stmt = stmt.where(ParentingClass.organizer_id == user.id)
    stmt = filter_classes(stmt, now, **filters).order_by(ParentingClass.starts_at.desc(),
                                                          ParentingClass.id.desc())
    return present_page(paginate(stmt, page, per_page), now)


@rolls_back
def create_class(organizer_id: int, fields: dict, now: datetime) -> dict:
    """Publish a class; an operator leaving out ``nursery_id`` means their one approved
    nursery. Raises ValidationFailed (field rules, nursery not approved, no ``nursery_id``
    for an operator with none or several approved), NotFound (a nursery not the operator's)."""
    user = organizer_of(organizer_id)
    nursery_id = _checked_nursery(user, fields.pop("nursery_id", None))
    _check_rules(fields, set(fields), now)
    cls = ParentingClass(organizer_id=user.id, nursery_id=nursery_id, created_at=now,
                         updated_at=now, **fields)
    db.session.add(cls)
    audit.record(user.id, AuditAction.CLASS_CREATE, cls, now=now,
                 after=audit.snapshot(cls, [*fields, "nursery_id"]))
    db.session.commit()
    return present(cls, None, now)


@rolls_back
def update_class(organizer_id: int, class_id: int, changes: dict, now: datetime) -> dict:
    """Edit a scheduled class. A higher capacity moves the waitlist at once.

    Raises NotFound, InvalidState (cancelled or completed), ValidationFailed,
    CapacityBelowEnrolled.
    """
    user = organizer_of(organizer_id)
    cls = organizer_class(user, class_id, lock=True)
    if cls.status_at(now) != ClassStatus.SCHEDULED:
        raise InvalidState("已取消或已结束的课程不能修改。")
    _check_rules({key: getattr(cls, key) for key in RULE_FIELDS} | changes, set(changes), now)
    counts = seat_counts([cls.id]).get(cls.id)
    enrolled = counts.enrolled if counts else 0
    if changes.get("capacity", cls.capacity) < enrolled:
        raise CapacityBelowEnrolled(details={"capacity": [f"已有 {enrolled} 个家庭报名。"],
                                             "enrolled": enrolled})
    moved = any(key in changes and changes[key] != getattr(cls, key) for key in SCHEDULE_FIELDS)
    before = audit.snapshot(cls, changes)
    for key, value in changes.items():
        setattr(cls, key, value)
    cls.updated_at = now
    db.session.flush()
    promote_waitlist(cls, now)
    if moved:
        _tell_families(cls, NotificationKind.CLASS_CHANGED, f"课程信息有变更：{cls.title}",
                       f"新的时间：{_local(cls.starts_at)}，地点：{cls.venue}。请留意。", now)
    audit.record(user.id, AuditAction.CLASS_UPDATE, cls, now=now, before=before,
                 after=audit.snapshot(cls, changes))
    db.session.commit()
    return present(cls, seat_counts([cls.id]).get(cls.id), now)


@rolls_back
def cancel_class(organizer_id: int, class_id: int, reason: str | None, now: datetime) -> dict:
    """Cancel a class that has not ended; every enrolled and waitlisted family is told.

    Raises NotFound, InvalidState (already cancelled or ended).
    """
    user = organizer_of(organizer_id)
    cls = organizer_class(user, class_id, lock=True)
    if cls.status_at(now) != ClassStatus.SCHEDULED:
        raise InvalidState("课程已取消或已结束。")
    cls.cancelled_at, cls.cancel_reason = now, reason
    note = f"原因：{reason}。" if reason else ""
    told = _tell_families(cls, NotificationKind.CLASS_CANCELLED, f"课程已取消：{cls.title}",
                          f"原定 {_local(cls.starts_at)} 在{cls.venue}的课程已取消。{note}", now)
    for entry in told:
        entry.status, entry.ended_at = EnrollmentStatus.CANCELLED, now
    audit.record(user.id, AuditAction.CLASS_CANCEL, cls, now=now, before={"cancelled_at": None},
                 after={"cancelled_at": now, "cancel_reason": reason})
    db.session.commit()
    return present(cls, seat_counts([cls.id]).get(cls.id), now)


def _tell_families(cls: ParentingClass, kind: str, title: str, body: str,
                   now: datetime) -> list[ClassEnrollment]:
    entries = list(db.session.scalars(
        select(ClassEnrollment)
        .where(ClassEnrollment.class_id == cls.id,
               ClassEnrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES))
        .order_by(ClassEnrollment.id)))
    # Each seat's child's people with reminders on, or the account alone for a seat
    # without a child; one query for the people whatever the number of seats.
    people = fanout.recipients(entry.child_id for entry in entries)
    for entry in entries:
        fanout.notify_about(entry.child_id, entry.family_id, kind, title=title, body=body,
                            now=now, people=people, link=class_link(cls.id),
                            subject=("class", cls.id))
    return entries


def _local(instant: datetime) -> str:
    return instant.astimezone(LOCAL_TZ).strftime("%m月%d日 %H:%M")


def _checked_nursery(user: User, nursery_id: int | None) -> int | None:
    if nursery_id is None:
        return _only_approved_nursery(user.id) if user.role == Role.OPERATOR else None
    nursery = db.session.get(Nursery, nursery_id)
    if nursery is None or (user.role == Role.OPERATOR and nursery.operator_id != user.id):
        raise NotFound("没有找到该托育机构。")
    if nursery.filing_status != FilingStatus.APPROVED:
        raise ValidationFailed.on("nursery_id", "托育机构备案通过后才能发布课程。")
    return nursery.id


def _only_approved_nursery(operator_id: int) -> int:
    """An operator who leaves ``nursery_id`` out means their one approved nursery.
    Raises ValidationFailed when they have none or several."""
    approved = list(db.session.scalars(select(Nursery.id).where(
        Nursery.operator_id == operator_id, Nursery.filing_status == FilingStatus.APPROVED)
        .order_by(Nursery.id).limit(2)))
    if not approved:
        raise ValidationFailed.on("nursery_id", "机构备案通过后才能发布课程。")
    if len(approved) > 1:
        raise ValidationFailed.on("nursery_id", "您有多家已备案的机构，请选择在哪家机构发布课程。")
    return approved[0]


def _check_rules(values: dict, changed: set[str], now: datetime) -> None:
    """The rules across fields and against the clock; checks what ``changed`` touches."""
    problems: dict[str, list[str]] = {}
    starts, ends, deadline = values["starts_at"], values["ends_at"], values["enroll_deadline"]
    if "starts_at" in changed and starts <= now:
        problems["starts_at"] = ["开始时间需要晚于现在。"]
    elif "starts_at" in changed and starts > now + MAX_LEAD:
        problems["starts_at"] = ["开始时间不能超过一年以后。"]
    if changed & {"starts_at", "ends_at"} and ends <= starts:
        problems["ends_at"] = ["结束时间需要晚于开始时间。"]
    if "enroll_deadline" in changed and deadline < now:
        problems["enroll_deadline"] = ["报名截止时间不能早于现在。"]
    elif changed & {"enroll_deadline", "starts_at"} and deadline > starts:
        problems["enroll_deadline"] = ["报名截止时间不能晚于开始时间。"]
    low, high = values.get("child_age_min_months"), values.get("child_age_max_months")
    if (changed & {"child_age_min_months", "child_age_max_months"} and low is not None
            and high is not None and low > high):
        problems["child_age_max_months"] = ["最大月龄不能小于最小月龄。"]
    if problems:
        raise ValidationFailed(details=problems)
