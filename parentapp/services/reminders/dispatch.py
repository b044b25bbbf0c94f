"""Sending due notifications as WeChat subscribe messages, at most once each.

One run: end rows that can no longer go out, then claim due rows in batches
with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite every write
transaction is BEGIN IMMEDIATE, and the claiming UPDATE re-checks the due
condition), so any number of dispatcher processes can run side by side.

Each claimed row is then sent on its own, outside any transaction:

1. a short transaction re-checks the claim, spends one grant with a
   conditional UPDATE and stamps ``send_started_at`` (no grant: ``no_grant``);
   on PostgreSQL one autocommit statement does all three;
2. the WeChat call (every call ends within 10 seconds);
3. the outcome is written: on PostgreSQL one autocommit UPDATE on a second
   connection when it is one statement, else a short transaction; neither waits
   for the WAL flush (see dispatch_outcomes).

A dispatcher that dies between 1 and 3 leaves a row in ``sending`` with
``send_started_at`` set: when its lease runs out the row ends ``failed``
(``interrupted``), since WeChat may have delivered it. A row claimed but not
started when its holder died is simply claimed again. A run never sleeps:
retries wait for a later run through ``send_after``. Nothing goes out
between 21:00 and 08:00.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, or_, select, update

import mini_program_api as mp
from parentapp import wechat
from parentapp.domain import DeliveryState
from parentapp.extensions import db
from parentapp.models import Notification, User
from parentapp.services.common.transactions import rolls_back
from parentapp.services.reminders import event_planning
from parentapp.services.reminders.dispatch_outcomes import (
    Claim,
    Outcome,
    autocommit_connection,
    outcome_of,
    record,
    release,
    start_send,
)
from parentapp.services.reminders.quiet_hours import in_quiet_hours

log = logging.getLogger(__name__)

_N = Notification.__table__
BATCH_SIZE = 20
# A row is only sent while this much of its lease is left, so a slow run never
# sends a row another dispatcher may already have taken over.
LEASE_MARGIN = timedelta(seconds=15)
DEFAULT_LEASE_SECONDS = 300


@dataclass(frozen=True)
class DispatchConfig:
    """What a dispatch run needs to know: template ids, the mini-program state,
    the waits before each retry and how long a claim is leased."""

    templates: Mapping[str, str]
    miniprogram_state: str
    retry_seconds: tuple[int, ...]
    lease: timedelta = field(default=timedelta(seconds=DEFAULT_LEASE_SECONDS))
# Shorter than the scheduler interval (20 s) so runs rarely overlap; the rest waits.
MAX_RUN_SECONDS = 15


class _Clock:
    """The run's ``now`` moved on by the real time spent since the run began."""

    def __init__(self, now: datetime) -> None:
        self._start, self._t0 = now, time.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)

    def elapsed(self) -> float:
        return time.monotonic() - self._t0


@rolls_back
def dispatch_notifications(now: datetime, *, config: DispatchConfig, batch_size: int = BATCH_SIZE,
                           max_seconds: float = MAX_RUN_SECONDS) -> Counter:
    """Send what is due at ``now``; returns counts by outcome (and ``quiet`` at night)."""
    counts: Counter = Counter()
    if in_quiet_hours(now):
        counts["quiet"] = 1
        return counts
    # A booking cancelled or a seat given up since the last planning run: not reminded.
    counts["withdrawn"] = event_planning.withdraw_stale(now, due_only=True)
    db.session.commit()
    _leave_transaction()
    clock = _Clock(now)
    # One connection for the run, each step its own short transaction; between them
    # (and during every WeChat call) the connection holds no transaction. On PostgreSQL
    # two more in autocommit: one starts each send (one statement), one writes the
    # outcomes that are one statement, without waiting for the WAL flush.
    with (db.engine.connect() as conn,
          autocommit_connection(db.engine, durable=True) as starts,
          autocommit_connection(db.engine, durable=False) as quick):
        counts["expired"] = _end_expired(conn, now)
        counts["interrupted"] = _end_interrupted(conn, now)
        fast = _Fast(starts, quick)
        while clock.elapsed() < max_seconds:
            claims = claim_due(conn, clock(), batch_size, config.lease)
            if not claims or _send_batch(conn, claims, clock, counts, config, fast):
                break
    return +counts


