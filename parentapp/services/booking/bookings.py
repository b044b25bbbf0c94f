"""Booking slots: every place taken or none, whatever the number of slots in a fixed
number of SQL statements.

The transaction first takes the child's row lock (one booking for a child at a time,
whichever of its people books, so the "no overlapping booking" check and the caps cannot
race), checks what does not depend on places (nursery, window, age, overlaps), writes
the booking and its stored answer, and only then row-locks the slots in id order (no
deadlock between bookings of overlapping sets), checks them with the one availability
function and takes the places with a conditional UPDATE that the CHECK constraint
``booked <= capacity`` backs: slot locks are held for the last few statements only.
The partial unique index on (child, slot) backs "one active booking per child per slot".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from parentapp.domain import (
    ACTIVE_BOOKING_STATUSES,
    BookingStatus,
    ChildRight,
    SlotStatus,
    WaitlistStatus,
)
from parentapp.errors import AlreadyBooked, NotFound, SlotFull
from parentapp.extensions import db
from parentapp.models import (
    Booking,
    BookingSlot,
    Child,
    Nursery,
    Offering,
    Slot,
    User,
    WaitlistEntry,
)
from parentapp.services.booking import rules
from parentapp.services.booking.availability import availability
from parentapp.services.booking.places import lock_slots
from parentapp.services.booking.waitlist_offers import expire_due_offers
from parentapp.services.common import idempotency
from parentapp.services.common.caps import check_cap
from parentapp.services.common.pagination import paginate
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import access
from parentapp.services.family.booked_by import booked_by_map
from parentapp.timeutil import LOCAL_TZ


@rolls_back
def book_slots(parent_id: int, child_id: int, slot_ids: list[int], *, note: str | None,
               now: datetime, offer_minutes: int, future_slots_per_child: int,
               record: Callable[[Booking, list[Slot]], None] | None = None) -> Booking:
    """Book ``slot_ids`` for the parent's child; ``record(booking, slots)`` runs inside the
    transaction (the idempotency answer is stored with the booking).

    Raises NotFound (child, slots, hidden nursery), SlotsNotBookableTogether,
    BookingWindowClosed, AgeIneligible, AlreadyBooked, LimitReached
    (``future_slots_per_child``), SlotClosed, SlotFull.
    """
    expire_due_offers(now, Slot.id.in_(slot_ids), offer_minutes=offer_minutes)
    try:
        booking, slots, offering = _write_booking(parent_id, child_id, slot_ids, note, now,
                                                  future_slots_per_child)
        if record is not None:
            record(booking, slots)
        _take_places(booking, [s.id for s in slots], offering, now)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise _conflict_from(exc, slot_ids) from exc
    except Exception:
        db.session.rollback()
        raise
    return booking


def _conflict_from(exc: IntegrityError, slot_ids: list[int]):
    """A constraint caught what the locks should have: the same child booked twice at once
    (unique index) or, never expected, a count beyond capacity (CHECK)."""
    if "unique" in str(exc.orig).lower() or getattr(exc.orig, "sqlstate", None) == "23505":
        return AlreadyBooked(details={"slot_ids": sorted(slot_ids)})
    return SlotFull(details={"slot_ids": sorted(slot_ids)})


def lock_family(parent_id: int) -> None:
    """An account's row lock, for what is counted per account (children it is guardian
    of, class places). What is counted per child takes ``family.access.lock_child``."""
    db.session.execute(db.select(User.id).where(User.id == parent_id)
                       .with_for_update(key_share=True))


def _write_booking(parent_id: int, child_id: int, slot_ids: list[int], note: str | None,
                   now: datetime, future_slots_per_child: int
                   ) -> tuple[Booking, list[Slot], Offering]:
    """Every check that does not depend on places, then the booking rows (no slot lock)."""
    child = access.child_for(parent_id, child_id, ChildRight.ACT, lock=True)
    slots, offering = _requested_slots(slot_ids)
    rules.check_window(slots, offering, now)
    check_child_may_book(child, slots, offering, now, future_slots_per_child)
    rules.refuse_visibly_taken(slots, offering, now)  # before writing or locking anything
    return add_booking(parent_id, child, slots, offering, note, now), slots, offering


def check_child_may_book(child, slots: list[Slot], offering: Offering, now: datetime,
                         future_slots_per_child: int) -> None:
    """Age, no overlapping booking, the future-slots cap: under the child's lock (its
    bookings cannot change meanwhile). Raises AgeIneligible, AlreadyBooked, LimitReached."""
    rules.check_age(child, slots, offering)
    held, future = booked_slots_of(child.id, {s.date for s in slots}, now)
    slot_ids, booking_ids = rules.overlapping(slots, held)
    if slot_ids:
        raise AlreadyBooked(details={"slot_ids": slot_ids, "booking_ids": booking_ids})
    check_cap("future_slots_per_child", future_slots_per_child, future, len(slots),
              message="孩子已预约的未来时段已达上限，请先完成或取消部分预约。")


def add_booking(parent_id: int, child: Child, slots: list[Slot], offering: Offering,
                note: str | None, now: datetime) -> Booking:
    """The booking and its slots (no place taken yet; caller commits); ``child`` comes
    from ``access.child_for``."""
    booking = Booking(parent_id=parent_id, child_id=child.id, nursery_id=slots[0].nursery_id,
                      care_type=offering.care_type, status=BookingStatus.CONFIRMED, note=note,
                      price_fen=offering.price_fen * len(slots),
                      cancel_cutoff_hours=offering.cancel_cutoff_hours,
                      created_at=now, updated_at=now)
    db.session.add(booking)
    db.session.flush()
    # One executemany whatever the number of slots (an ORM flush of new objects would
    # need each row's id back, one INSERT per row on SQLite).
    db.session.execute(db.insert(BookingSlot), [
        {"booking_id": booking.id, "slot_id": s.id, "child_id": child.id,
         "status": BookingStatus.CONFIRMED, "price_fen": offering.price_fen, "changed_at": None}
        for s in slots])
    db.session.expire(booking, ["slots"])  # loaded in one SELECT; their slots are in the map
    # The booker is the request's user (in the session); the relation came with the link.
    booking.booked_by = {"user_id": parent_id, "nickname": db.session.get(User, parent_id)
                         .nickname, "relation": child.my_relation}
    return booking


def _requested_slots(slot_ids: list[int]) -> tuple[list[Slot], Offering]:
    """The slots in id order with their offering; hidden nurseries' slots don't exist."""
    rows = db.session.execute(
        db.select(Slot, Offering, Nursery)
        .join(Offering, (Offering.nursery_id == Slot.nursery_id)
              & (Offering.care_type == Slot.care_type))
        .join(Nursery, Nursery.id == Slot.nursery_id)
        .where(Slot.id.in_(slot_ids)).order_by(Slot.id)).all()
    found = {slot.id: slot for slot, _, nursery in rows if nursery.is_visible_to_parents}
    missing = sorted(set(slot_ids) - set(found))
    if missing:
        raise NotFound("没有找到所选的时段。", details={"slot_ids": missing})
    rules.check_together(list(found.values()))
    return list(found.values()), rows[0][1]


def booked_slots_of(child_id: int, dates: set[date], now: datetime) -> tuple[list, int]:
    """The child's active booked slots, at any nursery, on ``dates`` (date, start, end,
    slot id, booking id: what an overlap is checked against) and how many of all its
    booked slots have not started yet (the cap), in one statement."""
    local = now.astimezone(LOCAL_TZ)
    future = ((Slot.date > local.date())
              | ((Slot.date == local.date()) & (Slot.start_time > local.time())))
    rows = db.session.execute(
        db.select(Slot.date, Slot.start_time, Slot.end_time, Slot.id, BookingSlot.booking_id,
                  future.label("future"))
        .join(BookingSlot, BookingSlot.slot_id == Slot.id)
        .where(BookingSlot.child_id == child_id, BookingSlot.status.in_(ACTIVE_BOOKING_STATUSES),
               Slot.date.in_(dates) | future)).all()
    return [tuple(row)[:5] for row in rows if row.date in dates], sum(
        1 for row in rows if row.future)


def _take_places(booking: Booking, slot_ids: list[int], offering: Offering,
                 now: datetime) -> None:
    """Lock the slots (id order, fresh values), check them, take one place in each: a held
    place where the child has a live waitlist offer, else a free one."""
    slots = lock_slots(slot_ids)
    # A live offer holds its place (``held``): with none held there is no offer to look for.
    own = (_own_offers(booking.child_id, [s.id for s in slots if s.held], now)
           if any(s.held for s in slots) else {})
    answers = {s.id: availability(s, offering, now, own_holds=1 if s.id in own else 0)
               for s in slots}
    rules.check_availability(slots, answers)
    rules.check_places(slots, answers)
    table = Slot.__table__
    free = [s.id for s in slots if s.id not in own]
    if free:
        # The condition never fails under the locks; it and the CHECK constraint would
        # stop an oversale anyway.
        taken = db.session.execute(
            table.update().where(table.c.id.in_(free), table.c.status == SlotStatus.OPEN,
                                 table.c.booked + table.c.held + table.c.round_held + 1
                                 <= table.c.capacity)
            .values(booked=table.c.booked + 1)).rowcount
        if taken != len(free):
            raise SlotFull(details={"slot_ids": free})
    if own:
        db.session.execute(table.update().where(table.c.id.in_(list(own)), table.c.held >= 1)
                           .values(booked=table.c.booked + 1, held=table.c.held - 1))
        for entry in own.values():
            entry.status, entry.ended_at = WaitlistStatus.ACCEPTED, now
            entry.booking_id = booking.id


def _own_offers(child_id: int, slot_ids: list[int], now: datetime) -> dict[int, WaitlistEntry]:
    """Live offers made to this child on these slots: their held places are the child's."""
    entries = db.session.scalars(db.select(WaitlistEntry).where(
        WaitlistEntry.slot_id.in_(slot_ids), WaitlistEntry.child_id == child_id,
        WaitlistEntry.status == WaitlistStatus.OFFERED, WaitlistEntry.offer_expires_at > now))
    return {e.slot_id: e for e in entries}


