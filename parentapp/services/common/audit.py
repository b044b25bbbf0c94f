"""The audit log's one writer: an entry per operator or regulator change.

An entry is written in the transaction of the change it records (the caller commits),
so a change and its entry commit or roll back together. It keeps only the fields that
changed, as JSON, and never a field that could hold a secret.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import inspect

from parentapp.extensions import db
from parentapp.models import AuditEntry, Nursery

# Subject type words by model class name: what the log and the API call a row.
SUBJECT_TYPES = {"Nursery": "nursery", "Offering": "offering", "Slot": "slot",
                 "Booking": "booking", "ParentingClass": "class", "Township": "township",
                 "User": "user"}
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
    """A value as JSON keeps it: instants and dates as ISO text, decimals as text."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json(v) for v in value]
    return value
