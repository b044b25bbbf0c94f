"""The audit log: its one writer (an entry per operator or regulator change) and its reader.

An entry is written in the transaction of the change it records (the caller commits),
so a change and its entry commit or roll back together. It keeps only the fields that
changed, as JSON, and never a field that could hold a secret.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload

from parentapp.extensions import db
from parentapp.models import AuditEntry, Nursery, User
from parentapp.services.common.pagination import paginate
from parentapp.timeutil import local_instant

# Subject type words by model class name: what the log and the API call a row.
SUBJECT_TYPES = {"Nursery": "nursery", "Offering": "offering", "Slot": "slot",
                 "Booking": "booking", "ParentingClass": "class", "Township": "township",
                 "User": "user", "Alert": "alert", "StaffMember": "staff",
                 "PlaceRound": "round"}
_SECRET_WORDS = ("password", "token", "secret", "openid")


def snapshot(row, fields: Iterable[str]) -> dict:
    """The current values of ``fields`` on ``row``, to pass as ``before`` or ``after``."""
    return {field: getattr(row, field) for field in fields}


def record(actor_id: int | None, action: str, subject, *, now: datetime,
           before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Add the entry for ``action`` on ``subject`` (a model row). Caller commits.

    Of ``before`` and ``after`` only the fields whose values differ are kept; the
    nursery is the subject itself or the nursery the subject belongs to.
    """
    before, after = _changed(before or {}, after or {})
    key = inspect(subject).identity
    if key is None:  # a row added in this transaction gets its id now
        db.session.flush()
        key = inspect(subject).identity
    nursery_id = subject.id if isinstance(subject, Nursery) else getattr(subject, "nursery_id",
                                                                         None)
    entry = AuditEntry(at=now, actor_id=actor_id, action=str(action),
                       subject_type=SUBJECT_TYPES[type(subject).__name__],
                       subject_id=str(key[0]), nursery_id=nursery_id,
                       before=before or None, after=after or None)
    db.session.add(entry)
    return entry


def _changed(before: dict, after: dict) -> tuple[dict, dict]:
    """The differing fields of each side, as JSON; nested objects (a batch's slots) are
    trimmed the same way."""
    old, new = {}, {}
    for key in {**before, **after}:
        was, now = _json(before.get(key)), _json(after.get(key))
        if _secret(str(key)) or was == now:
            continue
        if isinstance(was, dict) and isinstance(now, dict):
            was, now = _changed(was, now)
        if key in before:
            old[key] = was
        if key in after:
            new[key] = now
    return old, new


def _secret(key: str) -> bool:
    return any(word in key for word in _SECRET_WORDS)


def _json(value):
    """A value as JSON keeps it: instants as ISO text in UTC, dates and decimals as text."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json(v) for v in value]
    return value


def audit_log(*, actor_id: int | None, nursery_id: int | None, day_from: date | None,
              day_to: date | None, page: int, per_page: int) -> dict:
    """Entries newest first, in the contract's list envelope; ``day_from`` and ``day_to``
    are local (Asia/Shanghai) dates, both inclusive. Each entry's actor and nursery are
    loaded."""
    stmt = (select(AuditEntry)
            .options(selectinload(AuditEntry.actor), selectinload(AuditEntry.nursery))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if nursery_id is not None:
        stmt = stmt.where(AuditEntry.nursery_id == nursery_id)
    if day_from is not None:
        stmt = stmt.where(AuditEntry.at >= local_instant(day_from, time()))
    if day_to is not None:
        stmt = stmt.where(AuditEntry.at < local_instant(day_to + timedelta(days=1), time()))
    return paginate(stmt, page, per_page)


def logged_actors() -> list[User]:
    """The accounts that appear in the log, by name: the console's actor filter."""
    return list(db.session.scalars(select(User).where(
        User.id.in_(select(AuditEntry.actor_id).distinct())).order_by(User.id)))


def logged_nurseries() -> list[Nursery]:
    """The nurseries that appear in the log: the console's nursery filter."""
    return list(db.session.scalars(select(Nursery).where(
        Nursery.id.in_(select(AuditEntry.nursery_id).distinct())).order_by(Nursery.name)))
