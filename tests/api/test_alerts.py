"""Alerts: a ratio breach on check-in, the operators' and regulators' lists, closing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from parentapp.extensions import db
from parentapp.models import Alert, AuditEntry, Notification, utcnow
from parentapp.timeutil import local_today, to_local_iso
from tests.alert_factories import booked_child
from tests.asserts import assert_error
from tests.booking_factories import setup_nursery, today
from tests.factories import make_user
from tests.staff_factories import make_staff


def alerts(model=Alert):
    db.session.expire_all()
    return db.session.scalars(select(model)).all()


def make_alert(nursery, kind="illness_cluster", key=None, opened_at=None):
    alert = Alert(kind=kind, nursery_id=nursery.id, cause_key=key or f"{kind}:{nursery.id}:x",
                  opened_at=opened_at or utcnow(), details={"symptom": "fever"})
    db.session.add(alert)
    db.session.commit()
    return alert


def test_a_child_check_in_without_enough_carers_opens_one_breach_a_day(client, auth):
    operator, headers = auth.operator()
    regulator = make_user("regulator")
    nursery, _ = setup_nursery("full_day", operator)
    first, second = booked_child(nursery, today()), booked_child(nursery, today())
    for booking in (first, second):
        response = client.post(f"/api/v1/operator/bookings/{booking.id}/check-in",
                               headers=headers, json={})
        assert response.status_code == 200  # allowed, and reported
    [alert] = alerts()
    assert alert.kind == "ratio_breach"
    assert alert.cause_key == f"ratio_breach:{nursery.id}:{local_today(utcnow()).isoformat()}"
    assert alert.details["carers_on_duty"] == 0 and alert.details["carers_required"] == 1
    assert alert.details["children"] == {"infant": 0, "toddler": 1, "older": 0}
    assert sorted(n.user_id for n in alerts(Notification) if n.kind == "alert") == sorted(
        [operator.id, regulator.id])


def test_a_carer_leaving_the_children_alone_opens_a_breach(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    carer = make_staff(nursery)
    assert client.post(f"/api/v1/operator/staff/{carer.id}/check-in", headers=headers,
                       json={}).status_code == 200
    booking = booked_child(nursery, today())
    client.post(f"/api/v1/operator/bookings/{booking.id}/check-in", headers=headers, json={})
    assert alerts() == []  # one carer for one toddler
    assert client.post(f"/api/v1/operator/staff/{carer.id}/check-out", headers=headers,
                       json={}).status_code == 200
    [alert] = alerts()
    assert (alert.kind, alert.details["carers_on_duty"]) == ("ratio_breach", 0)


def test_operators_see_their_own_nurseries_alerts_newest_first(client, auth):
    operator, headers = auth.operator()
    mine, _ = setup_nursery("full_day", operator)
    other, _ = setup_nursery("full_day", make_user("operator"))
    old = make_alert(mine, key="a", opened_at=utcnow() - timedelta(days=1))
    new = make_alert(mine, kind="ratio_breach", key="b")
    make_alert(other, key="c")
    response = client.get("/api/v1/operator/alerts", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 20)
    assert [item["id"] for item in body["items"]] == [new.id, old.id]
    assert body["items"][1] == {"id": old.id, "kind": "illness_cluster", "nursery_id": mine.id,
                                "opened_at": to_local_iso(old.opened_at),
                                "details": {"symptom": "fever"}, "status": "open"}
    only = client.get("/api/v1/operator/alerts", headers=headers,
                      query_string={"kind": "ratio_breach"}).get_json()
    assert [item["id"] for item in only["items"]] == [new.id]


def test_regulators_see_every_nurserys_alerts_and_filter_them(client, auth):
    _, headers = auth.regulator()
    first, _ = setup_nursery("full_day", make_user("operator"))
    second, _ = setup_nursery("full_day", make_user("operator"))
    make_alert(first, key="a")
    closed = make_alert(second, key="b")
    closed.status = "closed"
    db.session.commit()
    body = client.get("/api/v1/admin/alerts", headers=headers).get_json()
    assert body["total"] == 2
    open_only = client.get("/api/v1/admin/alerts", headers=headers,
                           query_string={"status": "open"}).get_json()
    assert [item["nursery_id"] for item in open_only["items"]] == [first.id]
    by_nursery = client.get("/api/v1/admin/alerts", headers=headers,
                            query_string={"nursery_id": second.id}).get_json()
    assert [item["id"] for item in by_nursery["items"]] == [closed.id]


def test_alert_lists_refuse_the_wrong_role_and_bad_filters(client, auth):
    _, parent = auth.parent()
    _, operator = auth.operator()
    _, regulator = auth.regulator()
    assert_error(client.get("/api/v1/admin/alerts", headers=operator), 403, "forbidden")
    assert_error(client.get("/api/v1/operator/alerts", headers=regulator), 403, "forbidden")
    assert_error(client.get("/api/v1/operator/alerts", headers=parent), 403, "forbidden")
    assert_error(client.get("/api/v1/operator/alerts"), 401, "unauthorized")
    error = assert_error(client.get("/api/v1/admin/alerts", headers=regulator,
                                    query_string={"status": "gone", "kind": "x"}),
                         422, "validation_error")
    assert set(error["details"]) == {"status", "kind"}


def test_a_regulator_closes_an_alert_once_with_a_note(client, auth):
    regulator, headers = auth.regulator()
    nursery, _ = setup_nursery("full_day", make_user("operator"))
    alert = make_alert(nursery)
    response = client.post(f"/api/v1/admin/alerts/{alert.id}/close", headers=headers,
                           json={"note": "已通知疾控，园所已消毒"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "closed"
    [closed] = alerts()
    assert (closed.status, closed.closed_by, closed.close_note) == (
        "closed", regulator.id, "已通知疾控，园所已消毒")
    assert closed.closed_at is not None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "alert.close")) == 1
    again = client.post(f"/api/v1/admin/alerts/{alert.id}/close", headers=headers,
                        json={"note": "再关一次"})
    error = assert_error(again, 409, "alert_closed")
    assert "closed_at" in error["details"]
    assert alerts()[0].close_note == "已通知疾控，园所已消毒"


def test_closing_needs_a_note_a_known_alert_and_a_regulator(client, auth):
    _, headers = auth.regulator()
    _, operator = auth.operator()
    alert = make_alert(setup_nursery("full_day", make_user("operator"))[0])
    url = f"/api/v1/admin/alerts/{alert.id}/close"
    error = assert_error(client.post(url, headers=headers, json={}), 422, "validation_error")
    assert set(error["details"]) == {"note"}
    assert_error(client.post(url, headers=headers, json={"note": ""}), 422, "validation_error")
    assert_error(client.post("/api/v1/admin/alerts/999999/close", headers=headers,
                             json={"note": "x"}), 404, "not_found")
    assert_error(client.post(url, headers=operator, json={"note": "x"}), 403, "forbidden")
    assert alerts()[0].status == "open"
