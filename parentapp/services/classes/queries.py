"""Reading parenting classes: seat counts, waitlist positions, distance, lists.

Every figure a family sees (``enrolled``, ``remaining``, ``waitlist_length``)
and every figure enrolment enforces comes from ``seat_counts`` and
``seats_left``. A page of classes costs a fixed number of statements: the
count, the page, one aggregate for the page's seat counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Row, Select, case, func, select

from parentapp.domain import ClassStatus, EnrollmentStatus
from parentapp.errors import NotFound
from parentapp.extensions import db
from parentapp.models import ClassEnrollment, ParentingClass
from parentapp.services.common.pagination import paginate
from parentapp.timeutil import local_instant, local_today

EARTH_RADIUS_M = 6_371_000
MAX_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class SeatCounts:
    enrolled: int = 0
    waitlisted: int = 0
    attended: int = 0


def storable_id(value: int) -> bool:
    """Ids from URLs can be any size; the database's integers cannot."""
    return 0 < value <= MAX_ID


def seats_left(capacity: int, enrolled: int) -> int:
    return max(capacity - enrolled, 0)


def _tally(status: str, extra=None):
    condition = ClassEnrollment.status == status
    if extra is not None:
        condition = condition & extra
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def seat_counts(class_ids: list[int]) -> dict[int, SeatCounts]:
    """Counts per class in one aggregate query (classes without rows are absent)."""
    if not class_ids:
        return {}
    rows = db.session.execute(
        select(ClassEnrollment.class_id, _tally(EnrollmentStatus.ENROLLED),
               _tally(EnrollmentStatus.WAITLISTED),
               _tally(EnrollmentStatus.ENROLLED, ClassEnrollment.attended_at.is_not(None)))
        .where(ClassEnrollment.class_id.in_(class_ids))
        .group_by(ClassEnrollment.class_id))
    return {class_id: SeatCounts(int(e), int(w), int(a)) for class_id, e, w, a in rows}


def waitlist_positions(class_ids: list[int]) -> dict[int, int]:
    """Enrolment id -> place among its class's waitlisted rows, from 1, in id order."""
    if not class_ids:
        return {}
    place = func.row_number().over(partition_by=ClassEnrollment.class_id,
                                   order_by=ClassEnrollment.id)
    rows = db.session.execute(
        select(ClassEnrollment.id, place)
        .where(ClassEnrollment.class_id.in_(class_ids),
               ClassEnrollment.status == EnrollmentStatus.WAITLISTED))
    return {enrollment_id: int(position) for enrollment_id, position in rows}


def _squared_offset(lat, lng, lat0: float, lng0: float):
    """Squared angular offset (degrees²) on a flat map around the caller's position.

    Works on SQL columns (for ORDER BY) and on floats (for ``distance_m``), so the
    order of a list and the distances it shows agree. Across one county the flat
    approximation is off by far less than a metre per kilometre.
    """
    shrink = math.cos(math.radians(lat0))
    d_lat = lat - lat0
    d_lng = (lng - lng0) * shrink
    return d_lat * d_lat + d_lng * d_lng


def distance_m(lat: float, lng: float, lat0: float, lng0: float) -> int:
    return round(EARTH_RADIUS_M * math.radians(math.sqrt(_squared_offset(lat, lng, lat0, lng0))))


def present(cls: ParentingClass, counts: SeatCounts | None, now: datetime,
            origin: tuple[float, float] | None = None) -> dict:
    counts = counts or SeatCounts()
    view = {column.key: getattr(cls, column.key) for column in ParentingClass.__mapper__.columns}
    view.update(
        enrolled=counts.enrolled, waitlist_length=counts.waitlisted, attended=counts.attended,
        remaining=seats_left(cls.capacity, counts.enrolled), status=cls.status_at(now),
        enrollment_open=cls.enrollment_open_at(now),
        distance_m=None if origin is None else distance_m(cls.lat, cls.lng, *origin))
    return view


def present_page(result: dict, now: datetime, origin: tuple[float, float] | None = None) -> dict:
    counts = seat_counts([cls.id for cls in result["items"]])
    result["items"] = [present(cls, counts.get(cls.id), now, origin) for cls in result["items"]]
    return result


