"""``Idempotency-Key``: the first answer to a request is the answer to its repeats.

The key is claimed inside the work's own transaction, so a booking costs no extra
transaction and no extra commit. ``run_once`` looks the key up first (``lookup``): on
PostgreSQL the same statement takes a transaction-scoped advisory lock on the key
without waiting, so a duplicate arriving while the first request is still at work
answers 409 ``request_in_progress`` at once instead of waiting on a lock; on SQLite the
write transaction (``BEGIN IMMEDIATE``) already serialises them, and a duplicate waits
for the first to commit and replays its answer. The work stores its answer with
``store`` in the same transaction (an ``INSERT ... ON CONFLICT DO NOTHING``): a booking
and its answer commit together, or neither does. Should a duplicate have stored its
answer first (it committed between our lookup's snapshot and our lock, or the work
committed halfway and so let the lock go), the store finds the key taken: the work
rolls back and the stored answer is replayed.

A domain error is stored too, in a new transaction after the work rolled back, and
replayed; that write is retried while the database is busy, and a refusal that still
cannot be stored is answered all the same (the key stays free: nothing was written under
it). A retryable failure (503 busy, a crash) leaves nothing behind, so a retry does the
work. Answers are replayed for 24 hours. Rows in state ``in_progress`` come from the
previous release, which claimed keys in a transaction of their own: they answer
``request_in_progress`` until ``STALE_CLAIM``, then the key is free again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select, true
from sqlalchemy.exc import SQLAlchemyError

from parentapp.domain import IdempotencyState
from parentapp.errors import (
    AppError,
    IdempotencyKeyReused,
    RequestInProgress,
    ServiceUnavailable,
    error_body,
)
from parentapp.extensions import db
from parentapp.models import IdempotencyKey
from parentapp.services.common.batches import DELETE_BATCH, delete_batch
from parentapp.services.common.dialect_insert import insert_for
from parentapp.services.common.transactions import begin_write, rolls_back

REPLAY_FOR = timedelta(hours=24)
STALE_CLAIM = timedelta(seconds=30)
# Pauses between attempts to store a refusal while the database is busy (seconds).
WRITE_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
WRITE_BUDGET_SECONDS = 15  # the answer to the client waits no longer than this for it

log = logging.getLogger(__name__)
_STORED = (IdempotencyKey.id, IdempotencyKey.fingerprint, IdempotencyKey.state,
           IdempotencyKey.response_status, IdempotencyKey.response_body,
           IdempotencyKey.created_at, IdempotencyKey.expires_at)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


class _AnsweredMeanwhile(Exception):
    """A duplicate stored its answer before this request could store its own."""


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lock_id(user_id: int, key: str) -> int:
    """The key's advisory-lock number (PostgreSQL's one-bigint lock space; the two-int
    space of other locks does not overlap it)."""
    digest = hashlib.blake2b(f"{user_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lookup(user_id: int, key: str, print_: str, now: datetime) -> Answer | None:
    """In the caller's (write) transaction: None when this request may do the work, else
    the stored answer to replay. Raises RequestInProgress, IdempotencyKeyReused."""
    begin_write()
    stored = select(*_STORED).where(IdempotencyKey.user_id == user_id,
                                    IdempotencyKey.key == key).subquery()
    postgres = db.session.get_bind().dialect.name == "postgresql"
    free = func.pg_try_advisory_xact_lock(lock_id(user_id, key)) if postgres else literal(True)
    got, *row = db.session.execute(
        select(free.label("free"), *stored.c).select_from(
            select(literal(1).label("one")).subquery().outerjoin(stored, true()))).one()
    if not got:
        raise RequestInProgress()
    row_id, stored_print, state, status, body, created_at, expires_at = row
    if row_id is None:
        return None
    if expires_at <= now or (state == IdempotencyState.IN_PROGRESS
                             and created_at <= now - STALE_CLAIM):
        # An old answer or an abandoned claim: the key is free again.
        db.session.execute(db.delete(IdempotencyKey).where(IdempotencyKey.id == row_id))
        return None
    if state == IdempotencyState.IN_PROGRESS:
        raise RequestInProgress()
    if stored_print != print_:
        raise IdempotencyKeyReused()
    return Answer(status, body)


def store(user_id: int, key: str, print_: str, answer: Answer, now: datetime) -> bool:
    """Store the answer in the caller's transaction (no commit); False when the key holds
    an answer already (a duplicate stored it first)."""
    stmt = insert_for(IdempotencyKey.__table__).values(
        user_id=user_id, key=key, fingerprint=print_, state=IdempotencyState.DONE,
        response_status=answer.status, response_body=answer.body, created_at=now,
        expires_at=now + REPLAY_FOR).on_conflict_do_nothing(index_elements=["user_id", "key"])
    return db.session.execute(stmt.returning(IdempotencyKey.id)).first() is not None


@rolls_back
def run_once(user_id: int, key: str, *, print_: str, now: datetime,
             work: Callable[[Callable[[Answer], None]], Answer]) -> Answer:
    """The stored answer for a repeat; otherwise ``work(store)``, which runs in the
    transaction that looked the key up and must call ``store(answer)`` in it before
    committing.

    Domain errors raised by ``work`` are stored and re-raised; retryable ones leave the
    key free.
    """
    for _ in range(2):  # a second time only when a duplicate answered meanwhile
        stored = lookup(user_id, key, print_, now)
        if stored is not None:
            db.session.commit()  # the read (or the stale row's deletion) ends here
            return stored

        def keep(answer: Answer) -> None:
            if not store(user_id, key, print_, answer, now):
                raise _AnsweredMeanwhile()

        try:
            return work(keep)
        except _AnsweredMeanwhile:
            db.session.rollback()
        except AppError as error:
            db.session.rollback()
            if not isinstance(error, ServiceUnavailable):
                _store_refusal(user_id, key, print_, error, now)
            raise
        except Exception:
            db.session.rollback()
            raise
    raise RequestInProgress()  # answered meanwhile, yet not readable: never expected


def _store_refusal(user_id: int, key: str, print_: str, error: AppError,
                   now: datetime) -> None:
    """Store a domain error as the answer to replay, retrying while the database is busy.

    Under load the write meets the same lock waits as the work: without the retry a
    refusal (``slot_full``) would be answered but not replayed. One that still cannot be
    stored leaves the key free: a repeat does the work again.
    """
    answer = Answer(error.status, error_body(error.code, error.message, error.details))
    if not _write_with_retries(lambda: store(user_id, key, print_, answer, now)):
        log.warning("idempotency refusal not stored; a repeat does the work again")


def _write_with_retries(write: Callable[[], object]) -> bool:
    """Run ``write`` and commit, again after growing pauses while the database is busy
    (a lock wait, a busy pool, a dropped connection), for at most WRITE_BUDGET_SECONDS."""
    deadline = time.monotonic() + WRITE_BUDGET_SECONDS
    for pause in (0.0, *WRITE_PAUSES):
        if time.monotonic() + pause > deadline:
            break
        time.sleep(pause)
        try:
            begin_write()
            write()
            db.session.commit()
            return True
        except SQLAlchemyError as error:
            db.session.rollback()
            log.info("idempotency write waits: %s", type(getattr(error, "orig", error)).__name__)
    return False


def forget_user(user_id: int) -> None:
    """Delete every stored answer and claim of a deleted account: the answers hold what
    the person sent and was told (caller commits)."""
    db.session.execute(db.delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id))


@rolls_back
def purge_expired(now: datetime, *, batch_size: int = DELETE_BATCH) -> int:
    """Forget answers (and claims) made 24 hours or more before ``now``: the
    ``purge-idempotency-keys`` job. One commit per batch; returns how many went."""
    total = 0
    while True:
        deleted = delete_batch(IdempotencyKey, IdempotencyKey.expires_at <= now, batch_size)
        db.session.commit()
        total += deleted
        if deleted < batch_size:
            log.info("purged %d idempotency answers older than 24 hours", total)
            return total
