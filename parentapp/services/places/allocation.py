"""Allocating a month's places once all its rounds have closed (job ``allocate-places``).

For each round, families are put in line by its ``priority_rules`` (living in the
nursery's township first, then a brother or sister booked there), ties broken by the
published draw (SHA-256 of the round's seed and the application id); then
``matching.match`` runs family-proposing deferred acceptance over everyone's ranked
choices. Offers hold their place for 48 hours; places nobody ranked go back on sale.

The month's rounds are row-locked and their status read again under the lock, so a
second run, or a second scheduler, finds them ``allocated`` and changes nothing. The
inputs (township, sibling, draw) are written on each choice with the line position,
so the seed and the stored inputs reproduce the result.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_
from sqlalchemy.orm import aliased, selectinload

from parentapp.domain import (
    ACTIVE_BOOKING_STATUSES,
    ApplicationStatus,
    CarerRole,
    NotificationKind,
    RoundStatus,
)
from parentapp.extensions import db
from parentapp.models import (
    Application,
    ApplicationChoice,
    BookingSlot,
    ChildPerson,
    Nursery,
    PlaceRound,
    Slot,
    User,
)
from parentapp.services.common.transactions import rolls_back
from parentapp.services.places import matching, notices
from parentapp.services.places.holds import give_back
from parentapp.timeutil import add_months, month_range

OFFER_HOURS = 48


def months_ready(now: datetime) -> list[str]:
    """Months with a round closed but not allocated, and no round of the month still open."""
    closed = set(db.session.scalars(db.select(PlaceRound.month).where(
        PlaceRound.status == RoundStatus.OPEN, PlaceRound.closes_at <= now)))
    still_open = set(db.session.scalars(db.select(PlaceRound.month).where(
        PlaceRound.status == RoundStatus.OPEN, PlaceRound.closes_at > now)))
    return sorted(closed - still_open)


@rolls_back
def allocate_month(month: str, now: datetime, *, offer_minutes: int) -> dict:
    """Allocate the month's closed rounds (none: nothing happens). Commits. Returns counts."""
    rounds = list(db.session.scalars(
        db.select(PlaceRound).where(PlaceRound.month == month,
                                    PlaceRound.status == RoundStatus.OPEN)
        .order_by(PlaceRound.id).with_for_update().execution_options(populate_existing=True)))
    if not rounds or any(r.closes_at > now for r in rounds):
        db.session.commit()
        return {"month": month, "rounds": 0, "offered": 0, "unplaced": 0}
    by_id = {r.id: r for r in rounds}
    applications = _applications(by_id)
    nurseries = {n.id: n for n in db.session.scalars(db.select(Nursery).where(
        Nursery.id.in_({r.nursery_id for r in rounds})))}
    priority = _priorities(applications, by_id, nurseries, month)
    # A nursery no longer shown to parents (filing revoked) offers nothing.
    result = matching.match(
        [matching.Applicant(a.id, tuple(c.round_id for c in a.choices if c.round_id in by_id))
         for a in applications],
        {r.id: r.held if nurseries[r.nursery_id].is_visible_to_parents else 0 for r in rounds},
        priority)
    _write_positions(applications, priority)
    offered = _write_results(applications, result, by_id, now)
    for place_round in rounds:
        place_round.status, place_round.allocated_at = RoundStatus.ALLOCATED, now
        give_back(place_round, place_round.held - offered.get(place_round.id, 0), now,
                  offer_minutes=offer_minutes)
    db.session.commit()
    return {"month": month, "rounds": len(rounds), "offered": sum(offered.values()),
            "unplaced": len(applications) - sum(offered.values())}


def _applications(rounds: dict[int, PlaceRound]) -> list[Application]:
    """Submitted applications naming one of these rounds, by id, locked."""
    return list(db.session.scalars(
        db.select(Application).options(selectinload(Application.choices))
        .where(Application.status == ApplicationStatus.SUBMITTED,
               Application.id.in_(db.select(ApplicationChoice.application_id)
                                  .where(ApplicationChoice.round_id.in_(rounds))))
        .order_by(Application.id).with_for_update()))


