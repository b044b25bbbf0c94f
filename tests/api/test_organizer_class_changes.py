from datetime import date, timedelta

import pytest
from sqlalchemy import select

from parentapp.models import ClassEnrollment, Notification, ParentingClass, utcnow
from parentapp.timeutil import to_local_iso
from tests.asserts import assert_error
from tests.factories import make_child, make_class, make_enrollment, make_user
from tests.sqlcount import count_statements

URL = "/api/v1/organizer/classes"


def notifications(db, user, kind):
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind)))


def statuses(db, cls):
    db.session.expire_all()
    return [e.status for e in db.session.scalars(
        select(ClassEnrollment).where(ClassEnrollment.class_id == cls.id)
        .order_by(ClassEnrollment.id))]


def past_class(organizer, **overrides):
    """A class that started an hour ago and ends in an hour."""
    start = utcnow() - timedelta(hours=1)
    return make_class(organizer, starts_at=start, ends_at=start + timedelta(hours=2),
                      enroll_deadline=start - timedelta(days=1), **overrides)


def test_organiser_edits_fields(client, auth):
    operator, headers = auth.operator()
    cls = make_class(operator)
    response = client.patch(f"{URL}/{cls.id}", headers=headers,
                            json={"title": "亲子阅读", "kind": "parent_child",
                                  "child_age_min_months": 12, "child_age_max_months": 36})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["title"], body["kind"], body["child_age_min_months"]) == ("亲子阅读",
                                                                             "parent_child", 12)


def test_regulators_may_edit_any_class(client, auth):
    cls = make_class(make_user("operator"))
    _, headers = auth.regulator()
    response = client.patch(f"{URL}/{cls.id}", headers=headers, json={"capacity": 40})
    assert response.status_code == 200
    assert response.get_json()["capacity"] == 40


def test_raising_capacity_promotes_the_waitlist_first_come_first_served(client, auth, db):
    regulator, headers = auth.regulator()
    cls = make_class(regulator, capacity=2)
    for _ in range(2):
        make_enrollment(cls)
    waiting = [make_enrollment(cls, status="waitlisted") for _ in range(3)]
    response = client.patch(f"{URL}/{cls.id}", headers=headers, json={"capacity": 4})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["enrolled"], body["remaining"], body["waitlist_length"]) == (4, 0, 1)
    assert statuses(db, cls) == ["enrolled"] * 4 + ["waitlisted"]
    for entry, told in zip(waiting, (1, 1, 0), strict=True):
        assert len(notifications(db, entry.family, "class_promoted")) == told
    promoted = notifications(db, waiting[0].family, "class_promoted")[0]
    assert promoted.link == f"/pages/classes/detail?id={cls.id}"


def test_capacity_cannot_fall_below_the_enrolled_families(client, auth, db):
    regulator, headers = auth.regulator()
    cls = make_class(regulator, capacity=5)
    for _ in range(3):
        make_enrollment(cls)
    response = client.patch(f"{URL}/{cls.id}", headers=headers, json={"capacity": 2})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "capacity_below_enrolled"
    assert error["details"]["enrolled"] == 3
    db.session.expire_all()
    assert db.session.get(ParentingClass, cls.id).capacity == 5
    assert client.patch(f"{URL}/{cls.id}", headers=headers,
                        json={"capacity": 3}).status_code == 200


def test_cancelled_and_completed_classes_cannot_be_edited(client, auth):
    regulator, headers = auth.regulator()
    cancelled = make_class(regulator, cancelled_at=utcnow())
    ended_start = utcnow() - timedelta(days=1)
    ended = make_class(regulator, starts_at=ended_start,
                       ends_at=ended_start + timedelta(hours=1),
                       enroll_deadline=ended_start - timedelta(days=1))
    for cls in (cancelled, ended):
        response = client.patch(f"{URL}/{cls.id}", headers=headers, json={"title": "新标题"})
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "invalid_state"


