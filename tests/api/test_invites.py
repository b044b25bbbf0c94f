"""Invitations by code (家人共管): create, list, withdraw, accept, every refusal."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest

from parentapp.api import carers as carers_api
from parentapp.extensions import db
from parentapp.models import ChildInvite, ChildPerson, Notification
from parentapp.service_settings import health_schedule
from parentapp.services.family import invites
from parentapp.services.reminders.health_planning import plan_health_reminders
from parentapp.timeutil import local_instant, to_local_iso
from tests.asserts import assert_error
from tests.booking_factories import today
from tests.factories import bearer, make_child, make_user
from tests.family_factories import family, make_invite
from tests.rate_limit_apps import STORAGES, clear_counters, limited_app

ACCEPT = "/api/v1/invites/accept"
# Today 10:00 on the wall clock: the API's own clock (utcnow) and this one agree on
# which invites are open, whatever the date the suite runs on.
NOW = local_instant(today(), time(10))
LIMITS = {"people_per_child": 6, "guardians_per_child": 2, "children_per_guardian": 6}


def invites_url(child):
    return f"/api/v1/children/{child.id}/invites"


def accept(user, code, now=NOW, **kwargs):
    """The service, with a passed clock."""
    return invites.accept_invite(user.id, code, now=now, **{**LIMITS, **kwargs})


@pytest.fixture
def frozen(monkeypatch):
    """The API's clock at NOW."""
    monkeypatch.setattr(carers_api, "utcnow", lambda: NOW)
    return NOW


# -- creating, listing, withdrawing ---------------------------------------------------------

def test_a_guardian_creates_an_invite_with_a_code_that_expires_in_48_hours(client, frozen):
    child, people = family(roles=())
    response = client.post(invites_url(child), headers=people["guardian"][1],
                           json={"role": "carer", "relation": "grandparent"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "code", "role", "relation", "expires_at"}
    assert re.fullmatch("[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", body["code"])
    assert (body["role"], body["relation"]) == ("carer", "grandparent")
    assert body["expires_at"] == to_local_iso(NOW + timedelta(hours=48))
    assert db.session.get(ChildInvite, body["id"]).created_by == people["guardian"][0].id


@pytest.mark.parametrize("body", [{"role": "boss", "relation": "mother"},
                                  {"role": "carer", "relation": "neighbour"},
                                  {"role": "carer"}, {"relation": "mother"},
                                  {"role": "carer", "relation": "mother", "code": "AAAAAAAA"}])
def test_an_invite_needs_a_known_role_and_relation(client, body):
    child, people = family(roles=())
    response = client.post(invites_url(child), headers=people["guardian"][1], json=body)
    assert_error(response, 422, "validation_error")
    assert db.session.scalar(db.select(db.func.count()).select_from(ChildInvite)) == 0


@pytest.mark.parametrize(("who", "status"), [("guardian", 200), ("carer", 403),
                                             ("viewer", 403), ("stranger", 404)])
def test_only_guardians_manage_invites(client, who, status):
    child, people = family()
    people["stranger"] = (None, bearer(make_user("parent")))
    invite = make_invite(child)
    headers = people[who][1]
    created = client.post(invites_url(child), headers=headers,
                          json={"role": "viewer", "relation": "relative"})
    listed = client.get(invites_url(child), headers=headers)
    withdrawn = client.delete(f"{invites_url(child)}/{invite.id}", headers=headers)
    if status == 200:
        assert (created.status_code, listed.status_code, withdrawn.status_code) == (201, 200, 204)
        return
    code = "forbidden" if status == 403 else "not_found"
    for response in (created, listed, withdrawn):
        assert_error(response, status, code)
    db.session.expire_all()
    assert db.session.get(ChildInvite, invite.id).withdrawn_at is None
    assert db.session.scalar(db.select(db.func.count()).select_from(ChildInvite)) == 1


def test_the_list_shows_only_open_invites(client, frozen):
    child, people = family(roles=())
    used, withdrawn, expired, open_ = (make_invite(child, now=NOW) for _ in range(4))
    accept(make_user("parent"), used.code)
    invites.withdraw_invite(people["guardian"][0].id, child.id, withdrawn.id, NOW)
    expired.expires_at = NOW  # exactly its end: closed
    db.session.commit()
    response = client.get(invites_url(child), headers=people["guardian"][1])
    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["items"]] == [open_.id]


