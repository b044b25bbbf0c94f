from datetime import date, timedelta

from parentapp.extensions import db
from parentapp.models import Booking, HealthRecord, utcnow
from parentapp.timeutil import local_today
from tests.asserts import assert_error
from tests.factories import make_child, make_nursery, make_user

TODAY = local_today(utcnow())


def _booking(operator, child) -> Booking:
    nursery = make_nursery(operator)
    booking = Booking(parent_id=child.first_guardian_id, child_id=child.id, nursery_id=nursery.id,
                      care_type="full_day", status="confirmed", price_fen=0,
                      cancel_cutoff_hours=24)
    db.session.add(booking)
    db.session.commit()
    return booking


def test_the_nursery_sees_only_which_vaccines_are_missing(client, auth):
    operator, headers = auth.operator()
    child = make_child(make_user("parent"), birth_date=TODAY - timedelta(days=400))
    for code in ("HepB-1", "BCG", "HepB-2", "IPV-1", "DTaP-1", "IPV-2"):
        db.session.add(HealthRecord(child_id=child.id, code=code, done_on=child.birth_date))
    db.session.add(HealthRecord(child_id=child.id, code="CHK-1M", done_on=child.birth_date))
    db.session.commit()
    booking = _booking(operator, child)
    response = client.get(f"/api/v1/operator/bookings/{booking.id}/health-summary",
                          headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    # 400 days old: doses due by 12 months (past 30 days' grace) and not recorded.
    assert set(body["missing_vaccines"]) == {"bOPV-1", "DTaP-2", "HepB-3", "DTaP-3",
                                             "MPSV-A-1", "MMR-1", "JE-L-1", "MPSV-A-2"}
    assert body["vaccinations_up_to_date"] is False
    assert set(body) == {"booking_id", "child_id", "vaccinations_up_to_date",
                         "missing_vaccines", "checked_on", "grace_days", "schedule_version"}
    assert body["grace_days"] == 30 and body["checked_on"] == TODAY.isoformat()


def test_a_newborn_with_the_birth_doses_is_up_to_date(client, auth):
    operator, headers = auth.operator()
    child = make_child(make_user("parent"), birth_date=TODAY - timedelta(days=20))
    booking = _booking(operator, child)
    body = client.get(f"/api/v1/operator/bookings/{booking.id}/health-summary",
                      headers=headers).get_json()
    # HepB-1 and BCG are due at birth but still within 30 days' grace.
    assert body["missing_vaccines"] == [] and body["vaccinations_up_to_date"] is True


def test_another_nurserys_booking_is_not_found(client, auth):
    _, headers = auth.operator()
    child = make_child(make_user("parent"), birth_date=date(2025, 1, 1))
    booking = _booking(make_user("operator"), child)
    response = client.get(f"/api/v1/operator/bookings/{booking.id}/health-summary",
                          headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    missing = client.get("/api/v1/operator/bookings/999999/health-summary", headers=headers)
    assert_error(missing, 404, "not_found")


def test_a_deleted_child_is_not_found(client, auth):
    operator, headers = auth.operator()
    child = make_child(make_user("parent"), birth_date=date(2025, 1, 1))
    booking = _booking(operator, child)
    db.session.delete(child)
    db.session.commit()
    response = client.get(f"/api/v1/operator/bookings/{booking.id}/health-summary",
                          headers=headers)
    assert_error(response, 404, "not_found")


def test_parents_cannot_read_health_summaries(client, auth):
    _, headers = auth.parent()
    response = client.get("/api/v1/operator/bookings/1/health-summary", headers=headers)
    assert_error(response, 403, "forbidden")
