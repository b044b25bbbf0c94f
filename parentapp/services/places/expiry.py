"""The clock of offers (job ``expire-place-offers``): a reminder 12 hours before an offer
runs out, expiry and passing the place on, and the end of a month's rounds.

Rows are locked and read again before each change, so two schedulers never expire an
offer or remind a family twice (the notices' dedupe keys back it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from parentapp.domain import ApplicationStatus, NotificationKind, RoundStatus
from parentapp.extensions import db
from parentapp.models import Application, PlaceRound
from parentapp.services.common.transactions import rolls_back
from parentapp.services.places import notices
from parentapp.services.places.holds import give_back
from parentapp.services.places.offers import lock_round, pass_on
from parentapp.timeutil import local_today, month_of

REMIND_HOURS_BEFORE = 12


@rolls_back
def run_offer_clock(now: datetime, *, offer_minutes: int) -> dict:
    """Remind, expire and pass on, end past months' rounds. Commits. Returns counts."""
    reminded = _remind(now)
    expired = 0
    for round_id in sorted(set(db.session.scalars(db.select(Application.round_id).where(
            Application.status == ApplicationStatus.OFFERED,
            Application.offer_expires_at <= now)))):
        expired += _expire_round(lock_round(round_id), now, offer_minutes=offer_minutes)
    ended = _end_past_rounds(now, offer_minutes=offer_minutes)
    db.session.commit()
    return {"reminded": reminded, "expired": expired, "rounds_ended": ended}


def _remind(now: datetime) -> int:
    due = list(db.session.scalars(db.select(Application).where(
        Application.status == ApplicationStatus.OFFERED, Application.reminded_at.is_(None),
        Application.offer_expires_at > now,
        Application.offer_expires_at <= now + timedelta(hours=REMIND_HOURS_BEFORE))
        .order_by(Application.id).with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)))
    notices.tell_each(due, NotificationKind.PLACE_OFFER_EXPIRING, now=now)
    for application in due:
        application.reminded_at = now
    return len(due)


def _expire_round(place_round: PlaceRound, now: datetime, *, offer_minutes: int) -> int:
    due = list(db.session.scalars(db.select(Application).where(
        Application.round_id == place_round.id, Application.status == ApplicationStatus.OFFERED,
        Application.offer_expires_at <= now).order_by(Application.id)
        .with_for_update().execution_options(populate_existing=True)))
    for application in due:
        application.status = ApplicationStatus.EXPIRED
        application.decided_at = application.updated_at = now
    notices.tell_each(due, NotificationKind.PLACE_OFFER_EXPIRED, now=now)
    for _ in due:
        pass_on(place_round, now, offer_minutes=offer_minutes)
    return len(due)


def _end_past_rounds(now: datetime, *, offer_minutes: int) -> int:
    """Rounds of a month already over: what they still hold goes back; open offers end."""
    this_month = month_of(local_today(now))
    rounds = list(db.session.scalars(db.select(PlaceRound).where(
        PlaceRound.status == RoundStatus.ALLOCATED, PlaceRound.month < this_month)
        .order_by(PlaceRound.id).with_for_update().execution_options(populate_existing=True)))
    for place_round in rounds:
        db.session.execute(db.update(Application).where(
            Application.round_id == place_round.id,
            Application.status == ApplicationStatus.OFFERED)
            .values(status=ApplicationStatus.EXPIRED, decided_at=now, updated_at=now))
        place_round.status, place_round.ended_at = RoundStatus.ENDED, now
        give_back(place_round, place_round.held, now, offer_minutes=offer_minutes)
    return len(rounds)