@pytest.mark.parametrize(("changes", "field"), [
    ({"ends_at": "START-1h"}, "ends_at"),
    ({"starts_at": "END+1h"}, "ends_at"),
    ({"starts_at": "PAST"}, "starts_at"),
    ({"enroll_deadline": "START+1h"}, "enroll_deadline"),
    ({"enroll_deadline": "PAST"}, "enroll_deadline"),
    ({"child_age_max_months": 3}, "child_age_max_months"),
    ({"capacity": 0}, "capacity"),
    ({"township": "nowhere"}, "township"),
    ({"title": None}, "title"),
    ({"nursery_id": 1}, "nursery_id"),
])
def test_edits_are_checked_against_the_stored_class(client, auth, db, changes, field):
    regulator, headers = auth.regulator()
    cls = make_class(regulator, child_age_min_months=6, child_age_max_months=24)
    moments = {"START-1h": cls.starts_at - timedelta(hours=1),
               "END+1h": cls.ends_at + timedelta(hours=1),
               "START+1h": cls.starts_at + timedelta(hours=1),
               "PAST": utcnow() - timedelta(minutes=5)}
    body = {key: to_local_iso(moments[value]) if value in moments else value
            for key, value in changes.items()}
    response = client.patch(f"{URL}/{cls.id}", headers=headers, json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert field in response.get_json()["error"]["details"]
    db.session.expire_all()
    stored = db.session.get(ParentingClass, cls.id)
    assert (stored.starts_at, stored.ends_at, stored.capacity) == (cls.starts_at, cls.ends_at,
                                                                  10)


def test_moving_a_class_tells_every_family_holding_a_place(client, auth, db):
    regulator, headers = auth.regulator()
    cls = make_class(regulator, capacity=1)
    seat, waiting = make_enrollment(cls), make_enrollment(cls, status="waitlisted")
    gone = make_enrollment(cls, status="left")
    later = cls.starts_at + timedelta(days=1)
    response = client.patch(f"{URL}/{cls.id}", headers=headers,
                            json={"starts_at": to_local_iso(later),
                                  "ends_at": to_local_iso(later + timedelta(hours=2)),
                                  "enroll_deadline": to_local_iso(later - timedelta(hours=2))})
    assert response.status_code == 200
    assert [len(notifications(db, e.family, "class_changed")) for e in (seat, waiting, gone)] == [
        1, 1, 0]
    # A title change is not news.
    client.patch(f"{URL}/{cls.id}", headers=headers, json={"title": "新标题"})
    assert len(notifications(db, seat.family, "class_changed")) == 1


def test_cancelling_tells_every_enrolled_and_waitlisted_family(client, auth, db):
    regulator, headers = auth.regulator()
    cls = make_class(regulator, capacity=1)
    seat, waiting = make_enrollment(cls), make_enrollment(cls, status="waitlisted")
    gone = make_enrollment(cls, status="left")
    response = client.post(f"{URL}/{cls.id}/cancel", headers=headers, json={"reason": "场地维修"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "场地维修"
    assert body["enrollment_open"] is False
    assert statuses(db, cls) == ["cancelled", "cancelled", "left"]
    for entry, told in ((seat, 1), (waiting, 1), (gone, 0)):
        rows = notifications(db, entry.family, "class_cancelled")
        assert len(rows) == told
    assert "场地维修" in notifications(db, seat.family, "class_cancelled")[0].body

    again = client.post(f"{URL}/{cls.id}/cancel", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_state"


def test_a_class_that_has_ended_cannot_be_cancelled(client, auth):
    regulator, headers = auth.regulator()
    start = utcnow() - timedelta(days=1)
    cls = make_class(regulator, starts_at=start, ends_at=start + timedelta(hours=1),
                     enroll_deadline=start)
    response = client.post(f"{URL}/{cls.id}/cancel", headers=headers, json={})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"


def test_a_class_under_way_can_still_be_cancelled(client, auth, db):
    """The contract refuses only a cancelled or ended class (status scheduled until the end)."""
    regulator, headers = auth.regulator()
    start = utcnow() - timedelta(minutes=30)
    cls = make_class(regulator, starts_at=start, ends_at=start + timedelta(hours=2),
                     enroll_deadline=start - timedelta(days=1))
    seat = make_enrollment(cls)
    response = client.post(f"{URL}/{cls.id}/cancel", headers=headers, json={})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert statuses(db, cls) == ["cancelled"]
    assert notifications(db, seat.family, "class_cancelled")


def test_cancel_takes_no_body_or_an_empty_object(client, auth):
    regulator, headers = auth.regulator()
    cls = make_class(regulator)
    assert client.post(f"{URL}/{cls.id}/cancel", headers=headers).status_code == 200
    other = make_class(regulator)
    response = client.post(f"{URL}/{other.id}/cancel", headers=headers, json={"force": True})
    assert_error(response, 422, "validation_error")


def test_roster_lists_families_with_contact_child_status_and_position(client, auth):
    regulator, headers = auth.regulator()
    cls = make_class(regulator, capacity=1)
    parent = make_user("parent", nickname="小雨妈妈", phone="13912345678")
    birth = date(2025, 1, 1)
    child = make_child(parent, name="小雨", birth_date=birth)
    seat = make_enrollment(cls, parent, child_id=child.id)
    first = make_enrollment(cls, status="waitlisted")
    second = make_enrollment(cls, status="waitlisted")
    make_enrollment(cls, status="left")
    response = client.get(f"{URL}/{cls.id}/enrollments", headers=headers,
                          query_string={"per_page": 3})
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 4 and body["per_page"] == 3
    rows = body["items"]
    assert [(r["id"], r["status"], r["position"]) for r in rows] == [
        (seat.id, "enrolled", None), (first.id, "waitlisted", 1), (second.id, "waitlisted", 2)]
    assert rows[0]["nickname"] == "小雨妈妈" and rows[0]["phone"] == "139****5678"
    assert rows[0]["child_name"] == "小雨" and rows[0]["child_age_months"] >= 12
    assert rows[0]["attended"] is False and rows[1]["child_name"] is None
    page2 = client.get(f"{URL}/{cls.id}/enrollments", headers=headers,
                       query_string={"per_page": 3, "page": 2}).get_json()
    assert [r["status"] for r in page2["items"]] == ["left"]
    waiting = client.get(f"{URL}/{cls.id}/enrollments", headers=headers,
                         query_string={"status": "waitlisted"}).get_json()
    assert [r["position"] for r in waiting["items"]] == [1, 2]


def test_attendance_is_marked_after_the_start_and_is_idempotent(client, auth, db):
    regulator, headers = auth.regulator()
    cls = past_class(regulator)
    first, second = make_enrollment(cls), make_enrollment(cls)
    url = f"{URL}/{cls.id}/attendance"
    response = client.post(url, headers=headers, json={"enrollment_ids": [first.id]})
    assert response.status_code == 200
    assert response.get_json() == {"class_id": cls.id, "attended": 1,
                                   "enrollment_ids": [first.id]}
    db.session.expire_all()
    marked_at = db.session.get(ClassEnrollment, first.id).attended_at
    again = client.post(url, headers=headers, json={"enrollment_ids": [first.id, second.id,
                                                                       first.id]})
    assert again.get_json()["attended"] == 2
    db.session.expire_all()
    assert db.session.get(ClassEnrollment, first.id).attended_at == marked_at
    undo = client.post(url, headers=headers, json={"enrollment_ids": [second.id],
                                                   "attended": False})
    assert undo.get_json()["enrollment_ids"] == [first.id]
    roster = client.get(f"{URL}/{cls.id}/enrollments", headers=headers).get_json()
    assert [r["attended"] for r in roster["items"]] == [True, False]
    assert client.get(f"{URL}/{cls.id}", headers=headers).get_json()["attended"] == 1


def test_attendance_before_the_start_is_refused(client, auth, db):
    regulator, headers = auth.regulator()
    cls = make_class(regulator)
    entry = make_enrollment(cls)
    response = client.post(f"{URL}/{cls.id}/attendance", headers=headers,
                           json={"enrollment_ids": [entry.id]})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"
    db.session.expire_all()
    assert db.session.get(ClassEnrollment, entry.id).attended_at is None


def test_attendance_of_a_cancelled_class_is_refused(client, auth):
    regulator, headers = auth.regulator()
    cls = past_class(regulator, cancelled_at=utcnow() - timedelta(days=2))
    entry = make_enrollment(cls, status="cancelled")
    response = client.post(f"{URL}/{cls.id}/attendance", headers=headers,
                           json={"enrollment_ids": [entry.id]})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"


@pytest.mark.parametrize("who", ["waitlisted", "left", "other_class", "missing"])
def test_attendance_names_only_enrolled_families_of_this_class(client, auth, db, who):
    regulator, headers = auth.regulator()
    cls = past_class(regulator)
    seat = make_enrollment(cls)
    if who == "other_class":
        stranger = make_enrollment(past_class(regulator)).id
    elif who == "missing":
        stranger = 999999
    else:
        stranger = make_enrollment(cls, status=who).id
    response = client.post(f"{URL}/{cls.id}/attendance", headers=headers,
                           json={"enrollment_ids": [seat.id, stranger]})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert str(stranger) in error["details"]["enrollment_ids"][0]
    db.session.expire_all()
    assert db.session.get(ClassEnrollment, seat.id).attended_at is None


@pytest.mark.parametrize("body", [{}, {"enrollment_ids": []}, {"enrollment_ids": "1"},
                                  {"enrollment_ids": [0]}, {"enrollment_ids": [1], "x": 1}])
def test_attendance_body_is_validated(client, auth, body):
    regulator, headers = auth.regulator()
    cls = past_class(regulator)
    response = client.post(f"{URL}/{cls.id}/attendance", headers=headers, json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_roster_costs_the_same_statements_whatever_its_size(client, auth, db):
    regulator, headers = auth.regulator()
    cls = make_class(regulator, capacity=2)
    for status in ("enrolled", "waitlisted"):
        family = make_user("parent", nickname="家长")
        make_enrollment(cls, family, status=status, child_id=make_child(family).id)
    url = f"{URL}/{cls.id}/enrollments"
    db.session.remove()  # measure from a cold session, as a real request runs
    with count_statements() as few:
        assert client.get(url, headers=headers).get_json()["total"] == 2
    for status in ("enrolled", "waitlisted", "waitlisted", "left", "waitlisted"):
        family = make_user("parent")
        make_enrollment(cls, family, status=status, child_id=make_child(family).id)
    db.session.remove()  # measure from a cold session, as a real request runs
    with count_statements() as many:
        assert client.get(url, headers=headers).get_json()["total"] == 7
    assert len(few) == len(many)
