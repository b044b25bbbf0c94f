"""Reminders of bookings and classes, planned from what falls in the horizon.

- A booking: 18:00 the day before its first slot (still confirmed), or at once
  when it was booked after that moment; never sent once the slot has begun.
- A class seat: 24 hours before the start, or at once for a seat enrolled
  (or promoted) later; never sent once the class has begun.

Each reaches every person of the child with ``reminders`` on, once each (a seat
without a child: the account that enrolled); keys name the recipient
(``fanout.keyed_for``).

Both are set-based: one query finds what starts within the horizon, rows go in
with one bulk ``INSERT ... ON CONFLICT`` (a row planned before stays as it is; one
withdrawn that planning wants again, say for a person who turned reminders back
on, is pending again: never a second row). The dedupe key names the
start, so a moved class or a cancelled first slot plans a new row, and the
sweep (``withdraw_stale``) withdraws pending rows whose subject no longer
holds (booking cancelled, first slot moved, seat given up, class cancelled
or moved) or whose recipient no longer hears about the child. Services may
also withdraw at once with ``withdraw_reminders``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from parentapp.domain import (
    BookingStatus,
    DeliveryState,
    EnrollmentStatus,
    NotificationKind,
    TemplateKind,
)
from parentapp.extensions import db
from parentapp.models import (
    Booking,
    BookingSlot,
    Child,
    ClassEnrollment,
    Notification,
    Nursery,
    ParentingClass,
    Slot,
)
from parentapp.services.common.dialect_insert import insert_for
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import fanout
from parentapp.services.reminders.health_timing import HORIZON_DAYS
from parentapp.services.reminders.messages import Message, booking_reminder, class_reminder
from parentapp.services.reminders.quiet_hours import next_send_moment
from parentapp.timeutil import LOCAL_TZ, local_instant, local_today

BOOKING_REMIND_AT = time(18, 0)
CLASS_LEAD = timedelta(hours=24)
EVENT_KINDS = (NotificationKind.BOOKING_REMINDER, NotificationKind.CLASS_REMINDER)


def booking_key(booking_id: int, first_day: date) -> str:
    return f"booking:{booking_id}:{first_day.isoformat()}"


def class_key(enrollment_id: int, starts_at: datetime) -> str:
    return f"class:{enrollment_id}:{starts_at.astimezone(LOCAL_TZ):%Y%m%dT%H%M}"


def _row(user_id: int, kind: str, template: str, key: str, subject: tuple[str, int],
         child_id: int | None, message: Message, planned_at: datetime, starts_at: datetime,
         now: datetime) -> dict:
    return {
        "user_id": user_id, "kind": kind, "template_kind": template, "dedupe_key": key,
        "subject_type": subject[0], "subject_id": subject[1], "child_id": child_id,
        "title": message.title, "body": message.body, "link": message.link,
        "wechat_data": message.wechat_data, "planned_at": planned_at,
        "send_after": next_send_moment(planned_at), "send_before": starts_at,
        "delivery_state": DeliveryState.PENDING, "attempts": 0, "created_at": now,
    }


def _first_slots(booking_ids: list[int]) -> dict[int, tuple[date, time]]:
    """Each booking's first slot still confirmed (date, start)."""
    first: dict[int, tuple[date, time]] = {}
    rows = db.session.execute(
        select(BookingSlot.booking_id, Slot.date, Slot.start_time)
        .join(Slot, Slot.id == BookingSlot.slot_id)
        .where(BookingSlot.booking_id.in_(booking_ids),
               BookingSlot.status == BookingStatus.CONFIRMED))
    for booking_id, day, start in rows:
        if booking_id not in first or (day, start) < first[booking_id]:
            first[booking_id] = (day, start)
    return first


@rolls_back
def plan_event_reminders(now: datetime) -> dict[str, int]:
    """One planning run of booking and class reminders, and the stale ones withdrawn."""
    counts = {"bookings": plan_booking_reminders(now), "classes": plan_class_reminders(now),
              "withdrawn": withdraw_stale(now)}
    db.session.commit()
    return counts


