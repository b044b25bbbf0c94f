"""Operators' rounds of monthly places: opening one, listing them, a round's applicants.

Opening a round holds its places out of every full-day slot of the month at once
(``holds.hold_places``), so they are never sold first-come, and publishes the seed of
its draw: anyone holding the seed and the applications can recompute the order.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from parentapp.domain import PRIORITY_RULES, ApplicationStatus, AuditAction, RoundStatus
from parentapp.errors import InvalidState, NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Application, ApplicationChoice, Child, PlaceRound
from parentapp.services.common import audit
from parentapp.services.common.transactions import rolls_back
from parentapp.services.nurseries.access import owned_nursery
from parentapp.services.places.holds import hold_places
from parentapp.timeutil import local_instant, local_today, month_range


@rolls_back
def open_round(operator_id: int, nursery_id: int, *, month: str, care_type: str, places: int,
               closes_at: datetime, priority_rules: list[str] | None,
               now: datetime) -> PlaceRound:
    """Raises NotFound, ValidationFailed, InvalidState (a round for that month exists, or
    no open full-day slot), SlotFull (fewer places left than asked). Commits."""
    nursery = owned_nursery(operator_id, nursery_id, lock=True)
    _check_dates(month, closes_at, now)
    if not nursery.is_visible_to_parents:
        raise InvalidState("机构备案通过并公开后才能发起入托申请。")
    if db.session.scalar(db.select(PlaceRound.id).where(
            PlaceRound.nursery_id == nursery.id, PlaceRound.month == month,
            PlaceRound.care_type == care_type)) is not None:
        raise InvalidState("这个月已经发起过入托申请。", details={"month": month})
    rules = list(PRIORITY_RULES) if priority_rules is None else priority_rules
    place_round = PlaceRound(nursery_id=nursery.id, month=month, care_type=care_type,
                             places=places, held=places, closes_at=closes_at,
                             priority_rules=rules, seed=secrets.token_hex(16),
                             status=RoundStatus.OPEN, created_by=operator_id, created_at=now)
    db.session.add(place_round)
    try:
        db.session.flush()
    except IntegrityError:  # the same round opened at the same moment
        db.session.rollback()
        raise InvalidState("这个月已经发起过入托申请。", details={"month": month}) from None
    hold_places(place_round, local_today(now))
    audit.record(operator_id, AuditAction.ROUND_OPEN, place_round, now=now, after={
        "month": month, "places": places, "closes_at": closes_at, "priority_rules": rules})
    db.session.commit()
    return place_round


def _check_dates(month: str, closes_at: datetime, now: datetime) -> None:
    first, last = month_range(month)
    if last < local_today(now):
        raise ValidationFailed.on("month", "这个月已经过去了。")
    if closes_at <= now:
        raise ValidationFailed.on("closes_at", "截止时间需要晚于现在。")
    if closes_at >= local_instant(first, datetime.min.time()):
        raise ValidationFailed.on("closes_at", "截止时间需要早于该月第一天。")


def owned_round(operator_id: int, nursery_id: int, round_id: int) -> PlaceRound:
    owned_nursery(operator_id, nursery_id)
    place_round = db.session.get(PlaceRound, round_id)
    if place_round is None or place_round.nursery_id != nursery_id:
        raise NotFound("没有找到这次入托申请。")
    return place_round


def round_with_applicants(operator_id: int, nursery_id: int, round_id: int) -> PlaceRound:
    """The operator's round with ``applicants`` set (``round_applicants``). Raises NotFound."""
    place_round = owned_round(operator_id, nursery_id, round_id)
    place_round.applicants = round_applicants(place_round)
    return place_round


def list_rounds(operator_id: int, nursery_id: int) -> list[PlaceRound]:
    """The nursery's rounds, latest month first. Raises NotFound."""
    owned_nursery(operator_id, nursery_id)
    return list(db.session.scalars(db.select(PlaceRound).where(
        PlaceRound.nursery_id == nursery_id).order_by(PlaceRound.month.desc())))


def round_applicants(place_round: PlaceRound) -> list[dict]:
    """Everyone who ranked the round: their rank of it, the priority and line position the
    allocation gave them, and the result (one query). In line order, then by id."""
    rows = db.session.execute(
        db.select(ApplicationChoice, Application, Child.name)
        .join(Application, Application.id == ApplicationChoice.application_id)
        .join(Child, Child.id == Application.child_id)
        .where(ApplicationChoice.round_id == place_round.id)
        .order_by(ApplicationChoice.position.is_(None), ApplicationChoice.position,
                  Application.id)).all()
    return [{"application_id": app.id, "child_name": name, "rank": choice.rank,
             "township": app.township, "township_first": choice.township_first,
             "sibling": choice.sibling, "draw": choice.draw, "position": choice.position,
             "result": _result(app, place_round)}
            for choice, app, name in rows]


def _result(app: Application, place_round: PlaceRound) -> str:
    """What the application's status means for this round: here, elsewhere, or none yet."""
    if app.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNPLACED):
        return app.status
    return app.status if app.round_id == place_round.id else "elsewhere"
