from datetime import date, time, timedelta

import pytest

from parentapp.models import Notification
from parentapp.service_settings import dispatch_config
from parentapp.services.reminders.dispatch import claim_due, dispatch_notifications
from parentapp.services.reminders.dispatch_outcomes import start_send
from parentapp.timeutil import local_instant
from tests.factories import make_user
from tests.notify_factories import (
    NOW,
    give_grants,
    grants_left,
    make_notification,
    reload,
)


@pytest.fixture
def wechat_settings(app, monkeypatch):
    """``wechat_settings(WECHAT_TIMEOUT=(1, 0.2))``: a fresh client with these settings,
    both restored after the test."""

    def apply(**config):
        for key, value in config.items():
            monkeypatch.setitem(app.config, key, value)
        monkeypatch.setitem(app.extensions, "wechat_client", None)

    return apply


@pytest.fixture
def family(fake):
    return make_user("parent")


def test_a_due_row_is_sent_once_spending_one_grant(fake, family):
    give_grants(family, count=2, fake=fake)
    row = make_notification(family)
    counts = dispatch_notifications(NOW, config=dispatch_config())
    assert counts["sent"] == 1
    row = reload(row)
    assert row.delivery_state == "sent" and row.msgid and row.attempts == 1
    assert grants_left(family) == 1
    [message] = fake.messages()
    assert message.touser == family.wechat_openid
    assert message.page == "pages/children/health-plan?id=1"
    assert message.data["name3"] == "小明" and message.miniprogram_state == "formal"
    again = dispatch_notifications(NOW + timedelta(minutes=5), config=dispatch_config())
    assert again.get("sent", 0) == 0
    assert len(fake.messages()) == 1


def test_without_a_grant_the_row_ends_no_grant_and_nothing_is_sent(fake, family):
    row = make_notification(family)
    dispatch_notifications(NOW, config=dispatch_config())
    assert reload(row).delivery_state == "no_grant"
    assert fake.calls().get("subscribe_send", 0) == 0


def test_rows_not_yet_due_or_inbox_only_are_left_alone(fake, family):
    give_grants(family, count=3, fake=fake)
    later = make_notification(family, send_after=NOW + timedelta(hours=1))
    inbox = make_notification(family, template_kind=None, delivery_state="inbox_only")
    dispatch_notifications(NOW, config=dispatch_config())
    assert reload(later).delivery_state == "pending"
    assert reload(inbox).delivery_state == "inbox_only"
    assert fake.messages() == []


@pytest.mark.parametrize("clock", [time(21, 0), time(23, 59), time(7, 59)])
def test_nothing_is_sent_in_quiet_hours(fake, family, clock):
    give_grants(family, fake=fake)
    now = local_instant(date(2026, 12, 1), clock)
    row = make_notification(family, now=now)
    assert dispatch_notifications(now, config=dispatch_config())["quiet"] == 1
    assert reload(row).delivery_state == "pending" and fake.messages() == []


def test_values_are_fitted_to_wechats_limits_before_sending(fake, family):
    give_grants(family, fake=fake)
    data = {"thing1": "脊灰灭活疫苗 第1剂、百白破疫苗 第1剂、乙肝疫苗 第2剂", "date2": "2026-12-03",
            "name3": "欧阳小明明明明明明明明明", "thing4": "  请按时\n接种  "}
    make_notification(family, wechat_data=data)
    dispatch_notifications(NOW, config=dispatch_config())
    [message] = fake.messages()
    assert len(message.data["thing1"]) == 20 and message.data["thing1"].endswith("…")
    assert message.data["date2"] == "2026年12月3日"
    assert len(message.data["name3"]) <= 10 and message.data["thing4"] == "请按时 接种"


def test_a_row_whose_values_cannot_be_fitted_fails_without_spending(fake, family):
    give_grants(family, fake=fake)
    row = make_notification(family, wechat_data={"thing1": "   ", "date2": "明天"})
    dispatch_notifications(NOW, config=dispatch_config())
    row = reload(row)
    assert (row.delivery_state, row.last_error) == ("failed", "invalid_value")
    assert grants_left(family) == 1 and fake.messages() == []


