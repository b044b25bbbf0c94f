"""Families taking part in classes: enrol, wait, leave, move up.

Every change to a class's seats happens while holding that class's row lock
(``lock_class``; on SQLite every write transaction is already exclusive), so
the enrolled count read under the lock is the truth, waitlist order is the
order in which transactions took the lock (row ids), and a freed seat goes
to the first waiting family exactly once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from parentapp.domain import ACTIVE_ENROLLMENT_STATUSES, EnrollmentStatus, NotificationKind
from parentapp.errors import (
    AgeIneligible,
    AlreadyEnrolled,
    EnrollmentClosed,
    InvalidState,
    NotFound,
)
from parentapp.extensions import db
from parentapp.models import Child, ClassEnrollment, ParentingClass
from parentapp.services.booking.bookings import lock_family
from parentapp.services.classes.queries import (
    seat_counts,
    seats_left,
    storable_id,
    waitlist_positions,
)
from parentapp.services.common.caps import check_cap
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.services.reminders.inbox import notify
from parentapp.timeutil import LOCAL_TZ, age_months


def lock_class(class_id: int) -> ParentingClass:
    """The class, row-locked until the transaction ends. Raises NotFound."""
    cls = None if not storable_id(class_id) else db.session.scalar(
        select(ParentingClass).where(ParentingClass.id == class_id)
        .with_for_update().execution_options(populate_existing=True))
    if cls is None:
        raise NotFound("没有找到该课程。")
    return cls


def class_link(class_id: int) -> str:
    return f"/pages/classes/detail?id={class_id}"


@rolls_back
def enroll(parent_id: int, class_id: int, child_id: int | None, now: datetime, *,
           class_places_per_family: int) -> dict:
    """Take a seat, or a waitlist place when the class is full.

    Raises NotFound (class, or a child not the family's), EnrollmentClosed,
    AlreadyEnrolled, AgeIneligible, LimitReached (``class_places_per_family``).
    """
    # The family's lock before the class's (the order account deletion keeps too): the
    # family's places are counted with none of its other enrolments in between.
    lock_family(parent_id)
    cls = lock_class(class_id)
    child = _family_child(parent_id, child_id) if child_id is not None else None
    if not cls.enrollment_open_at(now):
        raise EnrollmentClosed()
    if _active_entry(cls.id, parent_id) is not None:
        raise AlreadyEnrolled()
    if child is not None:
        _check_age(cls, child)
    check_cap("class_places_per_family", class_places_per_family, _active_places(parent_id),
              message="您报名和候补的课程已达上限，请先退出部分课程。")
    counts = seat_counts([cls.id]).get(cls.id)
    enrolled, waiting = (counts.enrolled, counts.waitlisted) if counts else (0, 0)
    # Nobody jumps the queue: a seat is free for a newcomer only when nobody waits.
    has_seat = seats_left(cls.capacity, enrolled) > 0 and waiting == 0
    entry = ClassEnrollment(class_id=cls.id, family_id=parent_id, child_id=child_id,
                            status=EnrollmentStatus.ENROLLED if has_seat
                            else EnrollmentStatus.WAITLISTED, created_at=now)
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if _is_unique_violation(exc):  # only reachable if the lock were bypassed
            raise AlreadyEnrolled() from exc
        raise NotFound("没有找到这个孩子。") from exc  # the child was deleted meanwhile
    view = entry_view(entry)
    db.session.commit()
    return view


@rolls_back
def leave(parent_id: int, class_id: int, now: datetime) -> None:
    """Give up the family's seat or waitlist place; a freed seat moves the waitlist.

    Raises NotFound (no active entry), InvalidState (the class has started).
    """
    cls = lock_class(class_id)
    entry = _active_entry(cls.id, parent_id)
    if entry is None:
        raise NotFound("您没有报名该课程。")
    if now >= cls.starts_at:
        raise InvalidState("课程已开始，不能退出。")
    end_entry(cls, entry, EnrollmentStatus.LEFT, now)
    db.session.commit()


def end_entry(cls: ParentingClass, entry: ClassEnrollment, status: str, now: datetime) -> None:
    """End one active entry of a locked class (caller commits); promotes if a seat freed."""
    freed_seat = entry.status == EnrollmentStatus.ENROLLED
    entry.status, entry.ended_at = status, now
    db.session.flush()
    if freed_seat:
        promote_waitlist(cls, now)


def promote_waitlist(cls: ParentingClass, now: datetime) -> list[ClassEnrollment]:
    """Fill free seats of a locked class from its waitlist, first come first served.

    Runs in the caller's transaction and tells each promoted family. Nothing
    moves once the class has started or if it is cancelled.
    """
    if cls.cancelled_at is not None or now >= cls.starts_at:
        return []
    counts = seat_counts([cls.id]).get(cls.id)
    free = seats_left(cls.capacity, counts.enrolled if counts else 0)
    if free == 0:
        return []
    promoted = list(db.session.scalars(
        select(ClassEnrollment)
        .where(ClassEnrollment.class_id == cls.id,
               ClassEnrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(ClassEnrollment.id).limit(free)))
    for entry in promoted:
        entry.status, entry.promoted_at = EnrollmentStatus.ENROLLED, now
        _tell_promoted(cls, entry, now)
    db.session.flush()
    return promoted


def _tell_promoted(cls: ParentingClass, entry: ClassEnrollment, now: datetime) -> None:
    start = cls.starts_at.astimezone(LOCAL_TZ).strftime("%m月%d日 %H:%M")
    notify(entry.family_id, NotificationKind.CLASS_PROMOTED, title=f"候补成功：{cls.title}",
           body=f"有名额空出，您已从候补转为正式报名。时间：{start}，地点：{cls.venue}。",
           now=now, link=class_link(cls.id), subject=("class", cls.id), child_id=entry.child_id)


def entry_view(entry: ClassEnrollment) -> dict:
    position = None
    if entry.status == EnrollmentStatus.WAITLISTED:
        position = waitlist_positions([entry.class_id]).get(entry.id)
    return {"id": entry.id, "class_id": entry.class_id, "child_id": entry.child_id,
            "status": entry.status, "position": position}


def my_enrollments(parent_id: int, *, now: datetime, page: int, per_page: int,
                   status: str | None = None) -> dict:
    """The family's entries, newest first, ended ones included."""
    stmt = (select(ClassEnrollment).where(ClassEnrollment.family_id == parent_id)
            .join(ClassEnrollment.parenting_class)
            .options(contains_eager(ClassEnrollment.parenting_class))
            .order_by(ClassEnrollment.id.desc()))
    if status is not None:
        stmt = stmt.where(ClassEnrollment.status == status)
    result = paginate(stmt, page, per_page)
    waiting = {e.class_id for e in result["items"] if e.status == EnrollmentStatus.WAITLISTED}
    positions = waitlist_positions(sorted(waiting))
    result["items"] = [_mine(entry, positions, now) for entry in result["items"]]
    return result


def _mine(entry: ClassEnrollment, positions: dict[int, int], now: datetime) -> dict:
    cls = entry.parenting_class
    return {"id": entry.id, "class_id": entry.class_id, "child_id": entry.child_id,
            "status": entry.status, "position": positions.get(entry.id),
            "attended": entry.attended, "created_at": entry.created_at,
            "parenting_class": {"title": cls.title, "kind": cls.kind, "venue": cls.venue,
                                "starts_at": cls.starts_at, "ends_at": cls.ends_at,
                                "status": cls.status_at(now)}}


def _family_child(parent_id: int, child_id: int) -> Child:
    child = db.session.get(Child, child_id)
    if child is None or child.parent_id != parent_id:
        raise NotFound("没有找到这个孩子。")
    return child


def _check_age(cls: ParentingClass, child: Child) -> None:
    class_day = cls.starts_at.astimezone(LOCAL_TZ).date()
    months = age_months(child.birth_date, class_day) if child.birth_date <= class_day else None
    if months is None or not cls.accepts_age(months):
        raise AgeIneligible(details={"child_id": [_band_text(cls)], "age_months": months})


def _band_text(cls: ParentingClass) -> str:
    low, high = cls.child_age_min_months, cls.child_age_max_months
    if low is not None and high is not None:
        return f"本课程面向 {low} 到 {high} 个月的孩子（按上课当天计算）。"
    if low is not None:
        return f"本课程面向 {low} 个月及以上的孩子（按上课当天计算）。"
    return f"本课程面向 {high} 个月及以下的孩子（按上课当天计算）。"


def _is_unique_violation(error: IntegrityError) -> bool:
    original = error.orig
    return (getattr(original, "sqlstate", None) == "23505"
            or str(original).startswith("UNIQUE constraint failed"))


def _active_places(parent_id: int) -> int:
    """Seats and waitlist places the family holds, in every class."""
    return db.session.scalar(select(db.func.count()).select_from(ClassEnrollment).where(
        ClassEnrollment.family_id == parent_id,
        ClassEnrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES)))


def _active_entry(class_id: int, parent_id: int) -> ClassEnrollment | None:
    return db.session.scalar(select(ClassEnrollment).where(
        ClassEnrollment.class_id == class_id, ClassEnrollment.family_id == parent_id,
        ClassEnrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES)))


def release_family(family_id: int, now: datetime) -> None:
    """Account deletion: give up every active entry (the waitlists move up), then
    erase the family's entries. Locks classes in id order; the caller commits."""
    class_ids = sorted(set(db.session.scalars(select(ClassEnrollment.class_id).where(
        ClassEnrollment.family_id == family_id,
        ClassEnrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES)))))
    for class_id in class_ids:
        cls = lock_class(class_id)
        entry = _active_entry(class_id, family_id)
        if entry is not None:
            end_entry(cls, entry, EnrollmentStatus.LEFT, now)
    db.session.execute(db.delete(ClassEnrollment).where(ClassEnrollment.family_id == family_id))


def forget_child(child_id: int) -> None:
    """Child deletion: the family keeps its seats; the entries just stop naming the child."""
    db.session.execute(db.update(ClassEnrollment).where(ClassEnrollment.child_id == child_id)
                       .values(child_id=None))
