from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from parentapp.models import ClassEnrollment, Notification, User, utcnow
from parentapp.timeutil import LOCAL_TZ, add_months
from tests.asserts import assert_error
from tests.factories import bearer, make_child, make_class, make_enrollment, make_user
from tests.sqlcount import count_statements

URL = "/api/v1/classes"


def enroll(client, cls, headers, child_id=None):
    body = {} if child_id is None else {"child_id": child_id}
    return client.post(f"{URL}/{cls.id}/enrollments", headers=headers, json=body)


def entry_count(db, cls):
    return db.session.scalar(select(func.count()).select_from(ClassEnrollment)
                             .where(ClassEnrollment.class_id == cls.id))


def kinds_told(db, user):
    return [n.kind for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


def test_a_family_takes_a_seat(client, auth):
    cls = make_class(capacity=2)
    _, headers = auth.parent()
    response = enroll(client, cls, headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "enrolled" and body["position"] is None
    assert body["class_id"] == cls.id and body["child_id"] is None
    listed = client.get(f"{URL}/{cls.id}").get_json()
    assert (listed["enrolled"], listed["remaining"]) == (1, 1)


def test_a_full_class_puts_families_on_the_waitlist_in_order(client, auth):
    cls = make_class(capacity=1)
    answers = [enroll(client, cls, auth.parent()[1]) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [(a.get_json()["status"], a.get_json()["position"]) for a in answers] == [
        ("enrolled", None), ("waitlisted", 1), ("waitlisted", 2)]
    listed = client.get(f"{URL}/{cls.id}").get_json()
    assert (listed["enrolled"], listed["remaining"], listed["waitlist_length"]) == (1, 0, 2)


def test_one_seat_or_place_per_child_and_one_per_account_alone(client, auth, db):
    cls = make_class(capacity=1)
    enroll(client, cls, auth.parent()[1])
    parent, headers = auth.parent()
    child = make_child(parent)
    assert enroll(client, cls, headers).status_code == 201  # waitlisted, for the parent
    alone_again = enroll(client, cls, headers)
    assert alone_again.status_code == 409
    assert alone_again.get_json()["error"]["code"] == "already_enrolled"
    assert enroll(client, cls, headers, child.id).status_code == 201  # the child's own
    again = enroll(client, cls, headers, child.id)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_enrolled"
    assert entry_count(db, cls) == 3


def test_the_database_refuses_a_second_active_entry(db):
    cls = make_class()
    family = make_user("parent")
    make_enrollment(cls, family)
    with pytest.raises(IntegrityError):
        make_enrollment(cls, family, status="waitlisted")
    db.session.rollback()
    make_enrollment(cls, family, status="left")  # history rows are not limited


def test_enrolment_closes_at_the_deadline(client, auth, db):
    cls = make_class(enroll_deadline=utcnow() - timedelta(seconds=1))
    _, headers = auth.parent()
    response = enroll(client, cls, headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "enrollment_closed"
    assert entry_count(db, cls) == 0


def test_a_cancelled_class_takes_no_one(client, auth, db):
    cls = make_class(cancelled_at=utcnow())
    response = enroll(client, cls, auth.parent()[1])
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "enrollment_closed"
    assert entry_count(db, cls) == 0


def test_someone_elses_child_is_not_found(client, auth, db):
    cls = make_class()
    other_child = make_child(make_user("parent"))
    response = enroll(client, cls, auth.parent()[1], other_child.id)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert_error(enroll(client, cls, auth.parent()[1], 424242), 404, "not_found")
    assert entry_count(db, cls) == 0


def test_an_unknown_class_is_not_found(client, auth):
    response = client.post(f"{URL}/424242/enrollments", headers=auth.parent()[1], json={})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("months_on_class_day", "accepted"), [
    (5, False), (6, True), (24, True), (25, False)])
def test_the_named_child_must_fit_the_age_band_on_the_class_date(client, auth, db,
                                                                  months_on_class_day, accepted):
    cls = make_class(child_age_min_months=6, child_age_max_months=24)
    class_day = cls.starts_at.astimezone(LOCAL_TZ).date()
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=add_months(class_day, -months_on_class_day))
    response = enroll(client, cls, headers, child.id)
    if accepted:
        assert response.status_code == 201
        assert response.get_json()["child_id"] == child.id
    else:
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "age_ineligible"
        assert "child_id" in response.get_json()["error"]["details"]
        assert entry_count(db, cls) == 0


def test_the_age_is_counted_on_the_class_date_not_today(client, auth):
    cls = make_class(child_age_min_months=6)
    class_day = cls.starts_at.astimezone(LOCAL_TZ).date()
    parent, headers = auth.parent()
    # Six months old on the class day, still five today.
    child = make_child(parent, birth_date=add_months(class_day, -6))
    assert enroll(client, cls, headers, child.id).status_code == 201


@pytest.mark.parametrize("body", [{"child_id": "x"}, {"child_id": 0}, {"child_id": 2**40},
                                  {"note": "hi"}])
def test_enrolment_body_is_validated(client, auth, body):
    cls = make_class()
    response = client.post(f"{URL}/{cls.id}/enrollments", headers=auth.parent()[1], json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("role", ["operator", "regulator"])
def test_only_parents_enrol(client, auth, role):
    cls = make_class()
    _, headers = getattr(auth, role)()
    assert_error(enroll(client, cls, headers), 403, "forbidden")
    assert_error(client.delete(f"{URL}/{cls.id}/enrollments/mine", headers=headers),
                 403, "forbidden")
    assert_error(client.get("/api/v1/me/enrollments", headers=headers), 403, "forbidden")
    assert_error(enroll(client, cls, {}), 401, "unauthorized")


def test_leaving_a_seat_enrols_the_first_waitlisted_family_and_tells_it(client, auth, db):
    cls = make_class(capacity=1)
    leaver, leaver_headers = auth.parent()
    enroll(client, cls, leaver_headers)
    first, first_headers = auth.parent()
    second, second_headers = auth.parent()
    enroll(client, cls, first_headers)
    enroll(client, cls, second_headers)
    response = client.delete(f"{URL}/{cls.id}/enrollments/mine", headers=leaver_headers)
    assert response.status_code == 204 and response.data == b""
    mine = client.get("/api/v1/me/enrollments", headers=first_headers).get_json()["items"]
    assert [(e["status"], e["position"]) for e in mine] == [("enrolled", None)]
    theirs = client.get("/api/v1/me/enrollments", headers=second_headers).get_json()["items"]
    assert [(e["status"], e["position"]) for e in theirs] == [("waitlisted", 1)]
    assert kinds_told(db, first) == ["class_promoted"]
    assert kinds_told(db, second) == [] and kinds_told(db, leaver) == []
    inbox = client.get("/api/v1/me/notifications", headers=first_headers).get_json()["items"]
    assert inbox[0]["link"] == f"/pages/classes/detail?id={cls.id}"


def test_a_waitlisted_family_leaving_moves_those_behind_up(client, auth, db):
    cls = make_class(capacity=1)
    enroll(client, cls, auth.parent()[1])
    _, quitter = auth.parent()
    last, last_headers = auth.parent()
    enroll(client, cls, quitter)
    enroll(client, cls, last_headers)
    assert client.delete(f"{URL}/{cls.id}/enrollments/mine", headers=quitter).status_code == 204
    mine = client.get("/api/v1/me/enrollments", headers=last_headers).get_json()["items"]
    assert [(e["status"], e["position"]) for e in mine] == [("waitlisted", 1)]
    assert kinds_told(db, last) == []


def test_leaving_without_an_entry_is_not_found(client, auth):
    cls = make_class()
    _, headers = auth.parent()
    response = client.delete(f"{URL}/{cls.id}/enrollments/mine", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    enroll(client, cls, headers)
    assert client.delete(f"{URL}/{cls.id}/enrollments/mine", headers=headers).status_code == 204
    again = client.delete(f"{URL}/{cls.id}/enrollments/mine", headers=headers)
    assert_error(again, 404, "not_found")


def test_leaving_after_the_start_is_refused(client, auth, db):
    start = utcnow() - timedelta(minutes=10)
    cls = make_class(starts_at=start, ends_at=start + timedelta(hours=2),
                     enroll_deadline=start - timedelta(days=1))
    parent, headers = auth.parent()
    entry = make_enrollment(cls, parent)
    response = client.delete(f"{URL}/{cls.id}/enrollments/mine", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"
    db.session.expire_all()
    assert db.session.get(ClassEnrollment, entry.id).status == "enrolled"


def test_a_family_that_left_may_rejoin_at_the_back_of_the_queue(client, auth):
    cls = make_class(capacity=1)
    enroll(client, cls, auth.parent()[1])
    _, headers = auth.parent()
    enroll(client, cls, headers)
    enroll(client, cls, auth.parent()[1])
    client.delete(f"{URL}/{cls.id}/enrollments/mine", headers=headers)
    response = enroll(client, cls, headers)
    assert response.status_code == 201
    assert (response.get_json()["status"], response.get_json()["position"]) == ("waitlisted", 2)


def test_my_enrollments_lists_every_entry_with_status_and_position(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent, birth_date=date(2025, 1, 1))
    seat = make_class(title="家长课堂")
    full = make_class(capacity=1)
    cancelled = make_class()
    make_enrollment(full)
    enroll(client, seat, headers, child.id)
    enroll(client, full, headers)
    enroll(client, cancelled, headers)
    _, regulator_headers = auth.regulator()
    client.post(f"/api/v1/organizer/classes/{cancelled.id}/cancel", headers=regulator_headers)
    response = client.get("/api/v1/me/enrollments", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 3
    rows = {row["class_id"]: row for row in body["items"]}
    assert (rows[seat.id]["status"], rows[seat.id]["position"]) == ("enrolled", None)
    assert rows[seat.id]["child_id"] == child.id
    assert rows[seat.id]["class"]["title"] == "家长课堂"
    assert rows[seat.id]["class"]["starts_at"].endswith("+08:00")
    assert (rows[full.id]["status"], rows[full.id]["position"]) == ("waitlisted", 1)
    assert (rows[cancelled.id]["status"], rows[cancelled.id]["position"]) == ("cancelled", None)
    assert rows[cancelled.id]["class"]["status"] == "cancelled"
    only = client.get("/api/v1/me/enrollments", headers=headers,
                      query_string={"status": "waitlisted"}).get_json()
    assert [row["class_id"] for row in only["items"]] == [full.id]
    stranger = client.get("/api/v1/me/enrollments", headers=auth.parent()[1]).get_json()
    assert stranger["total"] == 0


def test_my_enrollments_costs_the_same_statements_whatever_the_page_size(client, auth, db):
    parent, headers = auth.parent()
    full = make_class(capacity=1)
    make_enrollment(full)
    make_enrollment(full, parent, status="waitlisted")
    parent_id = parent.id
    db.session.remove()  # measure from a cold session, as a real request runs
    with count_statements() as few:
        assert client.get("/api/v1/me/enrollments", headers=headers).get_json()["total"] == 1
    parent = db.session.get(User, parent_id)  # the session was closed above
    for _ in range(8):
        make_enrollment(make_class(capacity=1), parent)
    db.session.remove()  # measure from a cold session, as a real request runs
    with count_statements() as many:
        assert client.get("/api/v1/me/enrollments", headers=headers).get_json()["total"] == 9
    assert len(few) == len(many)


def test_deleting_the_account_erases_entries_and_moves_waitlists(client, auth, db):
    cls = make_class(capacity=1)
    parent, headers = auth.parent()
    enroll(client, cls, headers)
    other = make_class(capacity=1)
    make_enrollment(other)
    enroll(client, other, headers)  # waitlisted there
    waiting = make_user("parent")
    make_enrollment(cls, waiting, status="waitlisted")
    assert client.delete("/api/v1/me", headers=headers).status_code == 204
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ClassEnrollment).where(
        ClassEnrollment.family_id == parent.id)) == 0
    listed = client.get(f"{URL}/{cls.id}").get_json()
    assert (listed["enrolled"], listed["waitlist_length"]) == (1, 0)
    assert kinds_told(db, waiting) == ["class_promoted"]
    assert client.get(f"{URL}/{other.id}").get_json()["waitlist_length"] == 0


def test_deleting_a_child_withdraws_its_seat(client, auth, db):
    cls = make_class()
    parent, headers = auth.parent()
    child = make_child(parent)
    entry_id = enroll(client, cls, headers, child.id).get_json()["id"]
    assert client.delete(f"/api/v1/children/{child.id}", headers=headers).status_code == 204
    db.session.expire_all()
    entry = db.session.get(ClassEnrollment, entry_id)
    assert (entry.status, entry.child_id) == ("left", None)


def test_tokens_of_another_parent_see_nothing_of_mine(client, auth):
    cls = make_class()
    parent = make_user("parent")
    make_enrollment(cls, parent)
    response = client.delete(f"{URL}/{cls.id}/enrollments/mine", headers=auth.parent()[1])
    assert_error(response, 404, "not_found")
    mine = client.get("/api/v1/me/enrollments", headers=bearer(parent)).get_json()
    assert mine["total"] == 1