def booking_query():
    return db.select(Booking).options(
        selectinload(Booking.slots).joinedload(BookingSlot.slot))


def with_booked_by(bookings: list[Booking]) -> list[Booking]:
    """Set each booking's ``booked_by`` (one query for them all)."""
    found = booked_by_map((b.child_id, b.parent_id) for b in bookings)
    for booking in bookings:
        booking.booked_by = found.get((booking.child_id, booking.parent_id))
    return bookings


def visible_to(user_id: int, right: ChildRight = ChildRight.VIEW):
    """Bookings a person may see (or act on, with ``right``): those of the children they
    hold the right for, and those they made for a child since deleted."""
    return (Booking.child_id.in_(access.children_of(user_id, right))
            | (Booking.child_id.is_(None) & (Booking.parent_id == user_id)))


def get_booking(user_id: int, booking_id: int, right: ChildRight = ChildRight.VIEW) -> Booking:
    """Raises NotFound (not a booking of the person's children), Forbidden (the role
    lacks ``right``)."""
    booking = db.session.scalar(booking_query().where(Booking.id == booking_id))
    if booking is None:
        raise NotFound("没有找到这个预约。")
    if booking.child_id is None:
        # The child was deleted: only its booker still sees the booking.
        if booking.parent_id != user_id:
            raise NotFound("没有找到这个预约。")
        return with_booked_by([booking])[0]
    try:
        access.child_for(user_id, booking.child_id, right)
    except NotFound:
        raise NotFound("没有找到这个预约。") from None
    return with_booked_by([booking])[0]


