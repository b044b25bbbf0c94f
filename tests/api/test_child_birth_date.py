"""A new birth date must fit the child's health records and confirmed bookings."""

from datetime import timedelta

from parentapp.extensions import db
from parentapp.models import Child, HealthRecord, ReminderPlan, utcnow
from parentapp.service_settings import offer_minutes
from parentapp.services.booking.cancellation import cancel_booking
from parentapp.timeutil import add_months
from tests.asserts import assert_error
from tests.booking_factories import book, fresh, make_slot, setup_nursery, today
from tests.factories import make_child


def guardian(child):
    return child.people[0].user_id


def _family(auth, record_on_day: int | None = None):
    """A child of 18 months booked into a 12-24 months offering in 3 days; optionally a
    HepB-1 record ``record_on_day`` days after birth."""
    parent, headers = auth.parent()
    child = make_child(parent)
    nursery, _ = setup_nursery(age_min_months=12, age_max_months=24)
    booking = book(parent, [make_slot(nursery)], child)
    if record_on_day is not None:
        db.session.add(HealthRecord(child_id=child.id, code="HepB-1",
                                    done_on=child.birth_date + timedelta(days=record_on_day),
                                    recorded_at=utcnow()))
        db.session.commit()
    return headers, child, booking


def _patch(client, headers, child, birth_date):
    return client.patch(f"/api/v1/children/{child.id}", headers=headers,
                        json={"birth_date": birth_date.isoformat()})


def _assert_unchanged(child, records: int):
    born = child.birth_date
    assert fresh(Child, child.id).birth_date == born
    assert db.session.query(HealthRecord).filter_by(child_id=child.id).count() == records
    assert db.session.get(ReminderPlan, child.id) is None


def test_a_birth_date_after_a_recorded_dose_is_refused_naming_it(client, auth):
    headers, child, _ = _family(auth, record_on_day=0)
    response = _patch(client, headers, child, child.birth_date + timedelta(days=10))
    error = assert_error(response, 409, "invalid_state")
    assert error["details"] == {"field": "birth_date", "health_records": ["HepB-1"],
                                        "booking_ids": []}
    _assert_unchanged(child, records=1)


def test_a_birth_date_that_puts_a_booking_outside_its_ages_is_refused_naming_it(client, auth):
    headers, child, booking = _family(auth)
    response = _patch(client, headers, child, add_months(today(), -6))
    error = assert_error(response, 409, "invalid_state")
    assert error["details"] == {"field": "birth_date", "health_records": [],
                                        "booking_ids": [booking.id]}
    _assert_unchanged(child, records=0)
    assert fresh(type(booking), booking.id).status == "confirmed"


def test_a_birth_date_failing_both_names_records_and_bookings(client, auth):
    headers, child, booking = _family(auth, record_on_day=1)
    error = assert_error(_patch(client, headers, child, add_months(today(), -6)),
                         409, "invalid_state")
    assert error["details"] == {"field": "birth_date", "health_records": ["HepB-1"],
                                        "booking_ids": [booking.id]}
    assert "出生日期" in error["message"]
    _assert_unchanged(child, records=1)


def test_a_birth_date_that_fits_is_applied_and_replans_the_reminders(client, auth):
    headers, child, _ = _family(auth, record_on_day=0)
    earlier = child.birth_date - timedelta(days=20)
    response = _patch(client, headers, child, earlier)
    assert response.status_code == 200 and response.get_json()["birth_date"] == earlier.isoformat()
    assert fresh(Child, child.id).birth_date == earlier
    plan = db.session.get(ReminderPlan, child.id)
    assert plan.version > plan.planned_version  # the next planning run looks at the child


def test_a_record_on_the_new_birth_date_itself_fits(client, auth):
    headers, child, _ = _family(auth, record_on_day=5)
    response = _patch(client, headers, child, child.birth_date + timedelta(days=5))
    assert response.status_code == 200


def test_cancelled_bookings_do_not_hold_back_a_new_birth_date(client, auth):
    headers, child, booking = _family(auth)
    cancel_booking(guardian(child), booking.id, None, utcnow(), offer_minutes=offer_minutes())
    assert _patch(client, headers, child, add_months(today(), -6)).status_code == 200


def test_the_same_birth_date_again_checks_nothing(client, auth):
    headers, child, _ = _family(auth, record_on_day=0)
    db.session.execute(db.update(HealthRecord).values(done_on=child.birth_date - timedelta(days=1)))
    db.session.commit()  # a record the old rules let in: resending the date still works
    assert _patch(client, headers, child, child.birth_date).status_code == 200
