"""What a WeChat answer means for a notification row, and writing it down.

The error policy (contract "Reminders", domain §6):

- 43101: the family has no grant left: its count for the template goes to 0,
  the row ends ``no_grant`` (it stays in the inbox), no retry.
- 40003 / 40037 / 47003 / 41030 and other codes WeChat answered: ``failed``,
  no retry, logged loudly (ids and codes only, no personal data).
- -1, HTTP 5xx, 45011 and a token still refused after the client's one
  refresh: WeChat answered without delivering: back to ``pending`` after
  ``NOTIFY_RETRY_SECONDS[attempt - 1]``, ``dead`` once the list is used up.
- Connection failed before the request left (TransportError): the same retry.
- Read timeout: ``failed`` with reason ``timeout``, never repeated (WeChat may
  have delivered it, and a repeat would spend a second grant).
- 45009 daily quota: back to ``pending`` until the next 08:00 without using up
  a retry, and the run stops (every further send would hit the quota too).

Whenever WeChat answered that it did not deliver, the grant spent before the
send is given back; after a timeout or an unexpected error it stays spent.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, text, update
from sqlalchemy.exc import SQLAlchemyError

import mini_program_api as mp
from parentapp.domain import DeliveryState
from parentapp.models import Notification, SubscriptionGrant
from parentapp.services.reminders.quiet_hours import next_morning

log = logging.getLogger(__name__)

_N = Notification.__table__
_G = SubscriptionGrant.__table__
_REFUSED_FOR_GOOD = (mp.InvalidOpenid, mp.InvalidTemplate, mp.InvalidData, mp.InvalidPage)
_TRANSIENT = (mp.Busy, mp.TransportError, mp.InvalidToken, mp.RateLimited)
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
_ASYNC_SESSION = text("SET synchronous_commit TO OFF")
_SYNC_SESSION = text("RESET synchronous_commit")
# start_send on PostgreSQL: the claim still ours, stamped, and one grant spent, or nothing.
_START_SEND = text("""
    WITH mine AS (
        UPDATE notifications SET send_started_at = :at
        WHERE id = :id AND delivery_state = 'sending' AND attempts = :attempts
        RETURNING user_id, template_kind),
    spent AS (
        UPDATE subscription_grants AS g SET grants = g.grants - 1, updated_at = :at
        FROM mine WHERE g.user_id = mine.user_id AND g.template_kind = mine.template_kind
            AND g.grants > 0
        RETURNING 1)
    SELECT (SELECT count(*) FROM mine), (SELECT count(*) FROM spent)""")


@dataclass(frozen=True, slots=True)
class Claim:
    """A row this dispatcher claimed; ``attempts`` (bumped by the claim) is the claim token."""

    id: int
    user_id: int
    template_kind: str
    wechat_data: dict | None
    link: str | None
    attempts: int
    lease_until: datetime
    openid: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    state: str  # sent, no_grant, failed, dead, pending (retry)
    error: str | None = None
    refund: bool = False
    retry_at: datetime | None = None
    zero_grants: bool = False
    stop_run: bool = False
    keep_attempt: bool = True


def outcome_of(error: Exception | None, claim: Claim, at: datetime,
               retry_seconds: list[int]) -> Outcome:
    """The row's next state after a send that raised ``error`` (None: success)."""
    if error is None:
        return Outcome(DeliveryState.SENT)
    if isinstance(error, mp.NoGrant):
        return Outcome(DeliveryState.NO_GRANT, "43101", zero_grants=True)
    if isinstance(error, mp.ResponseTimeout):
        return Outcome(DeliveryState.FAILED, "timeout")
    if isinstance(error, mp.QuotaExceeded):
        return Outcome(DeliveryState.PENDING, "45009", refund=True, retry_at=next_morning(at),
                       stop_run=True, keep_attempt=False)
    if isinstance(error, _TRANSIENT):
        reason = _reason(error)
        if claim.attempts > len(retry_seconds):
            return Outcome(DeliveryState.DEAD, reason, refund=True)
        delay = timedelta(seconds=retry_seconds[claim.attempts - 1])
        return Outcome(DeliveryState.PENDING, reason, refund=True, retry_at=at + delay)
    if isinstance(error, mp.MiniProgramError) and error.errcode is not None:
        if not isinstance(error, _REFUSED_FOR_GOOD):
            log.error("notification %s: unexpected WeChat errcode %s", claim.id, error.errcode)
        return Outcome(DeliveryState.FAILED, str(error.errcode), refund=True)
    if isinstance(error, mp.MiniProgramError):
        return Outcome(DeliveryState.FAILED, "bad_answer")
    return Outcome(DeliveryState.FAILED, "internal")


def _reason(error: Exception) -> str:
    if isinstance(error, mp.TransportError):
        return "transport"
    if isinstance(error, mp.Busy) and error.errcode is None:
        return "http_5xx"
    return str(error.errcode)