def plan_booking_reminders(now: datetime) -> int:
    """Rows for confirmed bookings whose first slot starts within the horizon, one for each
    person of the booking's child with reminders on. Caller commits."""
    today = local_today(now)
    last = today + timedelta(days=HORIZON_DAYS + 1)
    ids = list(db.session.scalars(
        select(BookingSlot.booking_id).join(Slot, Slot.id == BookingSlot.slot_id)
        .join(Booking, Booking.id == BookingSlot.booking_id)
        .where(BookingSlot.status == BookingStatus.CONFIRMED,
               Booking.status == BookingStatus.CONFIRMED,
               Slot.date >= today, Slot.date <= last).distinct()))
    if not ids:
        return 0
    first = _first_slots(ids)
    bookings = list(db.session.execute(
        select(Booking.id, Booking.child_id, Booking.care_type, Booking.created_at,
               Nursery.name, Child.name)
        .join(Nursery, Nursery.id == Booking.nursery_id).join(Child, Child.id == Booking.child_id)
        .where(Booking.id.in_(ids))))
    people = fanout.recipients(child_id for _, child_id, *_ in bookings)
    rows = []
    for booking_id, child_id, care, created, nursery, child_name in bookings:
        day, start = first[booking_id]
        starts_at = local_instant(day, start)
        if starts_at <= now:
            continue
        planned = max(local_instant(day - timedelta(days=1), BOOKING_REMIND_AT), created)
        message = booking_reminder(booking_id, nursery_name=nursery, care_type=care,
                                   child_name=child_name, starts_at=starts_at)
        key = booking_key(booking_id, day)
        rows.extend(_row(user_id, NotificationKind.BOOKING_REMINDER, TemplateKind.BOOKING,
                         fanout.keyed_for(key, user_id), ("booking", booking_id), child_id,
                         message, planned, starts_at, now)
                    for user_id in people[child_id])
    return _insert_or_revive(rows)


def plan_class_reminders(now: datetime) -> int:
    """Rows for seats in a class starting within the horizon: one for each person of the
    seat's child with reminders on, or for the account alone when the seat names no child.
    Caller commits."""
    until = now + CLASS_LEAD + timedelta(days=HORIZON_DAYS)
    seats = list(db.session.execute(
        select(ClassEnrollment.id, ClassEnrollment.child_id, ClassEnrollment.family_id,
               ClassEnrollment.created_at, ClassEnrollment.promoted_at, ParentingClass.id,
               ParentingClass.title, ParentingClass.venue, ParentingClass.starts_at)
        .join(ParentingClass, ParentingClass.id == ClassEnrollment.class_id)
        .where(ClassEnrollment.status == EnrollmentStatus.ENROLLED,
               ParentingClass.cancelled_at.is_(None),
               ParentingClass.starts_at > now, ParentingClass.starts_at <= until)))
    people = fanout.recipients(seat.child_id for seat in seats)
    rows = []
    for entry_id, child_id, family_id, created, promoted, class_id, title, venue, start in seats:
        planned = max(start - CLASS_LEAD, promoted or created)
        message = class_reminder(class_id, title, venue, start)
        key = class_key(entry_id, start)
        rows.extend(_row(user_id, NotificationKind.CLASS_REMINDER, TemplateKind.CLASS,
                         fanout.keyed_for(key, user_id), ("class_enrollment", entry_id),
                         child_id, message, planned, start, now)
                    for user_id in fanout.audience(child_id, family_id, people))
    return _insert_or_revive(rows)


def _insert_or_revive(rows: list[dict]) -> int:
    """Bulk insert; a row whose key exists is left alone, but for one withdrawn (never
    sent) that planning wants again: its subject and recipient hold once more (a person
    turned ``reminders`` back on, or came back), so it is pending again. One row per key
    whatever happens, so still at most one send. Returns rows created or revived."""
    if not rows:
        return 0
    table = Notification.__table__
    stmt = insert_for(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_={"delivery_state": DeliveryState.PENDING, "send_after": stmt.excluded.send_after},
        where=table.c.delivery_state == DeliveryState.WITHDRAWN).returning(table.c.id)
    return len(db.session.execute(stmt, rows).all())


