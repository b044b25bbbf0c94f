from datetime import timedelta

import pytest

from parentapp.extensions import db
from parentapp.models import FilingEvent, Notification, Nursery, User, utcnow
from parentapp.signals import filing_revoked
from parentapp.timeutil import local_today
from tests.asserts import assert_error
from tests.factories import bearer, make_nursery

URL = "/api/v1/admin/filings"
STATUSES = ["draft", "pending", "approved", "rejected", "revoked"]
ACTIONS = {"approve": {"filing_no": "石卫托备〔2026〕101号"},
           "reject": {"reason": "材料不全，请补充消防验收意见书。"},
           "revoke": {"reason": "经核查已停止办托。"}}
ALLOWED = {"approve": "pending", "reject": "pending", "revoke": "approved"}



def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _pending(**overrides):
    return make_nursery(filing_status="pending", filing_no=None, filed_on=None, **overrides)


def test_queue_lists_pending_filings_oldest_first(client, auth):
    _, headers = auth.regulator()
    now = utcnow()
    newer = _pending(submitted_at=now)
    older = _pending(submitted_at=now - timedelta(days=2))
    make_nursery()
    make_nursery(filing_status="draft")
    body = client.get(f"{URL}?status=pending", headers=headers).get_json()
    assert [i["nursery_id"] for i in body["items"]] == [older.id, newer.id]
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20
    item = body["items"][0]
    assert item["name"] == older.name and item["status"] == "pending"
    assert item["submitted_at"].endswith("+08:00")
    assert {"township", "kind", "credit_code", "licensed_places", "operator_id"} <= set(item)


def test_queue_without_status_lists_every_filing_but_drafts(client, auth):
    _, headers = auth.regulator()
    ids = {s: make_nursery(filing_status=s, filing_no=None).id for s in STATUSES}
    body = client.get(URL, headers=headers).get_json()
    assert {i["nursery_id"] for i in body["items"]} == {ids[s] for s in STATUSES if s != "draft"}
    assert_error(client.get(f"{URL}?status=draft", headers=headers), 422, "validation_error")
    assert_error(client.get(f"{URL}?status=bogus", headers=headers), 422, "validation_error")


def test_queue_filters_by_township_and_paginates(client, auth):
    _, headers = auth.regulator()
    for _ in range(3):
        _pending(township="500240002")
    _pending()
    body = client.get(f"{URL}?status=pending&township=500240002&per_page=2&page=2",
                      headers=headers).get_json()
    assert body["total"] == 3 and len(body["items"]) == 1
    assert_error(client.get(f"{URL}?township=999", headers=headers), 422, "validation_error")


def test_approve_makes_the_nursery_visible_and_tells_the_operator(client, auth):
    regulator, headers = auth.regulator()
    _, parent_headers = auth.parent()
    nursery = _pending()
    search = f"/api/v1/nurseries?lat={nursery.lat}&lng={nursery.lng}"
    assert_error(client.get(f"/api/v1/nurseries/{nursery.id}"), 404, "not_found")
    assert client.get(search, headers=parent_headers).get_json()["items"] == []
    before = local_today(utcnow())
    response = client.post(f"{URL}/{nursery.id}/approve", headers=headers,
                           json={"filing_no": " 石卫托备〔2026〕101号 "})
    after = local_today(utcnow())  # the request may straddle local midnight
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "approved" and body["filing_no"] == "石卫托备〔2026〕101号"
    assert body["filed_on"] in {before.isoformat(), after.isoformat()}
    assert body["nursery"]["status"] == "approved"
    db.session.expire_all()
    stored = db.session.get(Nursery, nursery.id)
    assert (stored.filing_status, stored.filing_no) == ("approved", "石卫托备〔2026〕101号")
    assert stored.filed_on.isoformat() == body["filed_on"]
    found = client.get(search, headers=parent_headers).get_json()["items"]
    assert [item["id"] for item in found] == [nursery.id]
    event = body["events"][-1]
    assert (event["from_status"], event["to_status"]) == ("pending", "approved")
    assert event["actor"]["id"] == regulator.id and event["filing_no"] == "石卫托备〔2026〕101号"
    public = client.get(f"/api/v1/nurseries/{nursery.id}").get_json()
    assert public["filing"]["filing_no"] == "石卫托备〔2026〕101号"
    note = db.session.scalars(db.select(Notification)).one()
    assert note.user_id == nursery.operator_id and note.kind == "filing_approved"
    assert "石卫托备〔2026〕101号" in note.body


