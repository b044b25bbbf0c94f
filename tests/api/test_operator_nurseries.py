import copy
from datetime import datetime

import pytest

from parentapp.extensions import db
from parentapp.models import FilingEvent, Nursery, utcnow
from parentapp.services.nurseries.credit_code import with_check
from tests.asserts import assert_error
from tests.factories import make_nursery

URL = "/api/v1/operator/nurseries"
CODE = with_check("91500240MA5U0001X")
VALID = {
    "name": "南宾街道小星星托育中心", "address": "南宾街道万寿大道 88 号", "township": "500240001",
    "lat": 29.9995, "lng": 108.1152, "phone": "13812345678", "kind": "nursery",
    "inclusive": True, "licensed_places": 60,
    "opening_hours": {"day": ["08:00", "17:30"], "am": ["08:00", "12:00"],
                      "pm": ["14:00", "17:30"]},
    "registration_type": "for_profit", "credit_code": CODE,
    "description": "招收 6 个月至 3 岁婴幼儿。", "open_to_public": True,
}



def _create(client, headers, **overrides):
    response = client.post(URL, json={**VALID, **overrides}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_operator_creates_a_draft_and_reads_lists_updates_it(client, auth):
    _, headers = auth.operator()
    created = _create(client, headers)
    assert created["status"] == "draft" and created["visible_to_parents"] is False
    assert {k: created[k] for k in VALID} == VALID
    assert created["filing_no"] is None and created["submitted_at"] is None
    assert [(e["from_status"], e["to_status"]) for e in created["events"]] == [(None, "draft")]
    url = f"{URL}/{created['id']}"
    assert client.get(url, headers=headers).get_json() == created
    listing = client.get(URL, headers=headers).get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == created["id"]
    assert "events" not in listing["items"][0]
    patched = client.patch(url, headers=headers, json={"name": "小星星托育中心"})
    assert patched.status_code == 200
    assert patched.get_json()["name"] == "小星星托育中心"
    assert patched.get_json()["status"] == "draft"


def test_defaults_for_optional_fields(client, auth):
    _, headers = auth.operator()
    body = {k: v for k, v in VALID.items() if k not in ("inclusive", "description",
                                                        "open_to_public")}
    created = client.post(URL, json=body, headers=headers).get_json()
    assert (created["inclusive"], created["description"], created["open_to_public"]) == (
        False, "", True)


def test_credit_code_is_trimmed_and_upper_cased(client, auth):
    _, headers = auth.operator()
    code = with_check("91500240MA5UABCDE")
    created = _create(client, headers, credit_code=f"  {code.lower()} ")
    assert created["credit_code"] == code


def test_landline_with_area_code_is_accepted(client, auth):
    _, headers = auth.operator()
    assert _create(client, headers, phone="023-73331234")["phone"] == "023-73331234"


def _hours(**parts):
    hours = copy.deepcopy(VALID["opening_hours"])
    hours.update(parts)
    return hours


BAD_FIELDS = [
    ("credit_code", CODE[:-1] + ("1" if CODE[-1] != "1" else "2"), "校验位不正确"),
    ("credit_code", "91500240MA5U0001", "应为18位"),
    ("credit_code", "91500240MA5U0001XI", "不允许的字符"),
    ("credit_code", "91500240MA5U0001OZ", "不允许的字符"),
    ("credit_code", 915, "应为字符串"),
    ("phone", "12812345678", "大陆手机号"),
    ("phone", "1381234567", "大陆手机号"),
    ("phone", "+8613812345678", "大陆手机号"),
    ("lat", 39.9, "纬度"),
    ("lat", 29.5, "纬度"),
    ("lng", 116.4, "经度"),
    ("lng", 108.7, "经度"),
    ("lat", "north", "应为数字"),
    ("lat", True, "应为数字"),
    ("lat", None, "不能为空"),
    ("licensed_places", 0, "1 到 1000"),
    ("licensed_places", -5, "1 到 1000"),
    ("licensed_places", 1001, "1 到 1000"),
    ("licensed_places", 12.5, "整数"),
    ("licensed_places", "60", "整数"),
    ("township", "500240999", "乡镇"),
    ("township", "南宾街道", "乡镇"),
    ("kind", "daycare", "应为以下之一"),
    ("registration_type", "public", "应为以下之一"),
    ("name", "托", "长度应为 2 到 60"),
    ("name", "   ", "不能只有空白或不可见字符"),
    ("name", "托" * 61, "长度应为 2 到 60"),
    ("address", "南宾", "长度应为 5 到 120"),
    ("address", "址" * 121, "长度应为 5 到 120"),
    ("description", "介" * 2001, "不能超过 2000"),
    ("inclusive", "maybe", "true 或 false"),
    ("open_to_public", None, "不能为空"),
    ("opening_hours", "08:00-17:30", "应为 JSON 对象"),
    ("opening_hours", _hours(day=["8:00", "17:30"]), "HH:MM"),
    ("opening_hours", _hours(day=["08:00", "24:00"]), "HH:MM"),
    ("opening_hours", _hours(am=["08:00"]), "开始"),
    ("opening_hours", _hours(am="08:00-12:00"), "开始"),
    ("opening_hours", _hours(pm=["17:30", "14:00"]), "开始时间应早于结束时间"),
    ("opening_hours", _hours(am=["08:00", "15:00"]), "上午时段应在下午时段开始前结束"),
    ("opening_hours", _hours(am=["07:00", "12:00"]), "全天时段应覆盖"),
    ("opening_hours", _hours(pm=["14:00", "18:00"]), "全天时段应覆盖"),
    ("opening_hours", {"day": ["08:00", "17:30"]}, "必填"),
    ("opening_hours", _hours(evening=["18:00", "20:00"]), "不支持的字段"),
]


def _problems(details, field):
    value = details[field]
    if isinstance(value, dict):
        return " ".join(p for problems in value.values() for p in problems)
    return " ".join(value)


@pytest.mark.parametrize(("field", "value", "problem"), BAD_FIELDS)
def test_bad_fields_are_rejected_with_the_rule_and_nothing_is_created(
        client, auth, field, value, problem):
    _, headers = auth.operator()
    response = client.post(URL, json={**VALID, field: value}, headers=headers)
    error = assert_error(response, 422, "validation_error")
    assert problem in _problems(error["details"], field)
    assert db.session.scalar(db.select(db.func.count()).select_from(Nursery)) == 0


@pytest.mark.parametrize(("field", "value", "problem"), BAD_FIELDS)
def test_patch_applies_the_same_rules_and_changes_nothing(client, auth, field, value, problem):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    before = client.get(f"{URL}/{nursery.id}", headers=headers).get_json()
    response = client.patch(f"{URL}/{nursery.id}", json={field: value}, headers=headers)
    error = assert_error(response, 422, "validation_error")
    assert problem in _problems(error["details"], field)
    assert client.get(f"{URL}/{nursery.id}", headers=headers).get_json() == before


@pytest.mark.parametrize("field", ["name", "address", "township", "lat", "lng", "phone", "kind",
                                   "licensed_places", "opening_hours", "registration_type",
                                   "credit_code"])
def test_required_fields(client, auth, field):
    _, headers = auth.operator()
    body = {k: v for k, v in VALID.items() if k != field}
    error = assert_error(client.post(URL, json=body, headers=headers), 422, "validation_error")
    assert error["details"][field] == ["必填。"]


@pytest.mark.parametrize("field", ["status", "filing_status", "filing_no", "operator_id", "id"])
def test_unknown_or_server_owned_fields_are_rejected(client, auth, field):
    operator, headers = auth.operator()
    error = assert_error(client.post(URL, json={**VALID, field: "approved"}, headers=headers),
                   422, "validation_error")
    assert field in error["details"]
    nursery = make_nursery(operator, filing_status="draft")
    assert_error(client.patch(f"{URL}/{nursery.id}", json={field: 1}, headers=headers),
           422, "validation_error")


def test_operator_cannot_see_or_change_another_operators_nursery(client, auth):
    _, headers_a = auth.operator()
    theirs = make_nursery(filing_status="draft")
    url = f"{URL}/{theirs.id}"
    assert_error(client.get(url, headers=headers_a), 404, "not_found")
    assert_error(client.patch(url, json={"name": "抢来的托育园"}, headers=headers_a),
                 404, "not_found")
    assert_error(client.post(f"{url}/filing", headers=headers_a), 404, "not_found")
    assert client.get(URL, headers=headers_a).get_json()["total"] == 0
    db.session.refresh(theirs)
    assert theirs.name != "抢来的托育园" and theirs.filing_status == "draft"


def test_unknown_nursery_is_404(client, auth):
    _, headers = auth.operator()
    assert_error(client.get(f"{URL}/999999", headers=headers), 404, "not_found")
    assert_error(client.patch(f"{URL}/999999", json={}, headers=headers), 404, "not_found")


@pytest.mark.parametrize("role", ["parent", "regulator"])
def test_other_roles_get_403(client, auth, role):
    _, headers = getattr(auth, role)()
    nursery = make_nursery()
    for response in (client.get(URL, headers=headers),
                     client.post(URL, json=VALID, headers=headers),
                     client.get(f"{URL}/{nursery.id}", headers=headers),
                     client.patch(f"{URL}/{nursery.id}", json={}, headers=headers),
                     client.post(f"{URL}/{nursery.id}/filing", headers=headers)):
        assert_error(response, 403, "forbidden")


def test_anonymous_gets_401(client):
    assert_error(client.get(URL), 401, "unauthorized")
    assert_error(client.post(URL, json=VALID), 401, "unauthorized")


def test_list_is_paginated_and_own_only(client, auth):
    operator, headers = auth.operator()
    for _ in range(3):
        make_nursery(operator)
    make_nursery()
    page = client.get(f"{URL}?page=2&per_page=2", headers=headers).get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)
    assert_error(client.get(f"{URL}?per_page=101", headers=headers), 422, "validation_error")


