"""A child's people (家人共管): the list, roles, relations, each person's own reminders,
leaving and removal, with the rights table for each route."""

from __future__ import annotations

from datetime import time

import pytest

from parentapp.extensions import db
from parentapp.models import Booking, Child, ChildInvite, ChildPerson, Notification, ReminderPlan
from parentapp.services.family import invites
from parentapp.timeutil import local_instant
from tests.asserts import assert_error
from tests.booking_factories import book, make_slots, setup_nursery, today
from tests.factories import bearer, make_child, make_user
from tests.family_factories import family
from tests.notify_factories import make_notification

# Today 10:00 on the wall clock: the API's own clock (utcnow) and this one agree on
# which invites are open, whatever the date the suite runs on.
NOW = local_instant(today(), time(10))
ROLES_AND_STRANGER = ["guardian", "carer", "viewer", "stranger"]


def carers_url(child, who="") -> str:
    return f"/api/v1/children/{child.id}/carers" + (f"/{who}" if who != "" else "")


def with_stranger(people):
    stranger = make_user("parent")
    return {**people, "stranger": (stranger, bearer(stranger))}


def link(child, user):
    db.session.expire_all()
    return db.session.get(ChildPerson, (child.id, user.id))


def count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


# -- the list -------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), [("guardian", 200), ("carer", 200),
                                             ("viewer", 200), ("stranger", 404)])
def test_every_person_of_the_child_sees_its_people(client, who, status):
    child, people = family()
    people = with_stranger(people)
    response = client.get(carers_url(child), headers=people[who][1])
    if status == 404:
        assert_error(response, 404, "not_found")
        return
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [(item["user_id"], item["role"]) for item in items] == [
        (people[role][0].id, role) for role in ("guardian", "carer", "viewer")]
    assert set(items[0]) == {"user_id", "nickname", "relation", "role", "reminders", "since"}
    assert items[0]["nickname"] == "妈妈" and items[0]["relation"] is None
    assert [item["reminders"] for item in items] == [True, True, False]
    assert items[1]["relation"] == "grandparent" and items[1]["since"].endswith("+08:00")


# -- the rights table -----------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), [("guardian", 200), ("carer", 403),
                                             ("viewer", 403), ("stranger", 404)])
def test_only_guardians_change_roles_and_relations(client, who, status):
    child, people = family()
    people = with_stranger(people)
    viewer = people["viewer"][0]
    for body in ({"role": "carer"}, {"relation": "relative"}):
        response = client.patch(carers_url(child, viewer.id), headers=people[who][1], json=body)
        if status == 200:
            assert response.status_code == 200, response.get_json()
        else:
            assert_error(response, status, "forbidden" if status == 403 else "not_found")
    person = link(child, viewer)
    expected = ("carer", "relative") if status == 200 else ("viewer", "grandparent")
    assert (person.role, person.relation) == expected


@pytest.mark.parametrize("who", ["carer", "viewer"])
def test_nobody_but_a_guardian_changes_their_own_role(client, who):
    child, people = family()
    user, headers = people[who]
    for url in (carers_url(child, "me"), carers_url(child, user.id)):
        assert_error(client.patch(url, headers=headers, json={"role": "guardian"}),
                     403, "forbidden")
    assert link(child, user).role == who


@pytest.mark.parametrize("who", ["guardian", "carer", "viewer"])
def test_each_person_sets_their_own_reminders(client, who):
    child, people = family()
    user, headers = people[who]
    response = client.patch(carers_url(child, "me"), headers=headers,
                            json={"reminders": who == "viewer"})
    assert response.status_code == 200
    assert response.get_json()["user_id"] == user.id
    assert response.get_json()["reminders"] is (who == "viewer")
    assert link(child, user).reminders is (who == "viewer")
    # The same through the person's own id.
    response = client.patch(carers_url(child, user.id), headers=headers, json={"reminders": True})
    assert response.status_code == 200 and link(child, user).reminders is True


@pytest.mark.parametrize("who", ["guardian", "carer", "viewer", "stranger"])
def test_nobody_sets_someone_elses_reminders(client, who):
    child, people = family()
    people = with_stranger(people)
    target = people["carer" if who != "carer" else "viewer"][0]
    before = link(child, target).reminders
    response = client.patch(carers_url(child, target.id), headers=people[who][1],
                            json={"reminders": not before})
    assert_error(response, 404 if who == "stranger" else 403,
                 "not_found" if who == "stranger" else "forbidden")
    assert link(child, target).reminders is before


@pytest.mark.parametrize(("who", "status"), [("guardian", 204), ("carer", 403),
                                             ("viewer", 403), ("stranger", 404)])
