from datetime import date, timedelta

import pytest

from parentapp.models import utcnow
from parentapp.timeutil import local_today, years_before
from tests.asserts import assert_error
from tests.factories import make_child

TODAY = local_today(utcnow())
VALID = {"name": "小明", "birth_date": "2025-06-01", "gender": "male"}


def test_parent_adds_lists_reads_updates_and_deletes_a_child(client, auth):
    _, headers = auth.parent()
    created = client.post("/api/v1/children", json=VALID, headers=headers)
    assert created.status_code == 201
    child = created.get_json()
    assert child["name"] == "小明" and child["gender"] == "male"
    assert child["vaccine_choices"] == {"je": "live", "hepa": "live"}
    assert isinstance(child["age_months"], int)

    listing = client.get("/api/v1/children", headers=headers).get_json()
    assert listing == {"items": [child], "page": 1, "per_page": 20, "total": 1}

    url = f"/api/v1/children/{child['id']}"
    assert client.get(url, headers=headers).get_json() == child
    patched = client.patch(url, headers=headers,
                           json={"name": "小明明", "vaccine_choices": {"je": "inactivated"}})
    assert patched.status_code == 200
    assert patched.get_json()["name"] == "小明明"
    assert patched.get_json()["vaccine_choices"] == {"je": "inactivated", "hepa": "live"}

    assert client.delete(url, headers=headers).status_code == 204
    assert_error(client.get(url, headers=headers), 404, "not_found")


def test_age_months_counts_whole_months_completed(client, auth):
    parent, headers = auth.parent()
    born = years_before(TODAY, 1)
    child = make_child(parent, birth_date=born)
    body = client.get(f"/api/v1/children/{child.id}", headers=headers).get_json()
    assert body["age_months"] == 12


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("name", "", "长度应为 1 到 20 个字符。"),
    ("name", "   ", "不能只有空白或不可见字符。"),
    ("name", "张" * 21, "长度应为 1 到 20 个字符。"),
    ("name", 5, "应为字符串。"),
    ("birth_date", (TODAY + timedelta(days=1)).isoformat(), "出生日期不能晚于今天。"),
    ("birth_date", (years_before(TODAY, 6) - timedelta(days=1)).isoformat(),
     "出生日期不能早于 6 年前。"),
    ("birth_date", "2025-02-30", "应为 YYYY-MM-DD 格式的日期。"),
    ("gender", "boy", "应为以下之一：male、female。"),
    ("gender", None, "不能为空。"),
])
def test_bad_child_fields_are_rejected_with_the_rule(client, auth, field, value, problem):
    _, headers = auth.parent()
    response = client.post("/api/v1/children", headers=headers, json={**VALID, field: value})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert problem in error["details"][field]
    assert client.get("/api/v1/children", headers=headers).get_json()["total"] == 0


@pytest.mark.parametrize("birth_date", [TODAY, years_before(TODAY, 6)])
def test_birth_date_bounds_are_inclusive(client, auth, birth_date):
    _, headers = auth.parent()
    response = client.post("/api/v1/children", headers=headers,
                           json={**VALID, "birth_date": birth_date.isoformat()})
    assert response.status_code == 201


def test_patch_validates_like_create(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent)
    response = client.patch(f"/api/v1/children/{child.id}", headers=headers,
                            json={"vaccine_choices": {"je": "maybe"}})
    assert_error(response, 422, "validation_error")
    assert response.get_json()["error"]["details"] == {
        "vaccine_choices": {"je": ["应为以下之一：live、inactivated。"]}}


def test_another_parents_child_is_not_found(client, auth):
    owner, _ = auth.parent()
    _, stranger = auth.parent()
    child = make_child(owner)
    url = f"/api/v1/children/{child.id}"
    for response in (client.get(url, headers=stranger),
                     client.patch(url, headers=stranger, json={"name": "x"}),
                     client.delete(url, headers=stranger)):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/children", headers=stranger).get_json()["total"] == 0


@pytest.mark.parametrize("role", ["operator", "regulator"])
def test_children_are_for_parents_only(client, auth, role):
    _, headers = getattr(auth, role)()
    response = client.get("/api/v1/children", headers=headers)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=0", "page=x"])
def test_bad_pagination_is_a_validation_error(client, auth, query):
    _, headers = auth.parent()
    response = client.get(f"/api/v1/children?{query}", headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_pagination_pages_through_children(client, auth):
    parent, headers = auth.parent()
    for n in range(5):
        make_child(parent, name=f"孩子{n}", birth_date=date(2025, 1, 1 + n))
    page = client.get("/api/v1/children?page=2&per_page=2", headers=headers).get_json()
    assert [c["name"] for c in page["items"]] == ["孩子2", "孩子3"]
    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 5)