def test_reject_records_the_reason_and_tells_the_operator(client, auth):
    _, headers = auth.regulator()
    nursery = _pending()
    reason = ACTIONS["reject"]["reason"]
    body = client.post(f"{URL}/{nursery.id}/reject", headers=headers,
                       json={"reason": reason}).get_json()
    assert body["status"] == "rejected" and body["events"][-1]["reason"] == reason
    operator_headers = _operator_headers(nursery)
    inbox = client.get("/api/v1/me/notifications", headers=operator_headers).get_json()
    assert inbox["items"][0]["kind"] == "filing_rejected" and reason in inbox["items"][0]["body"]
    mine = client.get(f"/api/v1/operator/nurseries/{nursery.id}",
                      headers=operator_headers).get_json()
    assert mine["events"][-1]["reason"] == reason


def _operator_headers(nursery):
    return bearer(db.session.get(User, nursery.operator_id))


def test_revoke_hides_the_nursery_signals_the_revocation_and_tells_the_operator(client,
                                                                                auth):
    regulator, headers = auth.regulator()
    nursery = make_nursery()
    seen = []

    def receiver(n, now):
        seen.append((n.id, n.filing_status, now))

    with filing_revoked.connected_to(receiver):
        body = client.post(f"{URL}/{nursery.id}/revoke", headers=headers,
                           json={"reason": "经核查已停止办托。"}).get_json()
    assert body["status"] == "revoked"
    assert len(seen) == 1 and seen[0][:2] == (nursery.id, "revoked")
    assert_error(client.get(f"/api/v1/nurseries/{nursery.id}"), 404, "not_found")
    note = db.session.scalars(db.select(Notification)).one()
    assert note.kind == "filing_revoked" and "停止办托" in note.body


def test_a_failing_revocation_receiver_rolls_everything_back(client, auth):
    _, headers = auth.regulator()
    nursery = make_nursery()

    def receiver(n, now):
        db.session.add(FilingEvent(nursery_id=n.id, to_status="x", created_at=now))
        raise RuntimeError("bookings could not be cancelled")

    with filing_revoked.connected_to(receiver):
        response = client.post(f"{URL}/{nursery.id}/revoke", headers=headers,
                               json={"reason": "经核查已停止办托。"})
    assert_error(response, 500, "internal_error")
    db.session.refresh(nursery)
    assert nursery.filing_status == "approved"
    assert _count(FilingEvent) == 0 and _count(Notification) == 0


@pytest.mark.parametrize(("action", "status"), [
    (action, status) for action in ACTIONS for status in STATUSES if ALLOWED[action] != status])
def test_transitions_outside_the_state_machine_are_invalid_state_and_change_nothing(
        client, auth, action, status):
    _, headers = auth.regulator()
    nursery = make_nursery(filing_status=status, filing_no=None, filed_on=None)
    response = client.post(f"{URL}/{nursery.id}/{action}", headers=headers, json=ACTIONS[action])
    error = assert_error(response, 409, "invalid_state")
    assert error["details"] == {"status": status, "allowed_from": [ALLOWED[action]]}
    db.session.refresh(nursery)
    assert (nursery.filing_status, nursery.filing_no, nursery.filed_on) == (status, None, None)
    assert _count(FilingEvent) == 0 and _count(Notification) == 0


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_allowed_transition_writes_one_event_and_one_notification(client, auth, action):
    _, headers = auth.regulator()
    nursery = make_nursery(filing_status=ALLOWED[action], filing_no=None)
    response = client.post(f"{URL}/{nursery.id}/{action}", headers=headers, json=ACTIONS[action])
    assert response.status_code == 200
    assert _count(FilingEvent) == 1 and _count(Notification) == 1


def test_the_audit_trail_of_a_full_history(client, auth):
    regulator, reg_headers = auth.regulator()
    operator, op_headers = auth.operator()
    nursery = make_nursery(operator, filing_status="draft", filing_no=None)
    op_url = f"/api/v1/operator/nurseries/{nursery.id}"
    client.post(f"{op_url}/filing", headers=op_headers)
    client.post(f"{URL}/{nursery.id}/reject", headers=reg_headers, json={"reason": "材料不全。"})
    client.post(f"{op_url}/filing", headers=op_headers)
    client.post(f"{URL}/{nursery.id}/approve", headers=reg_headers, json={"filing_no": "A-001"})
    client.patch(op_url, headers=op_headers, json={"address": "南宾街道新地址 1 号"})
    client.post(f"{URL}/{nursery.id}/approve", headers=reg_headers, json={"filing_no": "A-001"})
    client.post(f"{URL}/{nursery.id}/revoke", headers=reg_headers, json={"reason": "停办。"})
    body = client.get(f"{URL}/{nursery.id}", headers=reg_headers).get_json()
    trail = [(e["from_status"], e["to_status"], e["actor"]["role"]) for e in body["events"]]
    assert trail == [("draft", "pending", "operator"), ("pending", "rejected", "regulator"),
                     ("rejected", "pending", "operator"), ("pending", "approved", "regulator"),
                     ("approved", "pending", "operator"), ("pending", "approved", "regulator"),
                     ("approved", "revoked", "regulator")]
    assert [e["reason"] for e in body["events"]][1] == "材料不全。"
    assert body["events"][4]["changes"]["address"][1] == "南宾街道新地址 1 号"
    assert body["operator"]["id"] == operator.id and body["nursery"]["id"] == nursery.id
    assert all(e["at"].endswith("+08:00") for e in body["events"])