def test_a_withdrawn_invite_cannot_be_accepted_or_withdrawn_again(client):
    child, people = family(roles=())
    invite = make_invite(child)
    url = f"{invites_url(child)}/{invite.id}"
    assert client.delete(url, headers=people["guardian"][1]).status_code == 204
    assert_error(client.delete(url, headers=people["guardian"][1]), 404, "not_found")
    assert_error(client.post(ACCEPT, headers=bearer(make_user("parent")),
                             json={"code": invite.code}),
                 404, "invite_not_found")


def test_an_invite_of_another_child_cannot_be_withdrawn_through_yours(client):
    child, people = family(roles=())
    other = make_child(people["guardian"][0])
    invite = make_invite(other)
    response = client.delete(f"{invites_url(child)}/{invite.id}", headers=people["guardian"][1])
    assert_error(response, 404, "not_found")
    db.session.expire_all()
    assert db.session.get(ChildInvite, invite.id).withdrawn_at is None


def test_a_code_drawn_twice_is_drawn_again(monkeypatch):
    child, _ = family(roles=())
    taken = make_invite(child)
    draws = iter([taken.code, taken.code, "ZZZZ2345"])
    monkeypatch.setattr(invites, "new_code", lambda: next(draws))
    assert make_invite(child).code == "ZZZZ2345"


# -- accepting ------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["guardian", "carer", "viewer"])
def test_accepting_makes_the_caller_one_of_the_childs_people(client, frozen, role):
    child, people = family(roles=())
    invite = make_invite(child, role=role, relation="father", now=NOW)
    newcomer = make_user("parent", nickname="爸爸")
    response = client.post(ACCEPT, headers=bearer(newcomer), json={"code": invite.code})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["id"], body["name"], body["my_role"]) == (child.id, child.name, role)
    person = db.session.get(ChildPerson, (child.id, newcomer.id))
    assert (person.role, person.relation, person.since) == (role, "father", NOW)
    assert person.reminders is (role != "viewer")  # the contract's defaults
    db.session.expire_all()
    invite = db.session.get(ChildInvite, invite.id)
    assert (invite.accepted_by, invite.accepted_at) == (newcomer.id, NOW)
    listed = client.get("/api/v1/children", headers=bearer(newcomer)).get_json()["items"]
    assert [(item["id"], item["my_role"]) for item in listed] == [(child.id, role)]


@pytest.mark.parametrize(("role", "reminders"), [("viewer", True), ("carer", False)])
def test_reminders_may_be_chosen_when_accepting(client, role, reminders):
    child, _ = family(roles=())
    invite = make_invite(child, role=role)
    newcomer = make_user("parent")
    response = client.post(ACCEPT, headers=bearer(newcomer),
                           json={"code": invite.code, "reminders": reminders})
    assert response.status_code == 200
    assert db.session.get(ChildPerson, (child.id, newcomer.id)).reminders is reminders


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {code} ", "{a} {b}", "{a}\u3000{b}",
                                   "\t{lower}\n", "{a}\u3000 \u3000{b}", "{full}"])
def test_a_code_is_matched_after_upper_casing_and_removing_spaces(client, typed):
    child, _ = family(roles=())
    code = make_invite(child).code
    full = "".join(chr(ord(c) + 0xFEE0) for c in code)  # full-width forms, as IMEs type them
    text = typed.format(code=code, lower=code.lower(), a=code[:4], b=code[4:], full=full)
    response = client.post(ACCEPT, headers=bearer(make_user("parent")), json={"code": text})
    assert response.status_code == 200, (text, response.get_json())


