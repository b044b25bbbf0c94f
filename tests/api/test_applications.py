"""Monthly places by application over HTTP: operators open rounds, families apply, change,
withdraw, accept and decline; regulators see demand by township."""

from __future__ import annotations

from datetime import timedelta

from parentapp.extensions import db
from parentapp.models import AuditEntry, ChildPerson, Slot
from parentapp.timeutil import to_local_iso
from tests.asserts import assert_error
from tests.factories import bearer, make_child, make_user
from tests.place_factories import (
    allocate,
    applicant,
    closes,
    open_round,
    round_nursery,
    target_month,
)

TOWN_A, TOWN_B = "500240001", "500240002"


def round_body(**overrides):
    month = target_month()
    return {"month": month, "care_type": "full_day", "places": 2,
            "closes_at": to_local_iso(closes(month)), **overrides}


def test_an_operator_opens_a_round_and_its_places_are_held(client, auth):
    operator, headers = auth.operator()
    nursery = round_nursery(operator, capacity=4)
    response = client.post(f"/api/v1/operator/nurseries/{nursery.id}/rounds", headers=headers,
                           json=round_body())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "open" and body["places"] == 2 and body["held"] == 2
    assert len(body["seed"]) == 32 and body["priority_rules"] == ["township", "siblings"]
    listing = client.get(f"/api/v1/nurseries/{nursery.id}/slots", query_string={
        "from": f"{target_month()}-01", "to": f"{target_month()}-07"}).get_json()
    assert listing["items"] and {s["remaining"] for s in listing["items"]} == {2}
    again = client.post(f"/api/v1/operator/nurseries/{nursery.id}/rounds", headers=headers,
                        json=round_body())
    assert_error(again, 409, "invalid_state")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "round.open"))
    assert (entry.actor_id, entry.nursery_id, entry.subject_type, entry.subject_id) == (
        operator.id, nursery.id, "round", str(body["id"]))
    assert entry.after["places"] == 2


def test_a_round_asks_for_valid_input(client, auth):
    operator, headers = auth.operator()
    nursery = round_nursery(operator, capacity=2)
    url = f"/api/v1/operator/nurseries/{nursery.id}/rounds"
    for body, field in ((round_body(month="2027-13"), "month"),
                        (round_body(care_type="hourly"), "care_type"),
                        (round_body(places=0), "places"),
                        (round_body(priority_rules=["township", "township"]), "priority_rules"),
                        (round_body(priority_rules=["wealth"]), "priority_rules"),
                        (round_body(closes_at="2020-01-01T00:00:00+08:00"), "closes_at"),
                        (round_body(closes_at=f"{target_month()}-15T00:00:00+08:00"),
                         "closes_at"),
                        (round_body(extra=1), "extra")):
        response = client.post(url, headers=headers, json=body)
        assert_error(response, 422, "validation_error")
        assert field in response.get_json()["error"]["details"], body
    full = client.post(url, headers=headers, json=round_body(places=3))
    assert_error(full, 409, "slot_full")
    assert full.get_json()["error"]["details"]["slot_ids"]
    empty_month = round_body(month=target_month(), places=1)
    other = round_nursery(operator, month="2099-01")  # no slots in the target month
    assert_error(client.post(f"/api/v1/operator/nurseries/{other.id}/rounds", headers=headers,
                             json=empty_month), 409, "invalid_state")
    assert db.session.scalar(db.select(db.func.max(Slot.round_held))) == 0


def test_a_family_applies_changes_and_withdraws(client, auth):
    first, second = round_nursery(), round_nursery()
    open_round(first, 1)
    open_round(second, 1)
    parent, child = applicant(TOWN_A)
    headers = bearer(parent)
    body = {"child_id": child.id, "month": target_month(), "care_type": "full_day",
            "choices": [first.id, second.id]}
    created = client.post("/api/v1/applications", headers=headers, json=body)
    assert created.status_code == 201, created.get_json()
    application = created.get_json()
    assert application["status"] == "submitted"
    assert application["choices"] == [first.id, second.id]
    assert application["editable_until"] == to_local_iso(closes(target_month()))
    assert_error(client.post("/api/v1/applications", headers=headers, json=body),
                 409, "invalid_state")
    changed = client.patch(f"/api/v1/applications/{application['id']}", headers=headers,
                           json={"choices": [second.id]})
    assert changed.status_code == 200 and changed.get_json()["choices"] == [second.id]
    listed = client.get("/api/v1/applications", headers=headers).get_json()["items"]
    assert [a["id"] for a in listed] == [application["id"]]
    gone = client.delete(f"/api/v1/applications/{application['id']}", headers=headers)
    assert gone.status_code == 204
    assert client.get("/api/v1/applications", headers=headers).get_json()["items"] == []


def test_applications_need_open_rounds_and_fitting_ages(client, auth):
    nursery = round_nursery()
    open_round(nursery, 1)
    no_round = round_nursery()
    parent, child = applicant()
    headers = bearer(parent)
    base = {"child_id": child.id, "month": target_month(), "care_type": "full_day"}
    for choices in ([], [nursery.id] * 2, [nursery.id, no_round.id], [1, 2, 3, 4]):
        assert_error(client.post("/api/v1/applications", headers=headers,
                                 json={**base, "choices": choices}), 422, "validation_error")
    baby = make_child(parent, birth_date=child.birth_date + timedelta(days=900))
    assert_error(client.post("/api/v1/applications", headers=headers,
                             json={**base, "child_id": baby.id, "choices": [nursery.id]}),
                 422, "age_ineligible")
    stranger, stranger_headers = auth.parent()
    assert_error(client.post("/api/v1/applications", headers=stranger_headers,
                             json={**base, "choices": [nursery.id]}), 404, "not_found")


