"""Morning checks (晨检) and the reason of a no-show, through the operator API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from parentapp.extensions import db
from parentapp.models import Absence, Alert, HealthCheck, Notification
from tests.alert_factories import booked_child
from tests.asserts import assert_error
from tests.booking_factories import setup_nursery, today
from tests.factories import make_user

CHECK = {"temperature_c": 38.2, "symptoms": ["fever", "cough"], "result": "sent_home"}


def check(client, headers, booking_id, **body):
    return client.post(f"/api/v1/operator/bookings/{booking_id}/health-check", headers=headers,
                       json={**CHECK, **body})


def no_show(client, headers, booking_id, **body):
    return client.post(f"/api/v1/operator/bookings/{booking_id}/no-show", headers=headers,
                       json=body)


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_first_check_of_the_day_is_created_and_a_second_replaces_it(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    booking = booked_child(nursery, today())
    first = check(client, headers, booking.id, symptoms=["cough", "fever", "cough"])
    assert first.status_code == 201
    body = first.get_json()
    assert {k: body[k] for k in ("booking_id", "child_id", "date", "temperature_c", "symptoms",
                                 "result")} == {
        "booking_id": booking.id, "child_id": booking.child_id, "date": today().isoformat(),
        "temperature_c": 38.2, "symptoms": ["fever", "cough"], "result": "sent_home"}
    again = check(client, headers, booking.id, temperature_c=36.5, symptoms=[], result="ok")
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]
    assert again.get_json()["result"] == "ok"
    assert count(HealthCheck) == 1


@pytest.mark.parametrize(("body", "fields"), [
    ({"temperature_c": 33.9}, {"temperature_c"}),
    ({"temperature_c": 43.1}, {"temperature_c"}),
    ({"temperature_c": "热"}, {"temperature_c"}),
    ({"symptoms": ["sneezing"]}, {"symptoms"}),
    ({"result": "hospital"}, {"result"}),
    ({"temperature_c": 50, "result": "x"}, {"temperature_c", "result"}),
])
def test_a_check_out_of_range_names_its_fields(client, auth, body, fields):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    booking = booked_child(nursery, today())
    error = assert_error(check(client, headers, booking.id, **body), 422, "validation_error")
    assert set(error["details"]) == fields
    assert count(HealthCheck) == 0


def test_a_check_needs_every_required_field(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    booking = booked_child(nursery, today())
    response = client.post(f"/api/v1/operator/bookings/{booking.id}/health-check",
                           headers=headers, json={})
    error = assert_error(response, 422, "validation_error")
    assert set(error["details"]) == {"temperature_c", "result"}


def test_a_booking_without_a_slot_today_cannot_be_checked(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    booking = booked_child(nursery, today() + timedelta(days=2))
    assert_error(check(client, headers, booking.id), 409, "invalid_state")
    assert count(HealthCheck) == 0


def test_another_operators_booking_is_not_found_and_parents_are_refused(client, auth):
    _, headers = auth.operator()
    booking = booked_child(setup_nursery("full_day", make_user("operator"))[0], today())
    assert_error(check(client, headers, booking.id), 404, "not_found")
    assert_error(check(client, headers, 999_999), 404, "not_found")
    _, parent = auth.parent()
    assert_error(check(client, parent, booking.id), 403, "forbidden")
    assert count(HealthCheck) == 0


def test_three_children_sent_home_with_a_shared_symptom_open_one_cluster(client, auth):
    operator, headers = auth.operator()
    regulators = [make_user("regulator") for _ in range(2)]
    nursery, _ = setup_nursery("full_day", operator)
    bookings = [booked_child(nursery, today()) for _ in range(4)]
    for booking in bookings[:2]:
        assert check(client, headers, booking.id).status_code == 201
    assert count(Alert) == 0
    assert check(client, headers, bookings[2].id, symptoms=["fever"]).status_code == 201
    [alert] = db.session.scalars(select(Alert)).all()
    assert alert.kind == "illness_cluster" and alert.nursery_id == nursery.id
    assert alert.details == {"symptom": "fever", "window": "day", "from": today().isoformat(),
                             "to": today().isoformat(), "children": 3}
    told = db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "alert", Notification.subject_id == alert.id)).all()
    assert sorted(told) == sorted([operator.id, *(r.id for r in regulators)])
    # a fourth child with fever, or a check written again, opens nothing new
    assert check(client, headers, bookings[3].id, symptoms=["fever"]).status_code == 201
    assert check(client, headers, bookings[0].id).status_code == 200
    assert count(Alert) == 1
    assert count(Notification, Notification.kind == "alert") == 3


def test_children_checked_ok_or_with_different_symptoms_are_no_cluster(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    bookings = [booked_child(nursery, today()) for _ in range(4)]
    check(client, headers, bookings[0].id, symptoms=["fever"])
    check(client, headers, bookings[1].id, symptoms=["rash"])
    check(client, headers, bookings[2].id, symptoms=["fever"], result="ok")
    check(client, headers, bookings[3].id, symptoms=["cough"])
    assert count(Alert) == 0


def test_a_no_show_keeps_its_reason_and_illness_absences_open_a_cluster(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    day = today() - timedelta(days=1)
    bookings = [booked_child(nursery, day) for _ in range(3)]
    response = no_show(client, headers, bookings[0].id, date=day.isoformat(),
                       reason="illness", symptoms=["diarrhoea"])
    assert response.status_code == 200 and response.get_json()["status"] == "no_show"
    absence = db.session.scalar(select(Absence))
    assert (absence.reason, absence.symptoms, absence.day) == ("illness", ["diarrhoea"], day)
    no_show(client, headers, bookings[1].id, date=day.isoformat(), reason="illness",
            symptoms=["diarrhoea", "vomiting"])
    assert count(Alert) == 0
    no_show(client, headers, bookings[2].id, date=day.isoformat(), reason="illness",
            symptoms=["diarrhoea"])
    [alert] = db.session.scalars(select(Alert)).all()
    assert alert.cause_key == f"illness_cluster:{nursery.id}:{day.isoformat()}:diarrhoea:day"


def test_a_no_show_without_a_body_or_reason_records_no_absence(client, auth):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    day = today() - timedelta(days=1)
    first, second = booked_child(nursery, day), booked_child(nursery, day)
    response = client.post(f"/api/v1/operator/bookings/{first.id}/no-show",
                           headers=headers)
    assert response.status_code == 409  # no body: today, whose slot the child never had
    assert no_show(client, headers, second.id, date=day.isoformat()).status_code == 200
    assert count(Absence) == 0


@pytest.mark.parametrize(("body", "fields"), [
    ({"reason": "holiday"}, {"reason"}),
    ({"reason": "illness", "symptoms": ["sneezing"]}, {"symptoms"}),
    ({"symptoms": ["fever"]}, {"symptoms"}),
])
def test_a_wrong_absence_reason_names_its_fields(client, auth, body, fields):
    operator, headers = auth.operator()
    nursery, _ = setup_nursery("full_day", operator)
    day = today() - timedelta(days=1)
    booking = booked_child(nursery, day)
    error = assert_error(no_show(client, headers, booking.id, date=day.isoformat(), **body),
                         422, "validation_error")
    assert set(error["details"]) == fields
    assert count(Absence) == 0
