import threading
from datetime import UTC, date, datetime

import pytest

from parentapp.errors import AppError, InvalidState, ValidationFailed
from parentapp.extensions import db
from parentapp.models import FilingEvent, Notification, Nursery
from parentapp.services.nurseries import filings, operator_nurseries
from tests.factories import make_nursery, make_user

# 17:30 UTC is 01:30 the next day in Shizhu.
LATE_EVENING_UTC = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_filed_on_is_the_local_date_of_the_approval():
    regulator = make_user("regulator")
    nursery = make_nursery(filing_status="pending", filing_no=None, filed_on=None)
    record = filings.approve_filing(nursery.id, "石卫托备〔2026〕1号", regulator.id,
                                    LATE_EVENING_UTC)
    assert record.nursery.filed_on == date(2026, 3, 2)
    assert record.events[-1].created_at == LATE_EVENING_UTC


def test_resubmission_sets_a_new_submitted_at():
    operator = make_user("operator")
    nursery = make_nursery(operator, filing_status="rejected", submitted_at=None)
    submitted = operator_nurseries.submit_filing(operator.id, nursery.id, LATE_EVENING_UTC)
    assert submitted.submitted_at == LATE_EVENING_UTC


def test_a_refused_transition_releases_the_lock_and_leaves_the_session_usable():
    regulator = make_user("regulator")
    nursery = make_nursery(filing_status="draft")
    with pytest.raises(InvalidState):
        filings.approve_filing(nursery.id, "A-1", regulator.id, LATE_EVENING_UTC)
    assert not db.session().in_transaction()
    assert db.session.get(Nursery, nursery.id).filing_status == "draft"


def _race(app, calls):
    """Run each call in its own thread and app context at the same moment; return outcomes.

    The calls must only close over plain values (ids), never this session's objects.
    """
    db.session.rollback()  # end this thread's transaction: SQLite would hold its lock
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        with app.app_context():
            barrier.wait()
            try:
                call()
                outcomes[index] = "ok"
            except AppError as exc:
                outcomes[index] = exc.code
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.mark.slow
def test_concurrent_decisions_on_one_filing_let_exactly_one_win(app):
    regulator_id = make_user("regulator").id
    nursery_id = make_nursery(filing_status="pending", filing_no=None, filed_on=None).id
    now = LATE_EVENING_UTC
    outcomes = _race(app, [
        lambda: filings.approve_filing(nursery_id, "A-001", regulator_id, now),
        lambda: filings.reject_filing(nursery_id, "材料不全。", regulator_id, now),
        lambda: filings.approve_filing(nursery_id, "A-002", regulator_id, now),
    ])
    assert sorted(outcomes) == ["invalid_state", "invalid_state", "ok"]
    db.session.expire_all()
    assert _count(FilingEvent) == 1 and _count(Notification) == 1
    assert db.session.get(Nursery, nursery_id).filing_status in ("approved", "rejected")


@pytest.mark.slow
def test_concurrent_approvals_cannot_share_a_filing_number(app):
    regulator_id = make_user("regulator").id
    first = make_nursery(filing_status="pending", filing_no=None, filed_on=None).id
    second = make_nursery(filing_status="pending", filing_no=None, filed_on=None).id
    now = LATE_EVENING_UTC
    outcomes = _race(app, [
        lambda: filings.approve_filing(first, "A-777", regulator_id, now),
        lambda: filings.approve_filing(second, "A-777", regulator_id, now),
    ])
    assert sorted(outcomes) == ["ok", "validation_error"]
    db.session.expire_all()
    statuses = sorted(n.filing_status for n in db.session.scalars(db.select(Nursery)))
    assert statuses == ["approved", "pending"] and _count(FilingEvent) == 1


@pytest.mark.slow
def test_an_operator_edit_racing_an_approval_is_never_lost(app):
    """Either the edit lands first (and approval then approves the edited facts, recorded as a
    pending->pending change), or the approval lands first and the edit re-files it."""
    regulator_id = make_user("regulator").id
    operator = make_user("operator")
    operator_id = operator.id
    nursery_id = make_nursery(operator, filing_status="pending", filing_no=None).id
    now = LATE_EVENING_UTC
    outcomes = _race(app, [
        lambda: filings.approve_filing(nursery_id, "A-900", regulator_id, now),
        lambda: operator_nurseries.update_nursery(operator_id, nursery_id,
                                                  {"licensed_places": 90}, now),
    ])
    assert outcomes == ["ok", "ok"]
    db.session.expire_all()
    fresh = db.session.get(Nursery, nursery_id)
    trail = [(e.from_status, e.to_status) for e in fresh.events]
    assert fresh.licensed_places == 90
    assert trail in ([("pending", "pending"), ("pending", "approved")],
                     [("pending", "approved"), ("approved", "pending")])
    assert fresh.filing_status == trail[-1][1]


def test_duplicate_filing_number_detected_before_writing():
    regulator = make_user("regulator")
    make_nursery(filing_no="A-5")
    nursery = make_nursery(filing_status="pending", filing_no=None)
    with pytest.raises(ValidationFailed):
        filings.approve_filing(nursery.id, "A-5", regulator.id, LATE_EVENING_UTC)
    assert _count(FilingEvent) == 0