def withdraw_stale(now: datetime, due_only: bool = False) -> int:
    """Withdraw pending booking and class reminders whose subject no longer holds, or whose
    recipient no longer hears about it (no longer a person of the child, or ``reminders``
    off); ``due_only``: only those due for sending at ``now``, checked before each
    dispatch. A fixed number of statements whatever the number of rows. Caller commits."""
    stmt = (select(Notification.id, Notification.kind, Notification.subject_id,
                   Notification.dedupe_key)
            .where(Notification.kind.in_(EVENT_KINDS),
                   Notification.delivery_state == DeliveryState.PENDING))
    if due_only:
        stmt = stmt.where(Notification.send_after <= now)
    pending = db.session.execute(stmt)
    by_kind: dict[str, list] = defaultdict(list)
    for row in pending:
        by_kind[row.kind].append(row)
    subjects = {
        **_booking_keys([r.subject_id for r in by_kind[NotificationKind.BOOKING_REMINDER]]),
        **_class_keys([r.subject_id for r in by_kind[NotificationKind.CLASS_REMINDER]])}
    expected = _keyed(subjects)
    stale = [row.id for rows in by_kind.values() for row in rows
             if row.dedupe_key not in expected]
    if stale:
        db.session.execute(update(Notification).where(
            Notification.id.in_(stale), Notification.delivery_state == DeliveryState.PENDING)
            .values(delivery_state=DeliveryState.WITHDRAWN))
    return len(stale)


def _keyed(subjects: dict[str, tuple[int | None, int | None]]) -> set[str]:
    """The per-person keys of subjects that still hold (base key -> (child, account))."""
    people = fanout.recipients(child_id for child_id, _ in subjects.values())
    return {fanout.keyed_for(key, user_id) for key, (child_id, account_id) in subjects.items()
            for user_id in fanout.audience(child_id, account_id, people)}


def _booking_keys(booking_ids: list[int]) -> dict[str, tuple[int | None, None]]:
    """Base key -> (child, no account) of the bookings still confirmed, at their first
    slot still confirmed."""
    if not booking_ids:
        return {}
    live = dict(db.session.execute(select(Booking.id, Booking.child_id).where(
        Booking.id.in_(booking_ids), Booking.status == BookingStatus.CONFIRMED)).all())
    return {booking_key(booking_id, day): (live[booking_id], None)
            for booking_id, (day, _) in _first_slots(sorted(live)).items()}


def _class_keys(entry_ids: list[int]) -> dict[str, tuple[int | None, int]]:
    """Base key -> (child, enrolling account) of the seats still held in classes not
    cancelled, at the class's start."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        select(ClassEnrollment.id, ParentingClass.starts_at, ClassEnrollment.child_id,
               ClassEnrollment.family_id)
        .join(ParentingClass, ParentingClass.id == ClassEnrollment.class_id)
        .where(ClassEnrollment.id.in_(entry_ids),
               ClassEnrollment.status == EnrollmentStatus.ENROLLED,
               ParentingClass.cancelled_at.is_(None)))
    return {class_key(entry_id, start): (child_id, family_id)
            for entry_id, start, child_id, family_id in rows}


def withdraw_reminders(subject_type: str, subject_ids: list[int]) -> int:
    """Withdraw the pending reminders of these bookings (``booking``) or class seats
    (``class_enrollment``) at once. Caller commits."""
    if not subject_ids:
        return 0
    return db.session.execute(update(Notification).where(
        Notification.kind.in_(EVENT_KINDS), Notification.subject_type == subject_type,
        Notification.subject_id.in_(subject_ids),
        Notification.delivery_state == DeliveryState.PENDING)
        .values(delivery_state=DeliveryState.WITHDRAWN)).rowcount