def _priorities(applications: list[Application], rounds: dict[int, PlaceRound],
                nurseries: dict[int, Nursery], month: str) -> dict[tuple[int, int], tuple]:
    """Each (round, application) key: the round's rules in order (0 first), then the draw.
    Writes each application's township and each choice's inputs (caller commits)."""
    townships = family_townships([a.child_id for a in applications])
    siblings = _siblings([a.child_id for a in applications],
                         {r.nursery_id for r in rounds.values()}, month)
    keys = {}
    for application in applications:
        application.township = townships.get(application.child_id)
        for choice in application.choices:
            place_round = rounds.get(choice.round_id)
            if place_round is None:
                continue
            choice.township_first = (application.township is not None and application.township
                                     == nurseries[place_round.nursery_id].township)
            choice.sibling = (application.child_id, place_round.nursery_id) in siblings
            choice.draw = matching.draw_key(place_round.seed, application.id)
            facts = {"township": choice.township_first, "siblings": choice.sibling}
            keys[(place_round.id, application.id)] = (
                *(0 if facts[rule] else 1 for rule in place_round.priority_rules), choice.draw)
    return keys


def family_townships(child_ids: list[int]) -> dict[int, str | None]:
    """Where each child's family lives: its first guardian's township (one query)."""
    found: dict[int, str | None] = {}
    rows = db.session.execute(
        db.select(ChildPerson.child_id, User.township).join(User, User.id == ChildPerson.user_id)
        .where(ChildPerson.child_id.in_(child_ids), ChildPerson.role == CarerRole.GUARDIAN)
        .order_by(ChildPerson.child_id, ChildPerson.since, ChildPerson.user_id))
    for child_id, township in rows:
        found.setdefault(child_id, township)
    return found


def _siblings(child_ids: list[int], nursery_ids: set[int], month: str) -> set[tuple[int, int]]:
    """(child, nursery) where another child of one of the child's guardians holds an active
    booking at the nursery in the month before or the month itself (one query)."""
    first, last = month_range(month)
    mine, theirs = aliased(ChildPerson), aliased(ChildPerson)
    rows = db.session.execute(
        db.select(mine.child_id, Slot.nursery_id).distinct()
        .join(theirs, and_(theirs.user_id == mine.user_id, theirs.child_id != mine.child_id,
                           theirs.role == CarerRole.GUARDIAN))
        .join(BookingSlot, BookingSlot.child_id == theirs.child_id)
        .join(Slot, Slot.id == BookingSlot.slot_id)
        .where(mine.child_id.in_(child_ids), mine.role == CarerRole.GUARDIAN,
               Slot.nursery_id.in_(nursery_ids),
               Slot.date.between(add_months(first, -1), last),
               BookingSlot.status.in_(ACTIVE_BOOKING_STATUSES)))
    return {(child_id, nursery_id) for child_id, nursery_id in rows}


def _write_positions(applications: list[Application],
                     priority: dict[tuple[int, int], tuple]) -> None:
    """Each choice's place in its round's line (1 first). Caller commits."""
    lines: dict[int, list[tuple[tuple, ApplicationChoice]]] = {}
    for application in applications:
        for choice in application.choices:
            key = priority.get((choice.round_id, application.id))
            if key is not None:
                lines.setdefault(choice.round_id, []).append((key, choice))
    for line in lines.values():
        for position, (_, choice) in enumerate(sorted(line, key=lambda pair: pair[0]), start=1):
            choice.position = position


def _write_results(applications: list[Application], result: dict[int, int | None],
                   rounds: dict[int, PlaceRound], now: datetime) -> dict[int, int]:
    """Offer or unplaced, each family told. Caller commits. Returns offers by round."""
    offered: dict[int, int] = {}
    for application in applications:
        round_id = result.get(application.id)
        if round_id is None:
            application.status = ApplicationStatus.UNPLACED
        else:
            make_offer(application, rounds[round_id], now)
            offered[round_id] = offered.get(round_id, 0) + 1
        application.updated_at = now
    for status, kind in ((ApplicationStatus.UNPLACED, NotificationKind.APPLICATION_UNPLACED),
                         (ApplicationStatus.OFFERED, NotificationKind.PLACE_OFFERED)):
        notices.tell_each([a for a in applications if a.status == status], kind, now=now)
    return offered


def make_offer(application: Application, place_round: PlaceRound, now: datetime) -> None:
    """The application holds one of the round's places for 48 hours. Caller commits."""
    application.status = ApplicationStatus.OFFERED
    application.round_id, application.nursery_id = place_round.id, place_round.nursery_id
    application.offered_at = now
    application.offer_expires_at = now + timedelta(hours=OFFER_HOURS)
    application.updated_at = now
