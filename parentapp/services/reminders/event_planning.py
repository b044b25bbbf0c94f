"""Reminders of bookings and classes, planned from what falls in the horizon.

- A booking: 18:00 the day before its first slot (still confirmed), or at once
  when it was booked after that moment; never sent once the slot has begun.
- A class seat: 24 hours before the start, or at once for a family enrolled
  (or promoted) later; never sent once the class has begun.

Both are set-based: one query finds what starts within the horizon, rows go in
with one bulk ``INSERT ... ON CONFLICT DO NOTHING``. The dedupe key names the
start, so a moved class or a cancelled first slot plans a new row, and the
sweep (``withdraw_stale``) withdraws pending rows whose subject no longer
holds: booking cancelled, first slot moved, seat given up, class cancelled
or moved. Services may also withdraw at once with ``withdraw_reminders``.
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
from parentapp.services.common.transactions import rolls_back
from parentapp.services.reminders.health_planning import insert_notifications
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
    """Rows for confirmed bookings whose first slot starts within the horizon. Caller commits."""
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
    rows = []
    bookings = db.session.execute(
        select(Booking.id, Booking.parent_id, Booking.child_id, Booking.care_type,
               Booking.created_at, Nursery.name, Child.name)
        .join(Nursery, Nursery.id == Booking.nursery_id).join(Child, Child.id == Booking.child_id)
        .where(Booking.id.in_(ids)))
    for booking_id, parent_id, child_id, care, created, nursery, child_name in bookings:
        day, start = first[booking_id]
        starts_at = local_instant(day, start)
        if starts_at <= now:
            continue
        planned = max(local_instant(day - timedelta(days=1), BOOKING_REMIND_AT), created)
        message = booking_reminder(booking_id, nursery_name=nursery, care_type=care,
                                   child_name=child_name, starts_at=starts_at)
        rows.append(_row(parent_id, NotificationKind.BOOKING_REMINDER, TemplateKind.BOOKING,
                         booking_key(booking_id, day),
                         ("booking", booking_id), child_id, message, planned, starts_at, now))
    return insert_notifications(rows)


def plan_class_reminders(now: datetime) -> int:
    """Rows for families holding a seat in a class starting within the horizon. Caller commits."""
    until = now + CLASS_LEAD + timedelta(days=HORIZON_DAYS)
    seats = db.session.execute(
        select(ClassEnrollment.id, ClassEnrollment.family_id, ClassEnrollment.created_at,
               ClassEnrollment.promoted_at, ParentingClass.id,
               ParentingClass.title, ParentingClass.venue, ParentingClass.starts_at)
        .join(ParentingClass, ParentingClass.id == ClassEnrollment.class_id)
        .where(ClassEnrollment.status == EnrollmentStatus.ENROLLED,
               ParentingClass.cancelled_at.is_(None),
               ParentingClass.starts_at > now, ParentingClass.starts_at <= until))
    rows = []
    for entry_id, family_id, created, promoted, class_id, title, venue, start in seats:
        planned = max(start - CLASS_LEAD, promoted or created)
        message = class_reminder(class_id, title, venue, start)
        # A seat is the family's (it outlives a deleted child): no child_id on the row.
        rows.append(_row(family_id, NotificationKind.CLASS_REMINDER, TemplateKind.CLASS,
                         class_key(entry_id, start),
                         ("class_enrollment", entry_id), None, message, planned, start, now))
    return insert_notifications(rows)


def withdraw_stale(now: datetime, due_only: bool = False) -> int:
    """Withdraw pending booking and class reminders whose subject no longer holds
    (``due_only``: only those due for sending at ``now``, checked before each dispatch).
    Caller commits."""
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
    expected = {**_booking_keys([r.subject_id for r in by_kind[NotificationKind.BOOKING_REMINDER]]),
                **_class_keys([r.subject_id for r in by_kind[NotificationKind.CLASS_REMINDER]])}
    stale = [row.id for rows in by_kind.values() for row in rows
             if row.dedupe_key not in expected]
    if stale:
        db.session.execute(update(Notification).where(
            Notification.id.in_(stale), Notification.delivery_state == DeliveryState.PENDING)
            .values(delivery_state=DeliveryState.WITHDRAWN))
    return len(stale)


def _booking_keys(booking_ids: list[int]) -> dict[str, int]:
    if not booking_ids:
        return {}
    live = set(db.session.scalars(select(Booking.id).where(
        Booking.id.in_(booking_ids), Booking.status == BookingStatus.CONFIRMED)))
    return {booking_key(booking_id, day): booking_id
            for booking_id, (day, _) in _first_slots(sorted(live)).items()}


def _class_keys(entry_ids: list[int]) -> dict[str, int]:
    if not entry_ids:
        return {}
    rows = db.session.execute(
        select(ClassEnrollment.id, ParentingClass.starts_at)
        .join(ParentingClass, ParentingClass.id == ClassEnrollment.class_id)
        .where(ClassEnrollment.id.in_(entry_ids),
               ClassEnrollment.status == EnrollmentStatus.ENROLLED,
               ParentingClass.cancelled_at.is_(None)))
    return {class_key(entry_id, start): entry_id for entry_id, start in rows}


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