def test_only_guardians_remove_someone_else(client, who, status):
    child, people = family(roles=("carer", "viewer", "carer"))
    people = with_stranger(people)
    target = db.session.scalars(db.select(ChildPerson.user_id).where(
        ChildPerson.child_id == child.id).order_by(ChildPerson.since, ChildPerson.user_id)
        ).all()[1]  # the first carer (people["carer"] is the second): nobody's self
    response = client.delete(carers_url(child, target), headers=people[who][1])
    if status == 204:
        assert response.status_code == 204
    else:
        assert_error(response, status, "forbidden" if status == 403 else "not_found")
    assert (count(ChildPerson, ChildPerson.user_id == target) == 0) is (status == 204)


@pytest.mark.parametrize("who", ["carer", "viewer", "guardian2"])
@pytest.mark.parametrize("route", ["me", "id"])
def test_anyone_removes_themself(client, who, route):
    child, people = family(roles=("guardian", "carer", "viewer"))
    user, headers = people[who]
    url = carers_url(child, "me" if route == "me" else user.id)
    assert client.delete(url, headers=headers).status_code == 204
    assert link(child, user) is None
    assert_error(client.get(f"/api/v1/children/{child.id}", headers=headers), 404, "not_found")
    assert count(Notification, Notification.kind == "carer_removed") == 0  # they know


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_someone_who_is_not_one_of_the_childs_people_is_not_found(client, method):
    child, people = family(roles=())
    outsider = make_user("parent")
    response = client.open(carers_url(child, outsider.id), method=method,
                           headers=people["guardian"][1],
                           json={"relation": "other"} if method == "PATCH" else None)
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("body", [{"role": "owner"}, {"relation": "uncle"},
                                  {"reminders": "maybe"}, {"reminders": None},
                                  {"nickname": "x"}])
def test_a_change_must_be_a_known_role_relation_or_boolean(client, body):
    child, people = family(roles=())
    response = client.patch(carers_url(child, "me"), headers=people["guardian"][1], json=body)
    assert_error(response, 422, "validation_error")


# -- roles and the caps ---------------------------------------------------------------------

def test_a_guardian_promotes_a_carer_and_changes_a_relation(client):
    child, people = family()
    carer = people["carer"][0]
    response = client.patch(carers_url(child, carer.id), headers=people["guardian"][1],
                            json={"role": "guardian", "relation": "father"})
    assert response.status_code == 200
    assert (response.get_json()["role"], response.get_json()["relation"]) == ("guardian",
                                                                              "father")
    # Now a guardian, they manage: they may change the viewer's relation.
    response = client.patch(carers_url(child, people["viewer"][0].id), headers=people["carer"][1],
                            json={"relation": "other"})
    assert response.status_code == 200


def test_promoting_a_third_guardian_is_refused(client):
    child, people = family(roles=("guardian", "carer"))
    carer = people["carer"][0]
    response = client.patch(carers_url(child, carer.id), headers=people["guardian"][1],
                            json={"role": "guardian"})
    error = assert_error(response, 409, "limit_reached")
    assert error["details"] == {"limit": "guardians_per_child", "max": 2, "held": 2}
    assert link(child, carer).role == "carer"


def test_promoting_a_guardian_of_six_children_is_refused(client):
    child, people = family()
    carer = people["carer"][0]
    for _ in range(6):
        make_child(carer)
    response = client.patch(carers_url(child, carer.id), headers=people["guardian"][1],
                            json={"role": "guardian"})
    assert assert_error(response, 409, "limit_reached")["details"]["limit"] == (
        "children_per_guardian")


@pytest.mark.parametrize("roles", [("carer",), ()])
def test_the_last_guardian_cannot_be_demoted(client, roles):
    child, people = family(roles=roles)
    guardian, headers = people["guardian"]
    for url in (carers_url(child, "me"), carers_url(child, guardian.id)):
        assert_error(client.patch(url, headers=headers, json={"role": "carer"}),
                     409, "last_guardian")
    assert link(child, guardian).role == "guardian"


def test_one_of_two_guardians_may_be_demoted_and_then_the_other_is_the_last(client):
    child, people = family(roles=("guardian",))
    first, second = people["guardian"], people["guardian2"]
    response = client.patch(carers_url(child, second[0].id), headers=first[1],
                            json={"role": "viewer"})
    assert response.status_code == 200 and link(child, second[0]).role == "viewer"
    assert_error(client.patch(carers_url(child, "me"), headers=first[1],
                              json={"role": "carer"}), 409, "last_guardian")


def test_the_same_role_again_changes_nothing_and_counts_no_cap(client):
    child, people = family(roles=("guardian",))
    response = client.patch(carers_url(child, "me"), headers=people["guardian"][1],
                            json={"role": "guardian"})
    assert response.status_code == 200 and response.get_json()["role"] == "guardian"