def test_43101_sets_the_familys_grants_to_zero_without_retry(fake, family):
    give_grants(family, count=3)  # our count says 3, WeChat knows of none
    fake.grant(family.wechat_openid, "sandbox-tpl-checkup")  # a user of the mini-program
    row = make_notification(family)
    dispatch_notifications(NOW, config=dispatch_config())
    row = reload(row)
    assert (row.delivery_state, row.last_error) == ("no_grant", "43101")
    assert grants_left(family) == 0


@pytest.mark.parametrize("errcode", [40003, 40037, 47003, 41030])
def test_errors_wechat_will_repeat_fail_the_row_for_good(fake, family, errcode, caplog):
    give_grants(family, fake=fake)
    fake.fail_next("subscribe_send", errcode)
    row = make_notification(family)
    dispatch_notifications(NOW, config=dispatch_config())
    row = reload(row)
    assert (row.delivery_state, row.last_error) == ("failed", str(errcode))
    assert grants_left(family) == 1  # WeChat delivered nothing: the grant is still there
    assert any(r.levelname == "ERROR" and str(errcode) in r.getMessage() for r in caplog.records)
    assert family.wechat_openid not in caplog.text
    dispatch_notifications(NOW + timedelta(days=1), config=dispatch_config())
    assert reload(row).delivery_state == "failed" and fake.messages() == []


def test_busy_answers_are_retried_after_the_configured_waits_then_dead(fake, family):
    give_grants(family, fake=fake)
    fake.fail_next("subscribe_send", -1, times=5)
    row = make_notification(family)
    now = NOW
    for wait in (60, 300, 1800, 7200):
        dispatch_notifications(now, config=dispatch_config())
        row = reload(row)
        assert (row.delivery_state, row.last_error) == ("pending", "-1")
        assert row.send_after >= now + timedelta(seconds=wait)
        assert row.send_after < now + timedelta(seconds=wait + 30)
        assert grants_left(family) == 1
        # not yet due
        dispatch_notifications(now + timedelta(seconds=wait - 1), config=dispatch_config())
        assert reload(row).attempts == row.attempts
        now += timedelta(seconds=wait + 1)
    dispatch_notifications(now, config=dispatch_config())
    row = reload(row)
    assert (row.delivery_state, row.attempts) == ("dead", 5)
    assert fake.messages() == [] and grants_left(family) == 1


def test_a_busy_answer_then_success_delivers_once(fake, family):
    give_grants(family, fake=fake)
    fake.fail_next("subscribe_send", -1)
    row = make_notification(family)
    dispatch_notifications(NOW, config=dispatch_config())
    dispatch_notifications(NOW + timedelta(seconds=61), config=dispatch_config())
    assert reload(row).delivery_state == "sent" and len(fake.messages()) == 1


def test_http_500_is_retried_like_busy(fake, family):
    give_grants(family, fake=fake)
    fake.set_failures(http_500_rate=1.0, endpoints=["subscribe_send"])
    row = make_notification(family)
    dispatch_notifications(NOW, config=dispatch_config())
    row = reload(row)
    assert (row.delivery_state, row.last_error) == ("pending", "http_5xx")


def test_a_connection_refused_before_sending_is_retried(fake, family, wechat_settings):
    give_grants(family, fake=fake)
    wechat_settings(WECHAT_API_BASE="http://127.0.0.1:9")
    row = make_notification(family)
    dispatch_notifications(NOW, config=dispatch_config())
    row = reload(row)
    assert (row.delivery_state, row.last_error) == ("pending", "transport")
    assert grants_left(family) == 1


def test_a_read_timeout_fails_the_row_and_it_is_never_repeated(fake, family, wechat_settings):
    give_grants(family, count=2, fake=fake)
    wechat_settings(WECHAT_TIMEOUT=(1, 0.2))
    fake.set_failures(hang_rate=1.0, hang_seconds=0.6, endpoints=["subscribe_send"])
    row = make_notification(family)
    dispatch_notifications(NOW, config=dispatch_config())
    row = reload(row)
    assert (row.delivery_state, row.last_error) == ("failed", "timeout")
    assert grants_left(family) == 1  # it may have been delivered: the grant stays spent
    fake.set_failures()
    dispatch_notifications(NOW + timedelta(days=1), config=dispatch_config())
    assert len(fake.messages()) == 1  # the hung one, delivered once


