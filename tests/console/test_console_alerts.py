"""The console's alerts page: operators see their own nurseries' alerts, regulators every
nursery's and close an open one with a note (a missing note is shown beside the field)."""

from __future__ import annotations

from datetime import UTC, datetime

from parentapp.extensions import db
from parentapp.models import Alert
from tests.booking_factories import fresh
from tests.console.console_helpers import csrf, signed_in_client, table_rows
from tests.factories import make_nursery, make_user

AT = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 2026-03-11 07:30 in Shizhu


def _alert(nursery, kind="illness_cluster", key=None, details=None, **fields) -> Alert:
    alert = Alert(kind=kind, nursery_id=nursery.id, cause_key=key or f"{kind}:{nursery.id}",
                  opened_at=AT, details=details if details is not None else {
                      "symptom": "fever", "window": "day", "from": "2026-03-11",
                      "to": "2026-03-11", "children": 3}, **fields)
    db.session.add(alert)
    db.session.commit()
    return alert


def test_an_operator_sees_only_their_own_nurseries_alerts_in_words(client):
    operator = signed_in_client(client, "operator")
    mine = make_nursery(operator, name="自家托育园")
    other = make_nursery(make_user("operator"), name="别家托育园")
    _alert(mine)
    _alert(mine, kind="certificate_expired", key="c", details={
        "staff_id": 1, "staff_name": "张老师", "certificate": "保育员证", "number": "B-1",
        "expires_on": "2026-03-01"})
    _alert(other, kind="ratio_breach", key="r")
    page = client.get("/console/alerts").get_data(as_text=True)
    assert "预警</a>" in page  # the menu entry
    rows = table_rows(page, "alerts")
    assert rows[0] == ["类型", "机构", "发生时间", "情况", "状态"]
    body = rows[1:]
    assert len(body) == 2 and all(row[1] == "自家托育园" for row in body)
    assert "别家托育园" not in page
    kinds = {row[0] for row in body}
    assert kinds == {"聚集性疾病", "证件已过期"}
    cluster = next(row for row in body if row[0] == "聚集性疾病")
    assert cluster[2] == "2026-03-11 07:30"
    assert cluster[3] == "2026-03-11 有 3 名儿童因发热离园或因病缺勤"
    assert cluster[4] == "未处理"
    expired = next(row for row in body if row[0] == "证件已过期")
    assert expired[3] == "员工张老师的保育员证（B-1）已于 2026-03-01 过期"
    assert "close-alert" not in page  # only regulators close


def test_a_regulator_closes_an_alert_with_a_note_and_sees_who_closed_it(client):
    regulator = signed_in_client(client, "regulator", name="王科长")
    alert = _alert(make_nursery(name="甲托育园"))
    _alert(make_nursery(name="乙托育园"), kind="ratio_breach", key="r", details={
        "at": "2026-03-11T01:00:00+00:00", "children": {"infant": 0, "toddler": 5, "older": 0},
        "carers_on_duty": 0, "carers_required": 1})
    page = client.get("/console/alerts").get_data(as_text=True)
    assert len(table_rows(page, "alerts")) == 3
    assert "需要保育人员 1 名，在岗 0 名" in page
    response = client.post(f"/console/alerts/{alert.id}/close", data={
        "csrf_token": csrf(client, "/console/alerts"), "note": "已电话核实并报疾控",
        "back": "/console/alerts"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "预警已关闭。" in page
    closed = fresh(Alert, alert.id)
    assert (closed.status, closed.close_note, closed.closed_by) == (
        "closed", "已电话核实并报疾控", regulator.id)
    row = next(r for r in table_rows(page, "alerts") if r[1] == "甲托育园")
    assert row[4].startswith("已关闭") and "王科长" in row[4] and "已电话核实并报疾控" in row[4]
    assert f'id="close-{alert.id}"' not in page
    only_closed = client.get("/console/alerts?status=closed").get_data(as_text=True)
    assert [r[1] for r in table_rows(only_closed, "alerts")[1:]] == ["甲托育园"]


def test_closing_without_a_note_is_refused_beside_the_field(client):
    signed_in_client(client, "regulator")
    alert = _alert(make_nursery(name="甲托育园"))
    response = client.post(f"/console/alerts/{alert.id}/close", data={
        "csrf_token": csrf(client, "/console/alerts"), "note": "  "})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="alert-{alert.id}-note-error"' in page
    assert f'aria-describedby="alert-{alert.id}-note-error"' in page
    assert fresh(Alert, alert.id).status == "open"


def test_an_operator_cannot_close_an_alert(client):
    operator = signed_in_client(client, "operator")
    alert = _alert(make_nursery(operator))
    response = client.post(f"/console/alerts/{alert.id}/close", data={
        "csrf_token": csrf(client, "/console/alerts"), "note": "自己关掉"})
    assert response.status_code == 403
    assert fresh(Alert, alert.id).status == "open"