# -- leaving and removal --------------------------------------------------------------------

def test_the_last_guardian_cannot_leave_a_child_that_has_other_people(client):
    child, people = family(roles=("viewer",))
    guardian, headers = people["guardian"]
    for url in (carers_url(child, "me"), carers_url(child, guardian.id)):
        assert_error(client.delete(url, headers=headers), 409, "last_guardian")
    assert count(ChildPerson, ChildPerson.child_id == child.id) == 2


def test_a_second_guardian_may_remove_the_first(client):
    child, people = family(roles=("guardian", "carer"))
    response = client.delete(carers_url(child, people["guardian"][0].id),
                             headers=people["guardian2"][1])
    assert response.status_code == 204
    assert link(child, people["guardian"][0]) is None


def test_a_sole_person_leaving_deletes_the_child_as_delete_children_does(client):
    child, people = family(roles=())
    guardian, headers = people["guardian"]
    nursery, _ = setup_nursery()
    booking = book(guardian, make_slots(nursery, days=1), child=child)
    make_notification(guardian, child_id=child.id)
    assert client.delete(carers_url(child, "me"), headers=headers).status_code == 204
    db.session.expire_all()
    assert db.session.get(Child, child.id) is None
    assert db.session.get(Booking, booking.id).status == "cancelled"  # the slot went back
    assert count(Notification, Notification.child_id == child.id) == 0
    assert client.get("/api/v1/children", headers=headers).get_json()["items"] == []


def test_a_removed_person_loses_access_at_once_and_their_bookings_stay(client):
    child, people = family()
    carer, carer_headers = people["carer"]
    nursery, _ = setup_nursery()
    booking = book(carer, make_slots(nursery, days=1), child=child)
    pending = make_notification(carer, child_id=child.id)
    other_child_row = make_notification(carer)
    response = client.delete(carers_url(child, carer.id), headers=people["guardian"][1])
    assert response.status_code == 204
    assert_error(client.get(f"/api/v1/children/{child.id}", headers=carer_headers),
                 404, "not_found")
    assert_error(client.get(f"/api/v1/bookings/{booking.id}", headers=carer_headers),
                 404, "not_found")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "confirmed"
    guardian_view = client.get(f"/api/v1/bookings/{booking.id}", headers=people["guardian"][1])
    assert guardian_view.status_code == 200
    assert db.session.get(Notification, pending.id).delivery_state == "withdrawn"
    assert db.session.get(Notification, other_child_row.id).delivery_state == "pending"
    [told] = db.session.scalars(db.select(Notification).where(
        Notification.kind == "carer_removed")).all()
    assert (told.user_id, told.child_id, told.delivery_state) == (carer.id, None, "inbox_only")
    assert child.name in told.title
    inbox = client.get("/api/v1/me/notifications", headers=carer_headers).get_json()["items"]
    assert "carer_removed" in [item["kind"] for item in inbox]


def test_reminders_off_withdraws_pending_rows_and_on_again_plans_them(client):
    child, people = family()
    carer, headers = people["carer"]
    pending = make_notification(carer, child_id=child.id)
    assert client.patch(carers_url(child, "me"), headers=headers,
                        json={"reminders": False}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Notification, pending.id).delivery_state == "withdrawn"
    version = (db.session.get(ReminderPlan, child.id) or ReminderPlan(version=0)).version
    assert client.patch(carers_url(child, "me"), headers=headers,
                        json={"reminders": True}).status_code == 200
    db.session.expire_all()
    assert db.session.get(ReminderPlan, child.id).version == version + 1



def test_a_removed_guardian_cannot_come_back_with_an_invite_they_made(client):
    child, people = family(roles=("guardian",))
    (first, first_headers), (second, second_headers) = people["guardian"], people["guardian2"]
    own = invites.create_invite(second.id, child.id, role="guardian", relation="other", now=NOW)
    kept = invites.create_invite(first.id, child.id, role="viewer", relation="other", now=NOW)
    assert client.delete(carers_url(child, second.id), headers=first_headers).status_code == 204
    again = client.post("/api/v1/invites/accept", headers=second_headers, json={"code": own.code})
    assert_error(again, 404, "invite_not_found")
    db.session.expire_all()
    assert db.session.get(ChildInvite, kept.id).withdrawn_at is None  # only theirs went


def test_a_demoted_guardians_invites_stop_working(client):
    child, people = family(roles=("guardian",))
    second = people["guardian2"][0]
    own = invites.create_invite(second.id, child.id, role="carer", relation="other", now=NOW)
    response = client.patch(carers_url(child, second.id), headers=people["guardian"][1],
                            json={"role": "carer"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(ChildInvite, own.id).withdrawn_at is not None
