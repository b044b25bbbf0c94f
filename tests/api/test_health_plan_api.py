from datetime import date, timedelta

import pytest

from parentapp.extensions import db
from parentapp.models import HealthRecord, utcnow
from parentapp.timeutil import add_months, local_today
from tests.asserts import assert_error
from tests.factories import make_child
from tests.sqlcount import count_statements

TODAY = local_today(utcnow())


def _plan(client, headers, child):
    response = client.get(f"/api/v1/children/{child.id}/health-plan", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def _codes(plan):
    return [item["code"] for item in plan["items"]]


def test_plan_covers_every_dose_and_checkup_in_due_order(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=date(2025, 1, 31))
    plan = _plan(client, headers, child)
    assert plan["schedule_version"] == "cn-nip-2025"
    codes = _codes(plan)
    for code in ("HepB-1", "BCG", "DTaP-1", "DTaP-5", "MMR-2", "JE-L-1", "JE-L-2", "HepA-L",
                 "NB-VISIT", "CHK-1M", "CHK-36M", "CHK-6Y", "bOPV-2", "MPSV-AC-2"):
        assert code in codes
    assert not any(c.startswith(("JE-I", "HepA-I", "IPV-3")) for c in codes)
    assert [c for c in codes if c.startswith(("IPV", "bOPV"))] == [
        "IPV-1", "IPV-2", "bOPV-1", "bOPV-2"]
    dues = [item["due_date"] for item in plan["items"]]
    assert dues == sorted(dues)
    by_code = {item["code"]: item for item in plan["items"]}
    assert by_code["HepB-1"]["latest_date"] == "2025-02-01"
    assert by_code["HepB-2"]["due_date"] == "2025-02-28"
    assert by_code["CHK-1M"]["due_date"] == "2025-02-28"
    assert by_code["CHK-3M"]["latest_date"] is None
    assert by_code["BCG"]["latest_date"] == "2025-04-29"  # the day before 3 months
    assert set(by_code["DTaP-1"]) == {"code", "kind", "name", "due_date", "latest_date",
                                      "earliest_date", "status", "past_latest", "done_on",
                                      "product", "catch_up", "advice"}
    assert by_code["NB-VISIT"]["catch_up"]["rule"] == "window_ends"
    assert by_code["DTaP-1"]["name"] == "百白破疫苗 第1剂"


def test_status_bands_follow_the_due_date(client, auth):
    parent, headers = auth.parent()
    # Born so that DTaP-1 (2 months) is due today and DTaP-2 (4 months) is far off.
    born = add_months(TODAY, -2) if add_months(add_months(TODAY, -2), 2) == TODAY else None
    if born is None:
        pytest.skip("today is a clamped month end; the unit tests cover the arithmetic")
    child = make_child(parent, birth_date=born)
    by_code = {i["code"]: i for i in _plan(client, headers, child)["items"]}
    assert by_code["DTaP-1"]["status"] == "due"
    assert by_code["DTaP-2"]["status"] == "upcoming"
    assert by_code["HepB-1"]["status"] == "overdue"
    assert by_code["HepB-1"]["past_latest"] is True


def test_vaccine_choices_switch_the_je_and_hepa_series(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=date(2025, 1, 31), je_choice="inactivated",
                       hepa_choice="inactivated")
    codes = _codes(_plan(client, headers, child))
    assert {"JE-I-1", "JE-I-2", "JE-I-3", "JE-I-4", "HepA-I-1", "HepA-I-2"} <= set(codes)
    assert not {"JE-L-1", "JE-L-2", "HepA-L"} & set(codes)
    by_code = {i["code"]: i for i in _plan(client, headers, child)["items"]}
    assert by_code["JE-I-2"]["due_date"] == "2025-10-07"


def test_recording_marks_done_and_recording_again_replaces_the_date(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=date(2025, 1, 31))
    url = f"/api/v1/children/{child.id}/health-records"
    first = client.post(url, headers=headers, json={"code": "DTaP-1", "done_on": "2025-04-02"})
    assert first.status_code == 201
    assert first.get_json() == {"code": "DTaP-1", "codes": ["DTaP-1"], "product": None,
                                "done_on": "2025-04-02"}
    again = client.post(url, headers=headers, json={"code": "DTaP-1", "done_on": "2025-04-05"})
    assert again.status_code == 200
    item = {i["code"]: i for i in _plan(client, headers, child)["items"]}["DTaP-1"]
    assert (item["status"], item["done_on"], item["past_latest"]) == ("done", "2025-04-05", False)
    assert db.session.scalar(db.select(db.func.count()).select_from(HealthRecord)) == 1

    assert client.delete(f"{url}/DTaP-1", headers=headers).status_code == 204
    item = {i["code"]: i for i in _plan(client, headers, child)["items"]}["DTaP-1"]
    assert item["status"] != "done" and item["done_on"] is None
    again = client.delete(f"{url}/DTaP-1", headers=headers)
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"


def test_a_five_in_one_dose_counts_for_dtap_and_polio_and_is_deleted_as_one(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=date(2025, 1, 31))
    url = f"/api/v1/children/{child.id}/health-records"
    for day in ("2025-03-31", "2025-04-30", "2025-05-31"):
        response = client.post(url, headers=headers,
                               json={"product": "DTaP-IPV-Hib", "done_on": day})
        assert response.status_code == 201
    assert response.get_json() == {"code": "DTaP-3", "codes": ["DTaP-3", "bOPV-1"],
                                   "product": "DTaP-IPV-Hib", "done_on": "2025-05-31"}
    again = client.post(url, headers=headers,
                        json={"product": "DTaP-IPV-Hib", "done_on": "2025-05-31"})
    assert again.status_code == 200 and again.get_json()["codes"] == ["DTaP-3", "bOPV-1"]
    items = {i["code"]: i for i in _plan(client, headers, child)["items"]}
    assert (items["bOPV-1"]["status"], items["bOPV-1"]["product"]) == ("done", "DTaP-IPV-Hib")
    assert (items["DTaP-3"]["done_on"], items["DTaP-3"]["product"]) == ("2025-05-31",
                                                                        "DTaP-IPV-Hib")
    assert db.session.scalar(db.select(db.func.count()).select_from(HealthRecord)) == 6

    assert client.delete(f"{url}/DTaP-3", headers=headers).status_code == 204
    items = {i["code"]: i for i in _plan(client, headers, child)["items"]}
    assert items["bOPV-1"]["done_on"] is None and items["DTaP-3"]["done_on"] is None
    assert items["IPV-2"]["product"] == "DTaP-IPV-Hib"
    assert db.session.scalar(db.select(db.func.count()).select_from(HealthRecord)) == 4


def test_a_product_whose_doses_are_all_recorded_is_refused(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=date(2021, 3, 1))
    url = f"/api/v1/children/{child.id}/health-records"
    for n, day in enumerate(["2021-05-01", "2021-06-01"], start=1):
        assert client.post(url, headers=headers,
                           json={"code": f"MMR-{n}", "done_on": day}).status_code == 201
    response = client.post(url, headers=headers, json={"product": "MMR", "done_on": "2022-01-01"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"
    assert db.session.scalar(db.select(db.func.count()).select_from(HealthRecord)) == 2


@pytest.mark.parametrize(("body", "fields"), [
    ({"done_on": "2025-03-01"}, {"code", "product"}),
    ({"code": "BCG", "product": "MMR", "done_on": "2025-03-01"}, {"code", "product"}),
    ({"product": "DTaP-IPV-Hib-HepB", "done_on": "2025-03-01"}, {"product"}),
])
def test_a_record_names_a_code_or_a_known_product(client, auth, body, fields):
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=date(2025, 1, 31))
    response = client.post(f"/api/v1/children/{child.id}/health-records", headers=headers,
                           json=body)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == fields
    assert db.session.scalar(db.select(db.func.count()).select_from(HealthRecord)) == 0


@pytest.mark.parametrize(("body", "field", "problem"), [
    ({"code": "NOPE-1", "done_on": "2025-03-01"}, "code", "没有这个疫苗或体检项目代码。"),
    ({"code": "BCG", "done_on": "2025-01-30"}, "done_on", "完成日期不能早于出生日期。"),
    ({"code": "BCG", "done_on": (TODAY + timedelta(days=1)).isoformat()}, "done_on",
     "完成日期不能晚于今天。"),
    ({"code": "BCG", "done_on": "31/01/2025"}, "done_on", "应为 YYYY-MM-DD 格式的日期。"),
    ({"code": "BCG"}, "done_on", "必填。"),
    ({"code": "BCG", "done_on": "2025-03-01", "note": "x"}, "note", "不支持的字段。"),
])
def test_bad_records_are_rejected_and_nothing_is_stored(client, auth, body, field, problem):
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=date(2025, 1, 31))
    response = client.post(f"/api/v1/children/{child.id}/health-records", headers=headers,
                           json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert response.get_json()["error"]["details"][field] == [problem]
    assert db.session.scalar(db.select(db.func.count()).select_from(HealthRecord)) == 0


def test_another_parents_child_plan_and_records_are_not_found(client, auth):
    owner, _ = auth.parent()
    _, stranger = auth.parent()
    child = make_child(owner)
    base = f"/api/v1/children/{child.id}"
    responses = [
        client.get(f"{base}/health-plan", headers=stranger),
        client.post(f"{base}/health-records", headers=stranger,
                    json={"code": "BCG", "done_on": "2025-06-02"}),
        client.delete(f"{base}/health-records/BCG", headers=stranger),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert {r.get_json()["error"]["code"] for r in responses} == {"not_found"}


def test_health_plan_is_for_parents(client, auth):
    _, headers = auth.operator()
    assert_error(client.get("/api/v1/children/1/health-plan", headers=headers), 403, "forbidden")


def test_plan_uses_the_same_number_of_statements_whatever_is_recorded(client, auth):
    parent, headers = auth.parent()
    bare = make_child(parent, birth_date=date(2021, 3, 1))
    busy = make_child(parent, birth_date=date(2021, 3, 1))
    for n, code in enumerate(["HepB-1", "BCG", "HepB-2", "IPV-1", "DTaP-1", "IPV-2", "CHK-1M"]):
        db.session.add(HealthRecord(child_id=busy.id, code=code, done_on=date(2021, 3, 2 + n)))
    db.session.commit()
    counts = []
    for child_id in (bare.id, busy.id):
        db.session.expunge_all()  # a fresh request starts with an empty identity map
        with count_statements() as statements:
            response = client.get(f"/api/v1/children/{child_id}/health-plan", headers=headers)
        assert response.status_code == 200
        counts.append(len(statements))
    # token+user, child, records
    assert counts[0] == counts[1] == 3


def test_deleting_the_child_or_the_account_deletes_its_records(client, auth):
    parent, headers = auth.parent()
    first, second = make_child(parent), make_child(parent)
    for child in (first, second):
        done_on = (child.birth_date + timedelta(days=1)).isoformat()
        recorded = client.post(f"/api/v1/children/{child.id}/health-records", headers=headers,
                               json={"code": "BCG", "done_on": done_on})
        assert recorded.status_code == 201, recorded.get_json()
    client.delete(f"/api/v1/children/{first.id}", headers=headers)
    assert db.session.scalar(db.select(db.func.count()).select_from(HealthRecord)) == 1
    client.delete("/api/v1/me", headers=headers)
    assert db.session.scalar(db.select(db.func.count()).select_from(HealthRecord)) == 0