@pytest.mark.parametrize("code", ["", "ABC", "ABCDEFGHJ", "0O1IL000", "A" * 64])
def test_a_malformed_or_unknown_code_is_not_found(client, code):
    child, _ = family(roles=())
    make_invite(child)
    response = client.post(ACCEPT, headers=bearer(make_user("parent")), json={"code": code})
    if code == "":
        assert_error(response, 422, "validation_error")
    else:
        assert_error(response, 404, "invite_not_found")
    assert db.session.scalar(db.select(db.func.count()).select_from(ChildPerson)) == 1


def test_a_used_code_works_once():
    child, _ = family(roles=())
    invite = make_invite(child, now=NOW)
    accept(make_user("parent"), invite.code)
    late = make_user("parent")
    with pytest.raises(invites.InviteNotFound):
        accept(late, invite.code)
    assert db.session.get(ChildPerson, (child.id, late.id)) is None


def test_an_invite_expires_at_exactly_48_hours():
    child, _ = family(roles=())
    invite = make_invite(child, now=NOW)
    late = make_user("parent")
    with pytest.raises(invites.InviteNotFound):
        accept(late, invite.code, now=NOW + timedelta(hours=48))
    just_in_time = accept(late, invite.code, now=NOW + timedelta(hours=48, microseconds=-1))
    assert just_in_time.my_role == "carer"


def test_someone_already_one_of_the_childs_people_is_refused(client):
    child, people = family()
    invite = make_invite(child, role="guardian", now=NOW)
    for who in ("guardian", "carer", "viewer"):
        response = client.post(ACCEPT, headers=people[who][1], json={"code": invite.code})
        assert_error(response, 409, "already_a_carer")
    assert db.session.get(ChildPerson, (child.id, people["viewer"][0].id)).role == "viewer"
    assert accept(make_user("parent"), invite.code).my_role == "guardian"  # still open


def test_a_seventh_person_is_refused_and_the_code_stays_open(client):
    child, _ = family(roles=("carer",) * 5)
    invite = make_invite(child, role="viewer")
    response = client.post(ACCEPT, headers=bearer(make_user("parent")),
                           json={"code": invite.code})
    error = assert_error(response, 409, "limit_reached")
    assert error["details"] == {"limit": "people_per_child", "max": 6, "held": 6}
    db.session.expire_all()
    assert db.session.get(ChildInvite, invite.id).accepted_at is None
    assert db.session.scalar(db.select(db.func.count()).select_from(ChildPerson)) == 6


def test_a_third_guardian_is_refused_but_a_carer_may_still_join(client):
    child, _ = family(roles=("guardian",))
    guardian_invite, carer_invite = make_invite(child, role="guardian"), make_invite(child)
    newcomer = make_user("parent")
    error = assert_error(client.post(ACCEPT, headers=bearer(newcomer),
                                     json={"code": guardian_invite.code}), 409, "limit_reached")
    assert error["details"]["limit"] == "guardians_per_child"
    assert client.post(ACCEPT, headers=bearer(newcomer),
                       json={"code": carer_invite.code}).status_code == 200


def test_a_guardian_of_six_children_cannot_become_guardian_of_a_seventh(client):
    busy = make_user("parent")
    for _ in range(6):
        make_child(busy)
    child, _ = family(roles=())
    invite = make_invite(child, role="guardian")
    error = assert_error(client.post(ACCEPT, headers=bearer(busy), json={"code": invite.code}),
                         409, "limit_reached")
    assert error["details"]["limit"] == "children_per_guardian"


@pytest.mark.parametrize("role", ["operator", "regulator"])
def test_staff_cannot_accept_invites(client, role):
    child, _ = family(roles=())
    invite = make_invite(child)
    response = client.post(ACCEPT, headers=bearer(make_user(role)), json={"code": invite.code})
    assert_error(response, 403, "forbidden")
    assert db.session.get(ChildInvite, invite.id).accepted_at is None


