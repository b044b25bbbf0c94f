"""Families' applications for a month's full-day place: apply, change, withdraw, list.

A guardian or carer applies for a child with 1 to 3 nurseries in order of preference,
each with an open round for that month; one application per child and month. It can
be changed or withdrawn until the first of its choices' rounds closes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from parentapp.domain import ApplicationStatus, ChildRight, NotificationKind, RoundStatus
from parentapp.errors import AgeIneligible, InvalidState, NotFound, ValidationFailed
from parentapp.extensions import db
from parentapp.models import Application, ApplicationChoice, Child, Offering, PlaceRound
from parentapp.services.booking.rules import fits_age
from parentapp.services.common.transactions import rolls_back
from parentapp.services.family import access
from parentapp.services.places import notices
from parentapp.services.places.allocation import family_townships
from parentapp.timeutil import month_range

_ONE_PER_MONTH = "这个孩子这个月已经提交过入托申请，可以修改原来的申请。"


@rolls_back
def apply(user_id: int, *, child_id: int, month: str, care_type: str, choices: list[int],
          now: datetime) -> Application:
    """Raises NotFound, Forbidden, ValidationFailed (choices), AgeIneligible, InvalidState
    (the child already applied for the month). Commits."""
    child = access.child_for(user_id, child_id, ChildRight.ACT, lock=True)
    rounds = _open_rounds(choices, month, care_type, now, child)
    if db.session.scalar(db.select(Application.id).where(
            Application.child_id == child.id, Application.month == month,
            Application.care_type == care_type)) is not None:
        raise InvalidState(_ONE_PER_MONTH, details={"month": month})
    application = Application(child_id=child.id, applied_by=user_id, month=month,
                              care_type=care_type, status=ApplicationStatus.SUBMITTED,
                              township=family_townships([child.id]).get(child.id),
                              created_at=now, updated_at=now)
    application.choices = _choice_rows(rounds)
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise InvalidState(_ONE_PER_MONTH, details={"month": month}) from None
    _tell_submitted(application, child, rounds, now)
    db.session.commit()
    return with_rounds([application])[0]


@rolls_back
def change(user_id: int, application_id: int, choices: list[int],
           now: datetime) -> Application:
    """New choices, while still editable. Raises NotFound, Forbidden, ValidationFailed,
    AgeIneligible, InvalidState (a round closed, or already allocated). Commits."""
    application, child = _editable(user_id, application_id, now)
    rounds = _open_rounds(choices, application.month, application.care_type, now, child)
    application.choices.clear()
    db.session.flush()
    application.choices.extend(_choice_rows(rounds))
    application.updated_at = now
    db.session.commit()
    return with_rounds([application])[0]


@rolls_back
def withdraw(user_id: int, application_id: int, now: datetime) -> None:
    """Delete the application while still editable. Commits."""
    application, _ = _editable(user_id, application_id, now)
    db.session.delete(application)
    db.session.commit()


def list_applications(user_id: int) -> list[Application]:
    """Applications of every child the person may see, latest month first."""
    return with_rounds(list(db.session.scalars(
        _query().where(Application.child_id.in_(access.children_of(user_id)))
        .order_by(Application.month.desc(), Application.id.desc()))))


def get_application(user_id: int, application_id: int) -> Application:
    """One application of a child the person may see. Raises NotFound."""
    application, _ = owned_application(user_id, application_id, ChildRight.VIEW)
    return with_rounds([application])[0]


def owned_application(user_id: int, application_id: int, right: ChildRight, *,
                      lock: bool = False) -> tuple[Application, Child]:
    """The application of one of the person's children. Raises NotFound, Forbidden."""
    child_id = db.session.scalar(db.select(Application.child_id).where(
        Application.id == application_id))
    if child_id is None:
        raise NotFound("没有找到这份入托申请。")
    try:
        child = access.child_for(user_id, child_id, right, lock=lock)
    except NotFound:
        raise NotFound("没有找到这份入托申请。") from None
    application = db.session.scalar(_query().where(Application.id == application_id)
                                    .execution_options(populate_existing=True))
    return application, child


def _query():
    return db.select(Application).options(selectinload(Application.choices))


def _editable(user_id: int, application_id: int, now: datetime) -> tuple[Application, Child]:
    application, child = owned_application(user_id, application_id, ChildRight.ACT, lock=True)
    until = with_rounds([application])[0].editable_until  # None once no longer submitted
    if until is None or now >= until:
        raise InvalidState("申请已截止，不能再修改或撤回。",
                           details={"status": application.status})
    return application, child


def _open_rounds(choices: list[int], month: str, care_type: str, now: datetime,
                 child: Child) -> list[PlaceRound]:
    """The open round of each chosen nursery, in the family's order; the child must fit
    the nursery's ages all month. Raises ValidationFailed, AgeIneligible."""
    rows = db.session.execute(
        db.select(PlaceRound, Offering)
        .join(Offering, (Offering.nursery_id == PlaceRound.nursery_id)
              & (Offering.care_type == PlaceRound.care_type))
        .where(PlaceRound.nursery_id.in_(choices), PlaceRound.month == month,
               PlaceRound.care_type == care_type, PlaceRound.status == RoundStatus.OPEN,
               PlaceRound.closes_at > now)).all()
    found = {r.nursery_id: (r, o) for r, o in rows}
    missing = [n for n in choices if n not in found]
    if missing:
        raise ValidationFailed.on("choices", f"所选机构 {missing} 这个月没有开放的入托申请。")
    first, last = month_range(month)
    too_young_or_old = [n for n in choices if not all(
        fits_age(found[n][1], child.birth_date, day) for day in (first, last))]
    if too_young_or_old:
        raise AgeIneligible("孩子在该月的月龄不在所选机构全日托的接收范围内。",
                            details={"nursery_ids": too_young_or_old})
    return [found[n][0] for n in choices]


def _choice_rows(rounds: list[PlaceRound]) -> list[ApplicationChoice]:
    return [ApplicationChoice(rank=rank, round_id=r.id, nursery_id=r.nursery_id)
            for rank, r in enumerate(rounds, start=1)]


def with_rounds(applications: list[Application]) -> list[Application]:
    """Set ``editable_until`` on each: the first close of its choices' rounds while it is
    submitted, else None (one query for them all)."""
    round_ids = {c.round_id for a in applications for c in a.choices}
    closes = dict(db.session.execute(db.select(PlaceRound.id, PlaceRound.closes_at).where(
        PlaceRound.id.in_(round_ids))).all()) if round_ids else {}
    for application in applications:
        times = [closes[c.round_id] for c in application.choices if c.round_id in closes]
        application.editable_until = (min(times) if times and application.status
                                      == ApplicationStatus.SUBMITTED else None)
    return applications


def _tell_submitted(application: Application, child: Child, rounds: list[PlaceRound],
                    now: datetime) -> None:
    notices.tell(application, child.name, NotificationKind.APPLICATION_SUBMITTED, now=now,
                 closes_at=min(r.closes_at for r in rounds))

