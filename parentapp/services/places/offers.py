"""Offers of a month's place: accept (the whole month booked, all or nothing), decline,
expiry, and passing a freed place on.

Accepting books every full-day slot of the month still to come at the nursery in one
booking, under the rules of ``POST /bookings`` but its window (age, no overlap, the
future-slots cap), out of the round's held places. A declined or expired offer's place
goes to the highest-placed unplaced family that ranked the nursery; when there is none
it goes back on sale. Lock order: the child, the round, applications, then slots.
"""

from __future__ import annotations

from datetime import datetime

from parentapp.domain import (
    ApplicationStatus,
    ChildRight,
    NotificationKind,
    SlotStatus,
)
from parentapp.errors import InvalidState, SlotFull
from parentapp.extensions import db
from parentapp.models import (
    Application,
    ApplicationChoice,
    Booking,
    Nursery,
    Offering,
    PlaceRound,
    Slot,
)
from parentapp.services.booking.availability import remaining_places
from parentapp.services.booking.bookings import add_booking, check_child_may_book, with_booked_by
from parentapp.services.common.transactions import rolls_back
from parentapp.services.places import notices
from parentapp.services.places.allocation import make_offer
from parentapp.services.places.applications import owned_application
from parentapp.services.places.holds import (
    end_if_empty,
    give_back,
    lock_month_slots,
    month_slot_ids,
)
from parentapp.timeutil import LOCAL_TZ


@rolls_back
def accept_offer(user_id: int, application_id: int, now: datetime, *,
                 future_slots_per_child: int) -> tuple[Booking, bool]:
    """(the booking, whether it is new: an offer accepted before answers its booking).
    Raises NotFound, Forbidden, InvalidState (not a live offer, or no slot left to book),
    AgeIneligible, AlreadyBooked, LimitReached, SlotFull. Commits."""
    application, child = owned_application(user_id, application_id, ChildRight.ACT, lock=True)
    if application.status == ApplicationStatus.ACCEPTED and application.booking_id:
        db.session.commit()
        return with_booked_by([db.session.get(Booking, application.booking_id)])[0], False
    _check_live(application, now)
    place_round = lock_round(application.round_id)
    nursery = db.session.get(Nursery, place_round.nursery_id)
    if not nursery.is_visible_to_parents:
        raise InvalidState("这家机构目前不接受预约，名额无法确认。")
    slots, offering = _month_slots(place_round, now)
    check_child_may_book(child, slots, offering, now, future_slots_per_child)
    booking = add_booking(user_id, child, slots, offering, None, now)
    _book_out_of_hold(place_round, slots, now)
    application.status, application.booking_id = ApplicationStatus.ACCEPTED, booking.id
    application.decided_at = application.updated_at = now
    notices.tell(application, child.name, NotificationKind.PLACE_ACCEPTED, now=now,
                 nursery_name=nursery.name, days=len({s.date for s in slots}))
    db.session.commit()
    return booking, True  # add_booking set its booked_by


@rolls_back
def decline_offer(user_id: int, application_id: int, now: datetime, *,
                  offer_minutes: int) -> Application:
    """The family gives the place up; it passes on. Raises NotFound, Forbidden,
    InvalidState. Commits."""
    application, _ = owned_application(user_id, application_id, ChildRight.ACT, lock=True)
    _check_live(application, now)
    place_round = lock_round(application.round_id)
    application.status = ApplicationStatus.DECLINED
    application.decided_at = application.updated_at = now
    pass_on(place_round, now, offer_minutes=offer_minutes)
    db.session.commit()
    return application


def _check_live(application: Application, now: datetime) -> None:
    if application.status != ApplicationStatus.OFFERED:
        raise InvalidState("这份申请目前没有待确认的名额。", details={"status": application.status})
    if application.offer_expires_at <= now:
        raise InvalidState("名额保留已过期。", details={"status": "expired"})


def lock_round(round_id: int) -> PlaceRound:
    return db.session.scalar(db.select(PlaceRound).where(PlaceRound.id == round_id)
                             .with_for_update().execution_options(populate_existing=True))


def _month_slots(place_round: PlaceRound, now: datetime) -> tuple[list[Slot], Offering]:
    """The month's open full-day slots at the nursery that have not started, by date."""
    local = now.astimezone(LOCAL_TZ)
    slots = [s for s in db.session.scalars(
        db.select(Slot).where(Slot.id.in_(month_slot_ids(place_round.nursery_id,
                                                          place_round.month)),
                              Slot.status == SlotStatus.OPEN).order_by(Slot.id))
             if (s.date, s.start_time) > (local.date(), local.time())]
    if not slots:
        raise InvalidState("这个月已经没有可以预约的全日托时段了。")
    offering = db.session.scalar(db.select(Offering).where(
        Offering.nursery_id == place_round.nursery_id,
        Offering.care_type == place_round.care_type))
    return slots, offering


def _book_out_of_hold(place_round: PlaceRound, slots: list[Slot], now: datetime) -> None:
    """One place of each slot: the round's held place, else (a slot the hold never
    reached) a free one; the month's other slots drop one held place. Caller commits."""
    booking = {s.id for s in slots}
    locked = lock_month_slots(place_round)
    full = [s.id for s in locked if s.id in booking and s.round_held < 1
            and remaining_places(s) < 1]
    if full:
        raise SlotFull(details={"slot_ids": full})
    for slot in locked:
        if slot.id in booking:
            slot.booked += 1
        slot.round_held = max(0, slot.round_held - 1)
    place_round.held -= 1
    end_if_empty(place_round, now)


def pass_on(place_round: PlaceRound, now: datetime, *, offer_minutes: int) -> Application | None:
    """The freed place of the (locked) round: offered to the first unplaced family in its
    line, else back on sale. Caller commits. Returns the new offer."""
    candidates = db.session.scalars(
        db.select(ApplicationChoice.application_id).join(
            Application, Application.id == ApplicationChoice.application_id)
        .where(ApplicationChoice.round_id == place_round.id,
               Application.status == ApplicationStatus.UNPLACED)
        .order_by(ApplicationChoice.position)).all()
    for application_id in candidates:
        # Locked one at a time and read again: another round may offer it meanwhile.
        application = db.session.scalar(
            db.select(Application).where(Application.id == application_id)
            .with_for_update().execution_options(populate_existing=True))
        if application.status == ApplicationStatus.UNPLACED:
            make_offer(application, place_round, now)
            notices.tell_each([application], NotificationKind.PLACE_OFFERED, now=now)
            return application
    give_back(place_round, 1, now, offer_minutes=offer_minutes)
    return None
