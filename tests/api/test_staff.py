"""A nursery's staff through the API: hire, list, change, leave, check-in and check-out."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from parentapp.extensions import db
from parentapp.models import StaffDuty, StaffMember
from tests.asserts import assert_error
from tests.booking_factories import fresh
from tests.factories import make_nursery
from tests.staff_factories import make_staff

HIRE = {"name": "王老师", "phone": "13812345678", "role": "carer",
        "certificates": [{"kind": "保育员证", "number": "BY2024001", "expires_on": "2029-06-30"}],
        "health_certificate_expires_on": "2027-03-01"}


def hire(client, headers, nursery_id, **changes):
    return client.post(f"/api/v1/operator/nurseries/{nursery_id}/staff", headers=headers,
                       json={**HIRE, **changes})


def act(client, headers, staff_id, action):
    return client.post(f"/api/v1/operator/staff/{staff_id}/{action}", headers=headers)


def test_an_operator_hires_a_carer_and_sees_the_full_phone(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    response = hire(client, headers, nursery.id)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["phone"] == "13812345678" and body["role"] == "carer"
    assert body["certificates"] == HIRE["certificates"]
    assert body["health_certificate_expires_on"] == "2027-03-01"
    assert (body["active"], body["on_duty"], body["left_at"], body["on_duty_since"]) == (
        True, False, None, None)
    listed = client.get(f"/api/v1/operator/nurseries/{nursery.id}/staff", headers=headers)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.get_json()["items"]] == [body["id"]]


def test_certificates_and_the_health_certificate_are_optional(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    body = {"name": "赵阿姨", "phone": "13912345678", "role": "cook"}
    response = client.post(f"/api/v1/operator/nurseries/{nursery.id}/staff", headers=headers,
                           json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["certificates"] == []


@pytest.mark.parametrize(("change", "field"), [
    ({"phone": "12812345678"}, "phone"),
    ({"phone": "1381234567"}, "phone"),
    ({"role": "teacher"}, "role"),
    ({"name": ""}, "name"),
    ({"health_certificate_expires_on": "2027-02-30"}, "health_certificate_expires_on"),
    ({"certificates": [{"kind": "保育员证"}]}, "certificates"),
    ({"certificates": "保育员证"}, "certificates"),
    ({"salary": 1}, "salary"),
])
def test_a_hire_with_a_wrong_field_is_refused_naming_it(client, auth, change, field):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    error = assert_error(hire(client, headers, nursery.id, **change), 422, "validation_error")
    assert field in error["details"]
    assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 0


def test_a_phone_active_at_another_nursery_cannot_be_hired(client, auth):
    operator, headers = auth.operator()
    first, second = make_nursery(operator), make_nursery(operator)
    assert hire(client, headers, first.id).status_code == 201
    assert_error(hire(client, headers, second.id), 409, "staff_already_employed")
    assert_error(hire(client, headers, first.id), 409, "staff_already_employed")


def test_after_leaving_the_person_is_history_and_may_be_hired_elsewhere(client, auth):
    operator, headers = auth.operator()
    first, second = make_nursery(operator), make_nursery(operator)
    staff_id = hire(client, headers, first.id).get_json()["id"]
    act(client, headers, staff_id, "check-in")
    response = client.delete(f"/api/v1/operator/staff/{staff_id}", headers=headers)
    assert response.status_code == 200
    assert (response.get_json()["active"], response.get_json()["on_duty"]) == (False, False)
    assert fresh(StaffDuty, 1).checked_out_at is not None
    listed = client.get(f"/api/v1/operator/nurseries/{first.id}/staff", headers=headers)
    assert [i["active"] for i in listed.get_json()["items"]] == [False]
    assert_error(act(client, headers, staff_id, "check-in"), 409, "staff_left")
    assert_error(client.delete(f"/api/v1/operator/staff/{staff_id}", headers=headers),
                 409, "staff_left")
    assert hire(client, headers, second.id).status_code == 201


def test_a_change_applies_only_the_given_fields(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    staff_id = hire(client, headers, nursery.id).get_json()["id"]
    response = client.patch(f"/api/v1/operator/staff/{staff_id}", headers=headers,
                            json={"role": "health", "certificates": []})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["role"], body["certificates"], body["name"]) == ("health", [], "王老师")
    error = assert_error(client.patch(f"/api/v1/operator/staff/{staff_id}", headers=headers,
                                      json={"phone": "123"}), 422, "validation_error")
    assert "phone" in error["details"]


def test_a_change_to_a_phone_active_elsewhere_is_refused(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    other = make_staff(make_nursery(), phone="13700000001")
    staff_id = hire(client, headers, nursery.id).get_json()["id"]
    assert_error(client.patch(f"/api/v1/operator/staff/{staff_id}", headers=headers,
                              json={"phone": other.phone}), 409, "staff_already_employed")
    assert fresh(StaffMember, staff_id).phone == HIRE["phone"]


def test_check_in_and_out_record_who_is_on_duty(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator)
    staff_id = hire(client, headers, nursery.id).get_json()["id"]
    response = act(client, headers, staff_id, "check-in")
    assert response.status_code == 200
    assert response.get_json()["on_duty"] is True
    assert response.get_json()["on_duty_since"] is not None
    assert_error(act(client, headers, staff_id, "check-in"), 409, "staff_on_duty")
    response = act(client, headers, staff_id, "check-out")
    assert response.status_code == 200 and response.get_json()["on_duty"] is False
    assert_error(act(client, headers, staff_id, "check-out"), 409, "staff_not_on_duty")
    assert act(client, headers, staff_id, "check-in").status_code == 200  # a second stretch


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/v1/operator/nurseries/{nursery}/staff", None),
    ("POST", "/api/v1/operator/nurseries/{nursery}/staff", HIRE),
    ("GET", "/api/v1/operator/nurseries/{nursery}/ratio", None),
    ("PATCH", "/api/v1/operator/staff/{staff}", {"name": "改名"}),
    ("DELETE", "/api/v1/operator/staff/{staff}", None),
    ("POST", "/api/v1/operator/staff/{staff}/check-in", None),
    ("POST", "/api/v1/operator/staff/{staff}/check-out", None),
])
def test_another_operators_staff_and_nursery_are_not_found(client, auth, method, path, body):
    _, headers = auth.operator()
    nursery = make_nursery()
    staff = make_staff(nursery)
    url = path.format(nursery=nursery.id, staff=staff.id)
    assert_error(client.open(url, method=method, headers=headers, json=body), 404, "not_found")
    staff = fresh(StaffMember, staff.id)
    assert (staff.name, staff.left_at, staff.open_duty) == ("李老师", None, None)


def test_parents_and_regulators_may_not_see_staff(client, auth):
    nursery = make_nursery()
    for role in ("parent", "regulator"):
        _, headers = getattr(auth, role)()
        assert_error(client.get(f"/api/v1/operator/nurseries/{nursery.id}/staff",
                                headers=headers), 403, "forbidden")