@contextlib.contextmanager
def autocommit_connection(engine: Engine, *, durable: bool) -> Iterator[Connection | None]:
    """On PostgreSQL, another connection for the run in autocommit: one round trip per
    statement. ``durable=False``: its commits do not wait for the WAL flush (the setting
    is reset before the connection goes back to the pool). None on other databases."""
    if engine.dialect.name != "postgresql":
        yield None
        return
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        if durable:
            yield conn
            return
        conn.execute(_ASYNC_SESSION)
        try:
            yield conn
        finally:
            with contextlib.suppress(SQLAlchemyError):  # a broken connection is discarded
                conn.execute(_SYNC_SESSION)


def record(conn: Connection, claim: Claim, outcome: Outcome, *, at: datetime,
           msgid: int | None = None, quick: Connection | None = None) -> bool:
    """Write ``outcome``; False when the claim was lost meanwhile.

    An outcome that is one UPDATE goes through ``quick`` (``autocommit_connection``) when
    given: one round trip. Otherwise one short transaction on ``conn``. On PostgreSQL
    neither commit waits for the WAL flush: should the server crash before the flush,
    the row is back in ``sending`` with ``send_started_at`` set (``start_send`` commits
    durably), so it ends ``interrupted`` and is never sent again.
    """
    values = {"delivery_state": outcome.state, "last_error": outcome.error, "lease_until": None}
    if msgid is not None:
        values["msgid"] = str(msgid)
    if outcome.state == DeliveryState.PENDING:
        values.update(send_after=outcome.retry_at, send_started_at=None)
        if not outcome.keep_attempt:
            values["attempts"] = _N.c.attempts - 1
    write = update(_N).where(*_owned(claim)).values(**values)
    if quick is not None and not (outcome.refund or outcome.zero_grants):
        changed = quick.execute(write).rowcount
    else:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(_ASYNC_COMMIT)
            changed = conn.execute(write).rowcount
            if outcome.refund:
                conn.execute(_grants(claim).values(grants=_G.c.grants + 1, updated_at=at))
            if outcome.zero_grants:
                conn.execute(_grants(claim).values(grants=0, updated_at=at))
    if (outcome.state in (DeliveryState.FAILED, DeliveryState.DEAD)
            and outcome.error not in ("timeout", "expired")):
        log.error("notification %s (%s) ended %s: %s", claim.id, claim.template_kind,
                  outcome.state, outcome.error)
    if not changed:
        log.warning("notification %s: claim lost before its outcome was written", claim.id)
    return bool(changed)


def release(conn: Connection, claims: list[Claim]) -> None:
    """Give claimed rows back unsent (the lease is nearly over, or quiet hours began)."""
    with conn.begin():
        for claim in claims:
            conn.execute(update(_N).where(*_owned(claim)).values(
                delivery_state=DeliveryState.PENDING, lease_until=None, attempts=_N.c.attempts - 1))


def start_send(conn: Connection, claim: Claim, at: datetime,
               durable: Connection | None = None) -> str:
    """Spend one grant and mark the send as started, atomically.

    Returns ``started``; ``no_grant`` when the family holds none (the row ends
    ``no_grant``: inbox only, nothing sent); ``lost`` when the claim was taken over.
    With ``durable`` (PostgreSQL, ``autocommit_connection(durable=True)``) both happen
    in one statement, one round trip; otherwise in a transaction on ``conn``.
    """
    if durable is not None:
        mine, spent = durable.execute(_START_SEND, {
            "id": claim.id, "attempts": claim.attempts, "at": at}).one()
        if not mine:
            return "lost"
        if not spent:
            # Should the process die before this, the row ends interrupted: unsent too.
            durable.execute(update(_N).where(*_owned(claim)).values(
                delivery_state=DeliveryState.NO_GRANT, send_started_at=None, lease_until=None))
            return "no_grant"
        return "started"
    with conn.begin():
        mine = conn.execute(update(_N).where(*_owned(claim))
                            .values(send_started_at=at)).rowcount
        if not mine:
            return "lost"
        spent = conn.execute(_grants(claim).where(_G.c.grants > 0)
                             .values(grants=_G.c.grants - 1, updated_at=at)).rowcount
        if not spent:
            conn.execute(update(_N).where(_N.c.id == claim.id).values(
                delivery_state=DeliveryState.NO_GRANT, send_started_at=None, lease_until=None))
            return "no_grant"
    return "started"


def _owned(claim: Claim) -> tuple:
    return (_N.c.id == claim.id, _N.c.delivery_state == DeliveryState.SENDING,
            _N.c.attempts == claim.attempts)


def _grants(claim: Claim):
    return update(_G).where(_G.c.user_id == claim.user_id,
                            _G.c.template_kind == claim.template_kind)