def test_the_filing_detail_of_a_draft_or_unknown_nursery(client, auth):
    _, headers = auth.regulator()
    draft = make_nursery(filing_status="draft")
    assert client.get(f"{URL}/{draft.id}", headers=headers).get_json()["status"] == "draft"
    assert_error(client.get(f"{URL}/999999", headers=headers), 404, "not_found")
    for action, body in ACTIONS.items():
        assert_error(client.post(f"{URL}/999999/{action}", headers=headers, json=body),
               404, "not_found")


@pytest.mark.parametrize("filing_no", ["", "   ", "abc", "备案编号", "X1" * 21, "A\n001", None, 7])
def test_bad_filing_numbers_are_rejected(client, auth, filing_no):
    _, headers = auth.regulator()
    nursery = _pending()
    error = assert_error(client.post(f"{URL}/{nursery.id}/approve", headers=headers,
                               json={"filing_no": filing_no}), 422, "validation_error")
    assert "filing_no" in error["details"]
    db.session.refresh(nursery)
    assert nursery.filing_status == "pending"


def test_approve_needs_a_filing_number(client, auth):
    _, headers = auth.regulator()
    nursery = _pending()
    for body in ({}, None):
        response = client.post(f"{URL}/{nursery.id}/approve", headers=headers, json=body)
        assert_error(response, 422, "validation_error")


def test_a_filing_number_names_one_nursery(client, auth):
    _, headers = auth.regulator()
    make_nursery(filing_no="石卫托备〔2026〕001号")
    nursery = _pending()
    error = assert_error(client.post(f"{URL}/{nursery.id}/approve", headers=headers,
                               json={"filing_no": "石卫托备〔2026〕001号"}),
                   422, "validation_error")
    assert error["details"] == {"filing_no": ["该备案编号已用于另一家机构。"]}
    db.session.refresh(nursery)
    assert nursery.filing_status == "pending" and _count(FilingEvent) == 0


def test_a_refiled_nursery_may_keep_its_filing_number(client, auth):
    _, headers = auth.regulator()
    nursery = make_nursery(filing_status="pending", filing_no="石卫托备〔2025〕009号")
    response = client.post(f"{URL}/{nursery.id}/approve", headers=headers,
                           json={"filing_no": "石卫托备〔2025〕009号"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["filing_no"]) == ("approved", "石卫托备〔2025〕009号")


@pytest.mark.parametrize("reason", ["", " ", "短", "理" * 501, None])
@pytest.mark.parametrize("action", ["reject", "revoke"])
def test_reject_and_revoke_need_a_reason(client, auth, action, reason):
    _, headers = auth.regulator()
    nursery = make_nursery(filing_status=ALLOWED[action])
    error = assert_error(client.post(f"{URL}/{nursery.id}/{action}", headers=headers,
                               json={"reason": reason}), 422, "validation_error")
    assert "reason" in error["details"]
    db.session.refresh(nursery)
    assert nursery.filing_status == ALLOWED[action]


@pytest.mark.parametrize("role", ["parent", "operator"])
def test_only_regulators_use_the_filing_endpoints(client, auth, role):
    _, headers = getattr(auth, role)()
    nursery = _pending()
    assert_error(client.get(URL, headers=headers), 403, "forbidden")
    assert_error(client.get(f"{URL}/{nursery.id}", headers=headers), 403, "forbidden")
    for action, body in ACTIONS.items():
        assert_error(client.post(f"{URL}/{nursery.id}/{action}", headers=headers, json=body),
               403, "forbidden")
    db.session.refresh(nursery)
    assert nursery.filing_status == "pending"
    assert_error(client.get(URL), 401, "unauthorized")


def test_filing_endpoints_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/admin/filings", "/api/v1/admin/filings/{nursery_id}",
                 "/api/v1/admin/filings/{nursery_id}/approve"):
        assert path in spec["paths"]
    detail = spec["components"]["schemas"]["FilingDetail"]
    assert "events" in detail["properties"]
    assert _count(Nursery) == 0