def _leave_transaction() -> None:
    """WeChat is called outside any transaction; the session must hold nothing."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes before dispatching notifications")
    session.commit()


def _ready(now: datetime):
    """Pending and due, or claimed by a dispatcher that died before starting the send."""
    return or_(and_(_N.c.delivery_state == DeliveryState.PENDING, _N.c.send_after <= now),
               and_(_N.c.delivery_state == DeliveryState.SENDING, _N.c.lease_until < now,
                    _N.c.send_started_at.is_(None)))


def _due(now: datetime):
    return and_(_ready(now), _N.c.template_kind.is_not(None),
                or_(_N.c.send_before.is_(None), _N.c.send_before > now))


def claim_due(conn: Connection, now: datetime, limit: int, lease: timedelta) -> list[Claim]:
    """Claim up to ``limit`` due rows for ``lease``; rows another dispatcher holds are skipped."""
    with conn.begin():
        ids = conn.execute(select(_N.c.id).where(_due(now))
                           .order_by(_N.c.send_after, _N.c.id).limit(limit)
                           .with_for_update(skip_locked=True)).scalars().all()
        if not ids:
            return []
        rows = conn.execute(
            update(_N).where(_N.c.id.in_(ids), _due(now))
            .values(delivery_state=DeliveryState.SENDING, lease_until=now + lease,
                    attempts=_N.c.attempts + 1)
            .returning(_N.c.id, _N.c.user_id, _N.c.template_kind, _N.c.wechat_data,
                       _N.c.link, _N.c.attempts, _N.c.lease_until)).all()
        users = {row.user_id for row in rows}
        openids = dict(conn.execute(select(User.id, User.wechat_openid)
                                    .where(User.id.in_(users))).all())
    claims = [Claim(r.id, r.user_id, r.template_kind, r.wechat_data, r.link, r.attempts,
                    r.lease_until, openids.get(r.user_id)) for r in rows]
    return sorted(claims, key=lambda claim: claim.id)


@dataclass(frozen=True)
class _Fast:
    """The autocommit connections of a run on PostgreSQL (None elsewhere)."""

    starts: Connection | None = None
    outcomes: Connection | None = None


def _send_batch(conn: Connection, claims: list[Claim], clock: _Clock, counts: Counter,
                config: DispatchConfig, fast: _Fast = _Fast()) -> bool:
    """Send each claim; True when the run must stop (quota, night, lease running out)."""
    for index, claim in enumerate(claims):
        at = clock()
        if at >= claim.lease_until - LEASE_MARGIN or in_quiet_hours(at):
            release(conn, claims[index:])
            counts["released"] += len(claims) - index
            return True
        outcome = _send_one(conn, claim, at, config, fast)
        counts[outcome.state if outcome else "lost"] += 1
        if outcome is not None and outcome.stop_run:
            release(conn, claims[index + 1:])
            counts["released"] += len(claims) - index - 1
            return True
    return False


def _send_one(conn: Connection, claim: Claim, at: datetime, config: DispatchConfig,
              fast: _Fast = _Fast()) -> Outcome | None:
    template_id = config.templates.get(claim.template_kind)
    data = _fitted(claim.wechat_data)
    problem = ("no_openid" if not claim.openid else "no_template" if not template_id
               else "invalid_value" if data is None else None)
    if problem:
        outcome = Outcome(DeliveryState.FAILED, problem)
        record(conn, claim, outcome, at=at)
        return outcome
    started = start_send(conn, claim, at, fast.starts)
    if started != "started":
        return Outcome(started) if started == "no_grant" else None
    error, msgid = None, None
    try:
        result = wechat.client().send_subscribe_message(
            claim.openid, template_id, data, page=(claim.link or "").lstrip("/") or None,
            miniprogram_state=config.miniprogram_state)
        msgid = result.msgid
    except mp.MiniProgramError as exc:
        error = exc
    except Exception as exc:  # a bug must not stop the run or lose track of the grant
        log.exception("notification %s: sending failed unexpectedly", claim.id)
        error = exc
    outcome = outcome_of(error, claim, at, config.retry_seconds)
    record(conn, claim, outcome, at=at, msgid=msgid, quick=fast.outcomes)
    return outcome


def _fitted(data: dict | None) -> dict[str, str] | None:
    """Template values within WeChat's limits and never empty; None when impossible."""
    if not data:
        return None
    try:
        return {key: mp.fit_value(key, value) for key, value in data.items()}
    except (TypeError, ValueError):
        return None


def _end_expired(conn: Connection, now: datetime) -> int:
    """Due rows past their ``send_before`` (the event began) stay in the inbox only."""
    with conn.begin():
        return conn.execute(update(_N).where(_ready(now), _N.c.send_before <= now).values(
            delivery_state=DeliveryState.FAILED, last_error="expired", lease_until=None)).rowcount


def _end_interrupted(conn: Connection, now: datetime) -> int:
    """Rows whose sender died after starting the call may have gone out: never again."""
    with conn.begin():
        return conn.execute(update(_N).where(
            _N.c.delivery_state == DeliveryState.SENDING, _N.c.lease_until < now,
            _N.c.send_started_at.is_not(None)).values(
                delivery_state=DeliveryState.FAILED, last_error="interrupted",
                lease_until=None)).rowcount