def test_submitting_a_draft_makes_it_pending_and_records_who_and_when(client, auth):
    operator, headers = auth.operator()
    created = _create(client, headers)
    before = utcnow().replace(microsecond=0)  # submitted_at is shown to the second
    response = client.post(f"{URL}/{created['id']}/filing", headers=headers)
    after = utcnow()
    assert response.status_code == 200
    assert response.get_json() == {"status": "pending"}
    body = client.get(f"{URL}/{created['id']}", headers=headers).get_json()
    assert body["status"] == "pending" and body["submitted_at"].endswith("+08:00")
    assert before <= datetime.fromisoformat(body["submitted_at"]) <= after
    event = body["events"][-1]
    assert (event["from_status"], event["to_status"]) == ("draft", "pending")
    assert event["actor"] == {"id": operator.id, "role": "operator", "name": operator.name}


def test_submit_accepts_an_empty_object_but_no_fields(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, filing_status="draft")
    assert_error(client.post(f"{URL}/{nursery.id}/filing", json={"x": 1}, headers=headers),
           422, "validation_error")
    assert client.post(f"{URL}/{nursery.id}/filing", json={}, headers=headers).status_code == 200


def test_a_rejected_filing_can_be_resubmitted(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, filing_status="rejected", filing_no=None)
    response = client.post(f"{URL}/{nursery.id}/filing", headers=headers)
    assert response.get_json() == {"status": "pending"}


