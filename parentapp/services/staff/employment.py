"""A nursery's staff as its operator keeps them: hire, list, change, leave.

A phone number is active at one nursery only (``StaffAlreadyEmployed``, 409
``staff_already_employed``): checked first for a clear answer, and enforced by the
partial unique index ``ux_staff_phone_active``, so two nurseries hiring the same
person at once cannot both succeed. A person who leaves keeps their row as history
(``left_at``), their open duty ends then, and the phone is free to be hired again.

Hiring, each change and leaving write an audit entry with the operator as actor in
the same transaction; the entry holds the phone masked (138****0000), never in full.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from parentapp.domain import AuditAction
from parentapp.errors import NotFound, StaffAlreadyEmployed, StaffLeft
from parentapp.extensions import db
from parentapp.models import Nursery, StaffCertificate, StaffMember
from parentapp.services.accounts.users import mask_phone
from parentapp.services.common import audit
from parentapp.services.common.transactions import commit_keeping_loaded, rolls_back
from parentapp.services.nurseries.access import owned_nursery

CHANGEABLE = ("name", "phone", "role", "health_certificate_expires_on")


def owned_staff(operator_id: int, staff_id: int, *, lock: bool = False) -> StaffMember:
    """The staff member of one of the operator's nurseries; ``lock`` takes their row lock.
    Anyone else's (or no one's) is NotFound."""
    stmt = (db.select(StaffMember).join(Nursery, Nursery.id == StaffMember.nursery_id)
            .where(StaffMember.id == staff_id, Nursery.operator_id == operator_id))
    if lock:
        stmt = stmt.with_for_update(of=StaffMember).execution_options(populate_existing=True)
    staff = db.session.scalar(stmt)
    if staff is None:
        raise NotFound("没有找到这位员工。")
    return staff


def list_staff(operator_id: int, nursery_id: int) -> list[StaffMember]:
    """Everyone who works or worked at the nursery: those still working first, in order
    of hiring; three queries whatever the number of people."""
    owned_nursery(operator_id, nursery_id)
    return list(db.session.scalars(
        db.select(StaffMember).where(StaffMember.nursery_id == nursery_id)
        .order_by(StaffMember.left_at.is_not(None), StaffMember.id)
        .options(selectinload(StaffMember.certificates))))


@rolls_back
def hire_staff(operator_id: int, nursery_id: int, *, name: str, phone: str, role: str,
               certificates: list[dict], health_certificate_expires_on, now: datetime
               ) -> StaffMember:
    """Add a person to the nursery's staff.

    Raises NotFound (not the operator's nursery), StaffAlreadyEmployed (the phone is
    active at a nursery, this one or another)."""
    owned_nursery(operator_id, nursery_id)
    _refuse_employed(phone)
    staff = StaffMember(nursery_id=nursery_id, name=name, phone=phone, role=role,
                        health_certificate_expires_on=health_certificate_expires_on,
                        certificates=[StaffCertificate(**c) for c in certificates],
                        created_at=now, updated_at=now)
    db.session.add(staff)
    _flush_or_employed()
    set_committed_value(staff, "open_duty", None)
    audit.record(operator_id, AuditAction.STAFF_HIRE, staff, now=now, after=_facts(staff))
    commit_keeping_loaded()
    return staff


@rolls_back
def change_staff(operator_id: int, staff_id: int, changes: dict, now: datetime) -> StaffMember:
    """Change what is given of name, phone, role, health certificate date and
    certificates (a given list replaces the whole list).

    Raises NotFound, StaffLeft (a person who left is history), StaffAlreadyEmployed
    (a new phone active at a nursery)."""
    staff = owned_staff(operator_id, staff_id, lock=True)
    if not staff.active:
        raise StaffLeft()
    if changes.get("phone", staff.phone) != staff.phone:
        _refuse_employed(changes["phone"])
    before = _facts(staff)
    for field in CHANGEABLE:
        if field in changes:
            setattr(staff, field, changes[field])
    if "certificates" in changes:
        staff.certificates = [StaffCertificate(**c) for c in changes["certificates"]]
    staff.updated_at = now
    _flush_or_employed()
    audit.record(operator_id, AuditAction.STAFF_UPDATE, staff, now=now, before=before,
                 after=_facts(staff))
    commit_keeping_loaded()
    return staff


@rolls_back
def staff_leaves(operator_id: int, staff_id: int, now: datetime) -> StaffMember:
    """The person leaves the nursery: kept as history, no longer active, off duty now.

    Raises NotFound, StaffLeft (already left)."""
    staff = owned_staff(operator_id, staff_id, lock=True)
    if not staff.active:
        raise StaffLeft("该员工已经离职。")
    if staff.open_duty is not None:
        staff.open_duty.checked_out_at = now
    staff.left_at = staff.updated_at = now
    staff.certificates  # noqa: B018 - loaded for the answer before the commit
    db.session.flush()
    set_committed_value(staff, "open_duty", None)
    audit.record(operator_id, AuditAction.STAFF_LEAVE, staff, now=now,
                 before={"left_at": None}, after={"left_at": now})
    commit_keeping_loaded()
    return staff


def _facts(staff: StaffMember) -> dict:
    """What the audit log keeps of a person: the phone masked, certificates in full."""
    return {"name": staff.name, "phone": mask_phone(staff.phone), "role": staff.role,
            "health_certificate_expires_on": staff.health_certificate_expires_on,
            "certificates": [{"kind": c.kind, "number": c.number, "expires_on": c.expires_on}
                             for c in staff.certificates]}


def _refuse_employed(phone: str) -> None:
    if db.session.scalar(db.select(StaffMember.id).where(
            StaffMember.phone == phone, StaffMember.left_at.is_(None))) is not None:
        raise StaffAlreadyEmployed()


def _flush_or_employed() -> None:
    """Flush; the active-phone index refusing it (a concurrent hire) is StaffAlreadyEmployed.
    Caller commits."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if "ux_staff_phone_active" in str(exc.orig) or "staff.phone" in str(exc.orig):
            raise StaffAlreadyEmployed() from exc
        raise
