"""``Idempotency-Key``: the first answer to a request is the answer to its repeats.

A request first claims its key in a short transaction of its own, so a
duplicate arriving meanwhile sees ``in_progress`` (409 ``request_in_progress``)
instead of waiting on a lock. The work then stores its answer in its own
transaction (``record``): a booking and its answer commit together. A domain
error is stored too (in a new transaction, after the work rolled back) and
replayed; a retryable failure (503 busy, a crash) gives the key back. Both
writes are retried while the database is busy; a refusal that still cannot be
stored gives the key back and is answered all the same. Answers
are replayed for 24 hours; a claim left behind by a crashed worker may be
taken over after ``STALE_CLAIM`` (nothing was committed under it).
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

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

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
from parentapp.services.common.transactions import begin_write, rolls_back

REPLAY_FOR = timedelta(hours=24)
STALE_CLAIM = timedelta(seconds=30)
# Pauses between attempts to give a key back after a retryable failure (seconds).
RELEASE_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
RELEASE_BUDGET_SECONDS = 15  # the answer to the client waits no longer than this for it

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _row(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(db.select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True))


def claim(user_id: int, key: str, print_: str, now: datetime) -> Answer | None:
    """Claim ``key`` (commits); None when this request may do the work, else the stored
    answer to replay. Raises RequestInProgress, IdempotencyKeyReused."""
    begin_write()
    row = _row(user_id, key)
    if row is not None and (row.expires_at <= now or (
            row.state == IdempotencyState.IN_PROGRESS and row.created_at <= now - STALE_CLAIM)):
        db.session.delete(row)  # an old answer or an abandoned claim: the key is free again
        db.session.flush()
        row = None
    if row is None:
        db.session.add(IdempotencyKey(user_id=user_id, key=key, fingerprint=print_,
                                      state=IdempotencyState.IN_PROGRESS, created_at=now,
                                      expires_at=now + REPLAY_FOR))
        try:
            db.session.commit()
            return None
        except IntegrityError:  # a duplicate claimed it a moment ago
            db.session.rollback()
            row = _row(user_id, key)
    try:
        return _existing(row, print_)
    finally:
        db.session.commit()  # read the row first: a commit expires it


def _existing(row: IdempotencyKey | None, print_: str) -> Answer:
    if row is None or row.state == IdempotencyState.IN_PROGRESS:
        raise RequestInProgress()
    if row.fingerprint != print_:
        raise IdempotencyKeyReused()
    return Answer(row.response_status, row.response_body)


def record(user_id: int, key: str, answer: Answer) -> None:
    """Store the answer in the caller's transaction (no commit)."""
    db.session.execute(
        db.update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(state=IdempotencyState.DONE, response_status=answer.status,
                response_body=answer.body)
        .execution_options(synchronize_session=False))


def run_once(user_id: int, key: str, *, print_: str, now: datetime,
             work: Callable[[Callable[[Answer], None]], Answer]) -> Answer:
    """The stored answer for a repeat; otherwise ``work(store)``, which must call
    ``store(answer)`` inside its transaction before committing.

    Domain errors raised by ``work`` are stored and re-raised; retryable ones release the key.
    """
    stored = claim(user_id, key, print_, now)
    if stored is not None:
        return stored
    try:
        return work(lambda answer: record(user_id, key, answer))
    except AppError as error:
        db.session.rollback()
        if isinstance(error, ServiceUnavailable) or not _store_refusal(user_id, key, error):
            _release(user_id, key)
        raise
    except Exception:
        db.session.rollback()
        _release(user_id, key)
        raise


def _store_refusal(user_id: int, key: str, error: AppError) -> bool:
    """Store a domain error as the answer to replay; False when the database stayed busy.

    Under load the write meets the same lock waits as the work: without this
    retry a refusal (``slot_full``) became 503 busy with the key still claimed.
    """
    answer = Answer(error.status, error_body(error.code, error.message, error.details))
    return _write_with_retries(lambda: record(user_id, key, answer))


def _release(user_id: int, key: str) -> None:
    """Give the key back so that a retry does the work.

    The work failed for a retryable reason, usually a busy database, and the
    release meets the same load: it is retried with growing pauses, so that the
    client's retry after 503 ``busy`` finds the key free instead of getting
    ``request_in_progress`` until the claim goes stale.
    """
    released = _write_with_retries(lambda: db.session.execute(db.delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
        IdempotencyKey.state == IdempotencyState.IN_PROGRESS)))
    if not released:
        log.warning("idempotency claim not released; it goes stale after %s", STALE_CLAIM)


def _write_with_retries(write: Callable[[], object]) -> bool:
    """Run ``write`` and commit, again after growing pauses while the database is busy
    (a lock wait, a busy pool, a dropped connection), for at most RELEASE_BUDGET_SECONDS."""
    deadline = time.monotonic() + RELEASE_BUDGET_SECONDS
    for pause in (0.0, *RELEASE_PAUSES):
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