def test_quota_exhausted_waits_for_the_next_morning_without_using_a_retry(fake, family):
    give_grants(family, count=2, fake=fake)
    fake.fail_next("subscribe_send", 45009)
    first, second = make_notification(family), make_notification(family)
    counts = dispatch_notifications(NOW, config=dispatch_config())
    assert counts["pending"] == 1 and counts["released"] == 1  # the run stopped
    first, second = reload(first), reload(second)
    assert (first.delivery_state, first.last_error, first.attempts) == ("pending", "45009", 0)
    assert first.send_after == local_instant(date(2026, 12, 2), time(8))
    assert second.delivery_state == "pending" and second.attempts == 0
    assert grants_left(family) == 2


def test_an_invalidated_token_is_refreshed_once_and_the_send_succeeds(fake, family):
    give_grants(family, count=2, fake=fake)
    make_notification(family)
    dispatch_notifications(NOW, config=dispatch_config())
    fake.invalidate_token()
    row = make_notification(family)
    dispatch_notifications(NOW, config=dispatch_config())
    assert reload(row).delivery_state == "sent"
    assert len(fake.messages()) == 2
    assert fake.calls()["subscribe_send"] == 3  # the rejected call and its one retry
    assert fake.calls().get("stable_token_force_refresh", 0) == 0


def test_a_row_past_its_send_before_is_not_sent(fake, family):
    give_grants(family, fake=fake)
    row = make_notification(family, send_before=NOW - timedelta(seconds=1))
    dispatch_notifications(NOW, config=dispatch_config())
    row = reload(row)
    assert (row.delivery_state, row.last_error) == ("failed", "expired")
    assert fake.messages() == [] and grants_left(family) == 1


def test_a_claim_is_not_taken_again_while_its_lease_lives(fake, family):
    give_grants(family, fake=fake)
    make_notification(family)
    [claim] = claim_due_now(NOW, 10, timedelta(minutes=5))
    assert claim_due_now(NOW + timedelta(minutes=4), 10, timedelta(minutes=5)) == []
    # The holder died before starting the send: after the lease the row is claimed again.
    [again] = claim_due_now(NOW + timedelta(minutes=6), 10, timedelta(minutes=5))
    assert again.id == claim.id and again.attempts == claim.attempts + 1
    assert start_now(claim) == "lost"  # the first holder's token no longer matches
    dispatch_notifications(NOW + timedelta(minutes=12), config=dispatch_config())
    assert reload(db_row(claim.id)).delivery_state == "sent"
    assert len(fake.messages()) == 1


def test_a_send_started_by_a_dispatcher_that_died_is_never_repeated(fake, family):
    give_grants(family, fake=fake)
    make_notification(family)
    [claim] = claim_due_now(NOW, 10, timedelta(minutes=5))
    assert start_now(claim) == "started"  # then the process died
    counts = dispatch_notifications(NOW + timedelta(minutes=6), config=dispatch_config())
    assert counts["interrupted"] == 1
    row = reload(db_row(claim.id))
    assert (row.delivery_state, row.last_error) == ("failed", "interrupted")
    assert fake.messages() == []


def test_a_deleted_row_is_skipped_quietly(fake, family):
    from parentapp.extensions import db

    give_grants(family, fake=fake)
    make_notification(family)
    [claim] = claim_due_now(NOW, 10, timedelta(minutes=5))
    db.session.execute(db.delete(Notification))
    db.session.commit()
    assert start_now(claim) == "lost"
    assert grants_left(family) == 1


def claim_due_now(now, limit, lease):
    from parentapp.extensions import db

    with db.engine.connect() as conn:
        return claim_due(conn, now, limit, lease)


def start_now(claim):
    from parentapp.extensions import db

    with db.engine.connect() as conn:
        return start_send(conn, claim, NOW)


def db_row(row_id):
    from parentapp.extensions import db

    return db.session.get(Notification, row_id)