def test_a_viewer_may_not_apply_but_a_carer_may(client, auth):
    nursery = round_nursery()
    open_round(nursery, 1)
    _, child = applicant()
    viewer, carer = make_user("parent"), make_user("parent")
    db.session.add_all([ChildPerson(child_id=child.id, user_id=viewer.id, role="viewer"),
                        ChildPerson(child_id=child.id, user_id=carer.id, role="carer")])
    db.session.commit()
    body = {"child_id": child.id, "month": target_month(), "care_type": "full_day",
            "choices": [nursery.id]}
    assert_error(client.post("/api/v1/applications", headers=bearer(viewer), json=body),
                 403, "forbidden")
    assert client.post("/api/v1/applications", headers=bearer(carer), json=body).status_code == 201
    seen = client.get("/api/v1/applications", headers=bearer(viewer)).get_json()["items"]
    assert len(seen) == 1


def test_an_offer_is_accepted_or_declined_and_edits_end_at_the_close(client, auth):
    nursery = round_nursery()
    open_round(nursery, 1)
    families = [applicant() for _ in range(2)]
    ids = []
    for parent, child in families:
        ids.append(client.post("/api/v1/applications", headers=bearer(parent), json={
            "child_id": child.id, "month": target_month(), "care_type": "full_day",
            "choices": [nursery.id]}).get_json()["id"])
    allocate()
    states = {i: client.get(f"/api/v1/applications/{i}", headers=bearer(p)).get_json()
              for i, (p, _) in zip(ids, families, strict=True)}
    offered = next(i for i, a in states.items() if a["status"] == "offered")
    unplaced = next(i for i, a in states.items() if a["status"] == "unplaced")
    offered_headers = bearer(families[ids.index(offered)][0])
    unplaced_headers = bearer(families[ids.index(unplaced)][0])
    assert states[offered]["nursery_id"] == nursery.id and states[offered]["offer_expires_at"]
    assert_error(client.patch(f"/api/v1/applications/{unplaced}", headers=unplaced_headers,
                              json={"choices": [nursery.id]}), 409, "invalid_state")
    assert_error(client.post(f"/api/v1/applications/{unplaced}/accept",
                             headers=unplaced_headers), 409, "invalid_state")
    declined = client.post(f"/api/v1/applications/{offered}/decline", headers=offered_headers)
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    now_offered = client.get(f"/api/v1/applications/{unplaced}",
                             headers=unplaced_headers).get_json()
    assert now_offered["status"] == "offered"
    accepted = client.post(f"/api/v1/applications/{unplaced}/accept", headers=unplaced_headers)
    assert accepted.status_code == 201, accepted.get_json()
    booking = accepted.get_json()
    assert booking["care_type"] == "full_day" and len(booking["slots"]) >= 20
    repeat = client.post(f"/api/v1/applications/{unplaced}/accept", headers=unplaced_headers)
    assert repeat.status_code == 200 and repeat.get_json()["id"] == booking["id"]


def test_the_operator_sees_applicants_and_the_regulator_sees_demand(client, auth):
    operator, headers = auth.operator()
    nursery = round_nursery(operator, township=TOWN_A)
    place_round = open_round(nursery, 1)
    for township in (TOWN_A, TOWN_B, TOWN_B):
        parent, child = applicant(township)
        client.post("/api/v1/applications", headers=bearer(parent), json={
            "child_id": child.id, "month": target_month(), "care_type": "full_day",
            "choices": [nursery.id]})
    allocate()
    detail = client.get(f"/api/v1/operator/nurseries/{nursery.id}/rounds/{place_round.id}",
                        headers=headers).get_json()
    assert detail["status"] == "allocated"
    assert [a["position"] for a in detail["applicants"]] == [1, 2, 3]
    assert detail["applicants"][0]["township_first"] is True
    assert [a["result"] for a in detail["applicants"]] == ["offered", "unplaced", "unplaced"]
    _, regulator = auth.regulator()
    demand = client.get("/api/v1/admin/demand", headers=regulator,
                        query_string={"month": target_month()}).get_json()
    rows = {r["code"]: r for r in demand["townships"]}
    figures = ("applications", "placed", "unplaced", "places_offered")
    assert [rows[TOWN_A][k] for k in figures] == [1, 1, 0, 1]
    assert (rows[TOWN_B]["applications"], rows[TOWN_B]["unplaced"],
            rows[TOWN_B]["places_offered"]) == (2, 2, 0)
    assert demand["county"] == {"applications": 3, "placed": 1, "unplaced": 2,
                                "places_offered": 1}
    assert_error(client.get("/api/v1/admin/demand", headers=regulator,
                            query_string={"month": "2027-3"}), 422, "validation_error")
    assert_error(client.get("/api/v1/admin/demand", headers=headers,
                            query_string={"month": target_month()}), 403, "forbidden")