def status_condition(status: str, now: datetime):
    if status == ClassStatus.CANCELLED:
        return ParentingClass.cancelled_at.is_not(None)
    live = ParentingClass.cancelled_at.is_(None)
    ended = ParentingClass.ends_at <= now
    return live & ended if status == ClassStatus.COMPLETED else live & ~ended


def filter_classes(stmt: Select, now: datetime, *, date_from: date | None = None,
                   date_to: date | None = None, township: str | None = None,
                   kind: str | None = None, status: str | None = None) -> Select:
    """Dates are local days of the class's start, both ends included."""
    if date_from is not None:
        stmt = stmt.where(ParentingClass.starts_at >= local_instant(date_from, time(0)))
    if date_to is not None:
        stmt = stmt.where(
            ParentingClass.starts_at < local_instant(date_to + timedelta(days=1), time(0)))
    if township is not None:
        stmt = stmt.where(ParentingClass.township == township)
    if kind is not None:
        stmt = stmt.where(ParentingClass.kind == kind)
    if status is not None:
        stmt = stmt.where(status_condition(status, now))
    return stmt


def list_classes(now: datetime, *, page: int, per_page: int, lat: float | None = None,
                 lng: float | None = None, **filters) -> dict:
    """The public list: from today unless ``date_from`` says otherwise; nearest first
    when a position is given, else soonest first."""
    if filters.get("date_from") is None:
        filters["date_from"] = local_today(now)
    stmt = filter_classes(select(ParentingClass), now, **filters)
    origin = None if lat is None or lng is None else (lat, lng)
    if origin is not None:
        stmt = stmt.order_by(_squared_offset(ParentingClass.lat, ParentingClass.lng, *origin))
    stmt = stmt.order_by(ParentingClass.starts_at, ParentingClass.id)
    return present_page(paginate(stmt, page, per_page), now, origin)


def get_class(class_id: int, now: datetime) -> dict:
    """One class with its seat counts (a family's entry: ``my_entries.class_for``)."""
    cls = db.session.get(ParentingClass, class_id) if storable_id(class_id) else None
    if cls is None:
        raise NotFound("没有找到该课程。")
    return present(cls, seat_counts([cls.id]).get(cls.id), now)


# What a listed class shows and what status_at / enrollment_open_at read.
LISTED_COLUMNS = (ParentingClass.id, ParentingClass.title, ParentingClass.kind,
                  ParentingClass.township, ParentingClass.venue, ParentingClass.starts_at,
                  ParentingClass.ends_at, ParentingClass.capacity, ParentingClass.lat,
                  ParentingClass.lng, ParentingClass.enroll_deadline,
                  ParentingClass.child_age_min_months, ParentingClass.child_age_max_months,
                  ParentingClass.description, ParentingClass.nursery_id,
                  ParentingClass.cancelled_at)


def _entries(status: str):
    """The enclosing class's entries of ``status`` (the class-status index answers it)."""
    return (select(func.count()).where(ClassEnrollment.class_id == ParentingClass.id,
                                       ClassEnrollment.status == status)
            .correlate(ParentingClass).scalar_subquery())


# Built once (the filters and the order are added per request).
LISTED = select(*LISTED_COLUMNS, _entries(EnrollmentStatus.ENROLLED).label("enrolled"),
                _entries(EnrollmentStatus.WAITLISTED).label("waitlisted"),
                func.count().over().label("total"))


def list_class_rows(now: datetime, *, page: int, per_page: int, lat: float | None = None,
                    lng: float | None = None, **filters) -> dict:
    """``list_classes`` as Core rows in one statement (the page, its seat counts and the
    total as a window count); same rules, order and envelope, ``items`` rows with
    ``enrolled`` and ``waitlisted``. A page past the last match counts again.
    """
    if filters.get("date_from") is None:
        filters["date_from"] = local_today(now)
    stmt = filter_classes(LISTED, now, **filters)
    if lat is not None and lng is not None:
        stmt = stmt.order_by(_squared_offset(ParentingClass.lat, ParentingClass.lng, lat, lng))
    stmt = stmt.order_by(ParentingClass.starts_at, ParentingClass.id)
    rows: list[Row] = db.session.execute(
        stmt.limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        total = rows[0].total
    else:
        total = 0 if page == 1 else db.session.scalar(select(func.count()).select_from(
            filter_classes(select(ParentingClass.id), now, **filters).subquery()))
    return {"items": rows, "page": page, "per_page": per_page, "total": total}
