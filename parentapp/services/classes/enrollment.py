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

from parentapp.domain import (
    ACTIVE_ENROLLMENT_STATUSES,
    ChildRight,
    EnrollmentStatus,
    NotificationKind,
)
from parentapp.errors import (
    AgeIneligible,
    AlreadyEnrolled,
    EnrollmentClosed,
    InvalidState,
    NotFound,
    ValidationFailed,
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
from parentapp.services.family import access, fanout
from parentapp.services.family.booked_by import booked_by_map
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

    A seat is per child (whichever of its people enrols it), or per account when no child
    is named. Raises NotFound (class, or not one of the child's people), Forbidden (a
    viewer), EnrollmentClosed, AlreadyEnrolled, AgeIneligible, LimitReached
    (``class_places_per_family``, counted per account).
    """
    # The account's lock before the class's (the order account deletion keeps too): its
    # places are counted with none of its other enrolments in between.
    lock_family(parent_id)
    child = (access.child_for(parent_id, child_id, ChildRight.ACT)
             if child_id is not None else None)
    cls = lock_class(class_id)
    if not cls.enrollment_open_at(now):
        raise EnrollmentClosed()
    if _active_entry(cls.id, parent_id, child_id) is not None:
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
def leave(parent_id: int, class_id: int, now: datetime, child_id: int | None = None) -> None:
    """Give up a seat or waitlist place; a freed seat moves the waitlist. With
    ``child_id``, that child's seat; without, the caller's own seat (no child), else the
    one seat of the caller's children in the class.

    Raises NotFound (no active entry), Forbidden (a viewer), ValidationFailed (several of
    the caller's children hold seats: name one), InvalidState (the class has started).
    """
    if child_id is not None:
        access.child_for(parent_id, child_id, ChildRight.ACT)
    cls = lock_class(class_id)
    entry = _entry_to_leave(cls.id, parent_id, child_id)
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
    people = fanout.recipients(entry.child_id for entry in promoted)
    for entry in promoted:
        entry.status, entry.promoted_at = EnrollmentStatus.ENROLLED, now
        _tell_promoted(cls, entry, now, people)
    db.session.flush()
    return promoted


def _tell_promoted(cls: ParentingClass, entry: ClassEnrollment, now: datetime,
                   people: dict[int, list[int]]) -> None:
    """The seat's child's people with reminders on, or the account alone for a seat
    without a child."""
    start = cls.starts_at.astimezone(LOCAL_TZ).strftime("%m月%d日 %H:%M")
    fanout.notify_about(entry.child_id, entry.family_id, NotificationKind.CLASS_PROMOTED,
                        title=f"候补成功：{cls.title}",
                        body=f"有名额空出，您已从候补转为正式报名。时间：{start}，地点：{cls.venue}。",
                        now=now, people=people, link=class_link(cls.id),
                        subject=("class", cls.id))


def entry_view(entry: ClassEnrollment) -> dict:
    position = None
    if entry.status == EnrollmentStatus.WAITLISTED:
        position = waitlist_positions([entry.class_id]).get(entry.id)
    pair = (entry.child_id, entry.family_id)
    return {"id": entry.id, "class_id": entry.class_id, "child_id": entry.child_id,
            "status": entry.status, "position": position,
            "booked_by": booked_by_map([pair]).get(pair)}


def visible_to(user_id: int, right: ChildRight = ChildRight.VIEW):
    """Entries a person may see (or act on): those of the children they hold ``right``
    for, and their own seats without a child."""
    return (ClassEnrollment.child_id.in_(access.children_of(user_id, right))
            | (ClassEnrollment.child_id.is_(None) & (ClassEnrollment.family_id == user_id)))


def my_enrollments(parent_id: int, *, now: datetime, page: int, per_page: int,
                   status: str | None = None, child_id: int | None = None) -> dict:
    """The entries of all the person's children and their own (or of ``child_id`` only),
    newest first, ended ones included. Raises NotFound (``child_id`` is not one of the
    person's children)."""
    if child_id is not None:
        access.child_for(parent_id, child_id, ChildRight.VIEW)
    mine = (ClassEnrollment.child_id == child_id if child_id is not None
            else visible_to(parent_id))
    stmt = (select(ClassEnrollment).where(mine)
            .join(ClassEnrollment.parenting_class)
            .options(contains_eager(ClassEnrollment.parenting_class))
            .order_by(ClassEnrollment.id.desc()))
    if status is not None:
        stmt = stmt.where(ClassEnrollment.status == status)
    result = paginate(stmt, page, per_page)
    waiting = {e.class_id for e in result["items"] if e.status == EnrollmentStatus.WAITLISTED}
    positions = waitlist_positions(sorted(waiting))
    booked_by = booked_by_map((e.child_id, e.family_id) for e in result["items"])
    result["items"] = [_mine(entry, positions, booked_by, now) for entry in result["items"]]
    return result


def _mine(entry: ClassEnrollment, positions: dict[int, int], booked_by: dict,
          now: datetime) -> dict:
    cls = entry.parenting_class
    return {"id": entry.id, "class_id": entry.class_id, "child_id": entry.child_id,
            "status": entry.status, "position": positions.get(entry.id),
            "booked_by": booked_by.get((entry.child_id, entry.family_id)),
            "attended": entry.attended, "created_at": entry.created_at,
            "parenting_class": {"title": cls.title, "kind": cls.kind, "venue": cls.venue,
                                "starts_at": cls.starts_at, "ends_at": cls.ends_at,
                                "status": cls.status_at(now)}}


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
    """Seats and waitlist places the account took, in every class."""
    return db.session.scalar(select(db.func.count()).select_from(ClassEnrollment).where(
        ClassEnrollment.family_id == parent_id,
        ClassEnrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES)))


def _active_entry(class_id: int, parent_id: int,
                  child_id: int | None = None) -> ClassEnrollment | None:
    """The child's active entry in the class, or (no child) the account's own."""
    owner = (ClassEnrollment.child_id == child_id if child_id is not None else
             ClassEnrollment.child_id.is_(None) & (ClassEnrollment.family_id == parent_id))
    return db.session.scalar(select(ClassEnrollment).where(
        ClassEnrollment.class_id == class_id, owner,
        ClassEnrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES)))


def _entry_to_leave(class_id: int, user_id: int, child_id: int | None) -> ClassEnrollment:
    entry = _active_entry(class_id, user_id, child_id)
    if entry is not None or child_id is not None:
        if entry is None:
            raise NotFound("这个孩子没有报名该课程。")
        return entry
    seats = list(db.session.scalars(select(ClassEnrollment).where(
        ClassEnrollment.class_id == class_id,
        ClassEnrollment.child_id.in_(access.children_of(user_id)),
        ClassEnrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES))))
    if not seats:
        raise NotFound("您没有报名该课程。")
    if len(seats) > 1:
        raise ValidationFailed.on("child_id", "您有多个孩子报名了该课程，请指明退出哪个孩子。")
    access.child_for(user_id, seats[0].child_id, ChildRight.ACT)
    return seats[0]