def test_the_other_people_are_told_who_joined_in_the_app():
    child, people = family(roles=("viewer",))
    db.session.get(ChildPerson, (child.id, people["viewer"][0].id)).reminders = False
    db.session.commit()
    invite = make_invite(child, role="carer", relation="grandparent", now=NOW)
    newcomer = make_user("parent", nickname="外婆")
    accept(newcomer, invite.code)
    rows = db.session.scalars(db.select(Notification).where(
        Notification.kind == "carer_joined").order_by(Notification.user_id)).all()
    assert sorted(row.user_id for row in rows) == sorted(
        [people["guardian"][0].id, people["viewer"][0].id])  # whatever their reminders
    for row in rows:
        assert row.child_id == child.id and row.delivery_state == "inbox_only"
        assert "外婆" in row.body and "照护人" in row.body and row.planned_at == NOW


def test_the_newcomer_gets_the_childs_pending_health_reminders_at_the_next_planning():
    born, now = date(2025, 6, 1), local_instant(date(2025, 7, 25), time(10))
    guardian = make_user("parent")
    child = make_child(guardian, birth_date=born, created_at=now - timedelta(days=30))
    plan_health_reminders(now, schedule=health_schedule())
    invite = make_invite(child, now=now)
    newcomer = make_user("parent")
    accept(newcomer, invite.code, now=now)
    # Without the mark, the planner would not visit the child again (nothing changed).
    assert plan_health_reminders(now, schedule=health_schedule())["created"] == 1
    keys = sorted(db.session.scalars(db.select(Notification.dedupe_key).where(
        Notification.kind == "vaccine")))
    assert keys == sorted(f"health:{child.id}:vaccine:2025-07-29:u{user.id}"
                          for user in (guardian, newcomer))


def test_a_viewer_accepting_gets_no_reminders_unless_asked():
    born, now = date(2025, 6, 1), local_instant(date(2025, 7, 25), time(10))
    child = make_child(make_user("parent"), birth_date=born, created_at=now - timedelta(days=30))
    viewer = make_user("parent")
    accept(viewer, make_invite(child, role="viewer", now=now).code, now=now)
    plan_health_reminders(now, schedule=health_schedule())
    assert not db.session.scalars(db.select(Notification).where(
        Notification.user_id == viewer.id, Notification.kind == "vaccine")).all()


# -- rate limit -----------------------------------------------------------------------------

@pytest.fixture(params=STORAGES)
def storage(request):
    return request.param


def test_the_eleventh_attempt_in_a_minute_is_rate_limited(app, storage):
    with limited_app(app, storage) as limited:
        child, _ = family(roles=())
        invite = make_invite(child)
        user, other = make_user("parent"), make_user("parent")
        client = limited.test_client()
        wrong = [client.post(ACCEPT, headers=bearer(user), json={"code": f"WRONG{n:03d}"})
                 for n in range(10)]
        assert [r.get_json()["error"]["code"] for r in wrong] == ["invite_not_found"] * 10
        # The 11th, even with the right code, is refused before the code is looked at.
        error = assert_error(client.post(ACCEPT, headers=bearer(user), json={"code": invite.code}),
                             429, "rate_limited")
        assert error["details"]["limit"] == "invite_attempts"
        assert 1 <= int(error["details"]["retry_after"]) <= 60
        assert db.session.get(ChildPerson, (child.id, user.id)) is None
        # Counted per user: another person is not affected.
        assert client.post(ACCEPT, headers=bearer(other), json={"code": "WRONG999"}
                           ).status_code == 404
        clear_counters(limited)  # the next window
        assert client.post(ACCEPT, headers=bearer(user), json={"code": invite.code}
                           ).status_code == 200