@pytest.mark.parametrize("status", ["pending", "approved", "revoked"])
def test_submitting_from_other_states_is_invalid_state_and_changes_nothing(
        client, auth, status):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, filing_status=status, submitted_at=None)
    error = assert_error(client.post(f"{URL}/{nursery.id}/filing", headers=headers),
                   409, "invalid_state")
    assert error["details"]["status"] == status
    db.session.refresh(nursery)
    assert nursery.filing_status == status and nursery.submitted_at is None
    assert db.session.scalar(db.select(db.func.count()).select_from(FilingEvent)) == 0


@pytest.mark.parametrize(("field", "value"), [
    ("name", "南宾街道新名字托育中心"),
    ("credit_code", with_check("91500240MA5U9999X")),
    ("address", "南宾街道都督大道 1 号"),
    ("licensed_places", 61),
    ("township", "500240002"),
    ("lat", 30.0001),
    ("lng", 108.1201),
    ("kind", "kindergarten_class"),
    ("registration_type", "nonprofit"),
    ("inclusive", True),
])
def test_changing_a_registration_fact_of_an_approved_nursery_refiles_it(
        client, auth, field, value):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    old = getattr(nursery, field)
    assert client.get(f"/api/v1/nurseries/{nursery.id}").status_code == 200
    body = client.patch(f"{URL}/{nursery.id}", json={field: value}, headers=headers).get_json()
    assert body["status"] == "pending" and body["visible_to_parents"] is False
    event = body["events"][-1]
    assert (event["from_status"], event["to_status"]) == ("approved", "pending")
    assert event["changes"] == {field: [old, value]}
    assert event["reason"].startswith("变更登记信息")
    assert event["actor"]["id"] == operator.id
    assert_error(client.get(f"/api/v1/nurseries/{nursery.id}"), 404, "not_found")
    listing = client.get("/api/v1/nurseries").get_json()
    assert listing["total"] == 0


@pytest.mark.parametrize(("field", "value"), [
    ("phone", "13900001111"),
    ("description", "新增户外活动场地。"),
    ("opening_hours", {"day": ["07:30", "18:00"], "am": ["07:30", "11:30"],
                       "pm": ["14:30", "18:00"]}),
    ("open_to_public", False),
])
def test_descriptive_changes_keep_an_approved_nursery_filed(client, auth, field, value):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    body = client.patch(f"{URL}/{nursery.id}", json={field: value}, headers=headers).get_json()
    assert body[field] == value and body["status"] == "approved"
    assert body["events"] == []
    assert client.get(f"/api/v1/nurseries/{nursery.id}").get_json()[field] == value


def test_patching_a_fact_to_its_current_value_does_not_refile(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    body = client.patch(f"{URL}/{nursery.id}", headers=headers,
                        json={"name": nursery.name, "licensed_places": 60}).get_json()
    assert body["status"] == "approved" and body["events"] == []


def test_changing_facts_while_pending_is_recorded_for_the_reviewer(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, filing_status="pending")
    body = client.patch(f"{URL}/{nursery.id}", json={"licensed_places": 80},
                        headers=headers).get_json()
    assert body["status"] == "pending"
    event = body["events"][-1]
    assert (event["from_status"], event["to_status"], event["changes"]) == (
        "pending", "pending", {"licensed_places": [60, 80]})


@pytest.mark.parametrize("status", ["draft", "rejected"])
def test_changing_facts_of_an_unfiled_nursery_records_nothing(client, auth, status):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, filing_status=status)
    body = client.patch(f"{URL}/{nursery.id}", json={"licensed_places": 80},
                        headers=headers).get_json()
    assert body["status"] == status and body["events"] == []


def test_a_revoked_nursery_cannot_be_edited(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, filing_status="revoked")
    assert_error(client.patch(f"{URL}/{nursery.id}", json={"phone": "13900001111"},
                              headers=headers), 409, "invalid_state")
    db.session.refresh(nursery)
    assert nursery.phone == "13800000000"
