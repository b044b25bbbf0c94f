"""Invitations to become one of a child's people, by a short single-use code.

A code is 8 symbols of ``ALPHABET`` (no 0/O, 1/I/L to misread), drawn with ``secrets``:
31**8 (about 8.5e11) codes, of which a family holds a handful open for 48 hours, and
``POST /invites/accept`` is rate-limited per user (``invite_attempts``), so codes cannot be
enumerated. A code names one invitation for ever (unique over all invites); accepting,
withdrawing or the 48 hours passing closes it.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from parentapp.domain import CarerRole, ChildRight
from parentapp.errors import AlreadyACarer, InviteNotFound, NotFound
from parentapp.extensions import db
from parentapp.models import Child, ChildInvite, ChildPerson
from parentapp.services.classes.queries import storable_id
from parentapp.services.common.transactions import commit_keeping_loaded, rolls_back
from parentapp.services.family import access, people
from parentapp.services.reminders import health_planning

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
LIFETIME = timedelta(hours=48)
_DRAWS = 5  # a repeat among 8.5e11 codes is already unlikely; five in a row never happen


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """The code as typed or pasted: full-width forms folded (NFKC), every kind of space
    removed (U+3000 too), upper case."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


@rolls_back
def create_invite(user_id: int, child_id: int, *, role: str, relation: str,
                  now: datetime) -> ChildInvite:
    """Guardians only. Raises NotFound, Forbidden."""
    for _ in range(_DRAWS):
        access.child_for(user_id, child_id, ChildRight.MANAGE)
        code = new_code()
        if db.session.scalar(select(ChildInvite.id).where(ChildInvite.code == code)):
            continue
        invite = ChildInvite(child_id=child_id, code=code, role=role, relation=relation,
                             created_by=user_id, created_at=now, expires_at=now + LIFETIME)
        db.session.add(invite)
        try:
            commit_keeping_loaded()
        except IntegrityError:  # the same code drawn at the same moment (or the child went)
            db.session.rollback()
            continue
        return invite
    raise RuntimeError("no free invite code after several draws")


def open_invites(user_id: int, child_id: int, now: datetime) -> list[ChildInvite]:
    """The child's invites that can still be accepted, oldest first. Guardians only."""
    access.child_for(user_id, child_id, ChildRight.MANAGE)
    return list(db.session.scalars(select(ChildInvite).where(
        ChildInvite.child_id == child_id, ChildInvite.accepted_at.is_(None),
        ChildInvite.withdrawn_at.is_(None), ChildInvite.expires_at > now)
        .order_by(ChildInvite.id)))


@rolls_back
def withdraw_invite(user_id: int, child_id: int, invite_id: int, now: datetime) -> None:
    """Guardians only; an invite that is not open any more is not found. Raises NotFound,
    Forbidden."""
    access.child_for(user_id, child_id, ChildRight.MANAGE, lock=True)
    invite = db.session.get(ChildInvite, invite_id) if storable_id(invite_id) else None
    if invite is None or invite.child_id != child_id or not invite.is_open_at(now):
        raise NotFound("没有找到这个邀请。")
    invite.withdrawn_at = now
    db.session.commit()


@rolls_back
def accept_invite(user_id: int, code: str, *, now: datetime, reminders: bool | None = None,
                  people_per_child: int, guardians_per_child: int,
                  children_per_guardian: int) -> Child:
    """The caller becomes one of the child's people with the invite's role and relation;
    ``reminders`` defaults to on for guardians and carers, off for viewers. The others are
    told. Raises InviteNotFound (unknown, used, withdrawn, expired), AlreadyACarer,
    LimitReached (``people_per_child``, ``guardians_per_child``, ``children_per_guardian``:
    counted under the child's lock, so two accepts at once cannot both take the last
    place)."""
    invite = _open_invite(normalise_code(code), now)
    access.lock_child(invite.child_id)
    invite = _open_invite(invite.code, now, again=True)  # a second accept waited for the first
    if access.role_of(user_id, invite.child_id) is not None:
        raise AlreadyACarer()
    people.check_room(invite.child_id, user_id, invite.role, people_per_child=people_per_child,
                      guardians_per_child=guardians_per_child,
                      children_per_guardian=children_per_guardian)
    person = ChildPerson(child_id=invite.child_id, user_id=user_id, role=invite.role,
                         relation=invite.relation, since=now,
                         reminders=invite.role != CarerRole.VIEWER if reminders is None
                         else reminders)
    db.session.add(person)
    invite.accepted_by, invite.accepted_at = user_id, now
    child = db.session.get(Child, invite.child_id)
    # Their share of the child's pending health reminders comes with the next planning run.
    health_planning.mark_child_changed(child.id)
    db.session.flush()
    people.tell_joined(child, person, now)
    db.session.commit()
    return access.child_for(user_id, child.id, ChildRight.VIEW)


def _open_invite(code: str, now: datetime, *, again: bool = False) -> ChildInvite:
    if len(code) != CODE_LENGTH:
        raise InviteNotFound()
    stmt = select(ChildInvite).where(ChildInvite.code == code)
    if again:
        stmt = stmt.execution_options(populate_existing=True)
    invite = db.session.scalar(stmt)
    if invite is None or not invite.is_open_at(now):
        raise InviteNotFound()
    return invite
