from datetime import UTC, datetime, timedelta

import pytest

import mini_program_api as mp
from parentapp.services.reminders.dispatch_outcomes import Claim, outcome_of

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
RETRIES = [60, 300, 1800, 7200]


def claim(attempts=1):
    return Claim(1, 2, "vaccine", {}, None, attempts, AT + timedelta(minutes=5), "openid")


@pytest.mark.parametrize(("error", "state", "reason", "refund"), [
    (None, "sent", None, False),
    (mp.NoGrant(43101, "refused"), "no_grant", "43101", False),
    (mp.InvalidOpenid(40003, "x"), "failed", "40003", True),
    (mp.InvalidTemplate(40037, "x"), "failed", "40037", True),
    (mp.InvalidData(47003, "x"), "failed", "47003", True),
    (mp.InvalidPage(41030, "x"), "failed", "41030", True),
    (mp.ResponseTimeout(None, "no answer"), "failed", "timeout", False),
    (mp.Busy(-1, "busy"), "pending", "-1", True),
    (mp.Busy(None, "HTTP 502"), "pending", "http_5xx", True),
    (mp.TransportError(None, "refused"), "pending", "transport", True),
    (mp.InvalidToken(40001, "x"), "pending", "40001", True),
    (mp.QuotaExceeded(45009, "quota"), "pending", "45009", True),
    (mp.MiniProgramError(40099, "new code"), "failed", "40099", True),
    (mp.MiniProgramError(None, "not JSON"), "failed", "bad_answer", False),
    (KeyError("bug"), "failed", "internal", False),
])
def test_each_answer_has_its_policy(error, state, reason, refund):
    outcome = outcome_of(error, claim(), AT, RETRIES)
    assert (outcome.state, outcome.error, outcome.refund) == (state, reason, refund)


def test_43101_zeroes_the_grants():
    assert outcome_of(mp.NoGrant(43101, "x"), claim(), AT, RETRIES).zero_grants


@pytest.mark.parametrize(("attempts", "wait"), [(1, 60), (2, 300), (3, 1800), (4, 7200)])
def test_retries_wait_the_configured_time_for_the_attempt(attempts, wait):
    outcome = outcome_of(mp.Busy(-1, "busy"), claim(attempts), AT, RETRIES)
    assert outcome.retry_at == AT + timedelta(seconds=wait) and outcome.keep_attempt


def test_after_the_last_retry_the_row_is_dead():
    assert outcome_of(mp.Busy(-1, "busy"), claim(5), AT, RETRIES).state == "dead"


def test_quota_waits_for_the_next_morning_and_stops_the_run():
    outcome = outcome_of(mp.QuotaExceeded(45009, "x"), claim(4), AT, RETRIES)
    assert outcome.retry_at == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 08:00 local
    assert outcome.stop_run and not outcome.keep_attempt