def list_bookings(user_id: int, *, status: str | None, day_from: date | None,
                  day_to: date | None, page: int, per_page: int,
                  child_id: int | None = None) -> dict:
    """The bookings of all the person's children (or of ``child_id`` only), newest first;
    from/to keep those with a slot in the range. Raises NotFound (``child_id`` is not one
    of the person's children)."""
    stmt = booking_query().where(visible_to(user_id))
    if child_id is not None:
        access.child_for(user_id, child_id, ChildRight.VIEW)
        stmt = stmt.where(Booking.child_id == child_id)
    if status:
        stmt = stmt.where(Booking.status == status)
    if day_from or day_to:
        dated = db.select(BookingSlot.booking_id).join(Slot, Slot.id == BookingSlot.slot_id)
        if day_from:
            dated = dated.where(Slot.date >= day_from)
        if day_to:
            dated = dated.where(Slot.date <= day_to)
        stmt = stmt.where(Booking.id.in_(dated))
    result = paginate(stmt.order_by(Booking.id.desc()), page, per_page)
    with_booked_by(result["items"])
    return result


def book_once(parent_id: int, *, key: str, print_: str, child_id: int, slot_ids: list[int],
              note: str | None, now: datetime, render: Callable[[Booking, list[Slot]], dict],
              offer_minutes: int, future_slots_per_child: int) -> idempotency.Answer:
    """``book_slots`` behind an Idempotency-Key claimed in the booking's transaction; the
    answer (``render(booking, slots)`` or the error) is replayed for repeats."""

    def work(store):
        answers: list[idempotency.Answer] = []

        def record(booking: Booking, slots: list[Slot]) -> None:
            answers.append(idempotency.Answer(201, render(booking, slots)))
            store(answers[0])

        book_slots(parent_id, child_id, slot_ids, note=note, now=now, record=record,
                   offer_minutes=offer_minutes, future_slots_per_child=future_slots_per_child)
        return answers[0]

    return idempotency.run_once(parent_id, key, print_=print_, now=now, work=work)
