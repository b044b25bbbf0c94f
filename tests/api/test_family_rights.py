"""Every child route, tried by each of the child's people and by a parent with no link.

One child has a guardian (who added it), a carer (a grandmother) and a viewer; a
stranger is a parent with a child of their own. RIGHTS says, route by route, which
roles may use it (the contract's rights table, written out rather than derived from
``domain.ROLE_RIGHTS``, so a change there fails here). Each (route, role) case builds
the family afresh and checks the answer: a role the route admits gets the route's
normal answer; one of the child's people whose role lacks the right gets 403
``forbidden``; the stranger gets 404 ``not_found``. After a refusal every table holds
exactly what it held before (the authorisation matrix's snapshot).

Invites, people, roles and the pickup list have their own tests (LEFT_TO_THEIR_TESTS).
Run with ``-s`` to see the table (``test_the_rights_table``): the closing note quotes it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from parentapp.extensions import db
from parentapp.models import HealthRecord, IdempotencyKey, User, WaitlistEntry, utcnow
from tests.api.test_authorisation_matrix import MATRIX, _fill, _snapshot
from tests.asserts import assert_error
from tests.booking_factories import book, in_days, make_slot, setup_nursery
from tests.factories import bearer, make_child, make_class, make_enrollment, make_user
from tests.family_factories import add_person
from tests.place_factories import (
    apply_for,
    later_month,
    offered_application,
    open_round,
    round_nursery,
)

PEOPLE = ("guardian", "carer", "viewer")
ROLES = (*PEOPLE, "stranger")
VIEWERS, CARERS, GUARDIANS = PEOPLE, ("guardian", "carer"), ("guardian",)
RECORDED = "HepB-1"
LEFT_TO_THEIR_TESTS = ("/invites", "/carers", "/pickup")
ARGUMENT = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass(frozen=True)
class Route:
    method: str
    rule: str  # the Flask rule; its arguments come from the family's ids
    allowed: tuple[str, ...]
    ok: int  # the answer to a role that may
    query: dict = field(default_factory=dict)
    body: dict | None = None  # "@name" values are the family's ids
    acts: bool = False  # the answer's booked_by is the caller

    @property
    def right(self) -> str:
        return {VIEWERS: "view", CARERS: "act", GUARDIANS: "manage"}[self.allowed]

    def label(self) -> str:
        path = ARGUMENT.sub(lambda m: "{" + RENAMED.get(m.group(1), m.group(1)) + "}",
                            self.rule.removeprefix(API))
        query = "&".join(f"{k}=" for k in self.query)
        return f"{self.method} {path}" + (f"?{query}" if query else "")


API = "/api/v1"
RIGHTS = [
    Route("GET", f"{API}/children/<int:child_id>", VIEWERS, 200),
    Route("GET", f"{API}/children/<int:child_id>/health-plan", VIEWERS, 200),
    Route("GET", f"{API}/children/<int:child_id>/childcare-subsidy", VIEWERS, 200),
    Route("GET", f"{API}/bookings", VIEWERS, 200, query={"child_id": "@child_id"}),
    Route("GET", f"{API}/bookings/<int:booking_id>", VIEWERS, 200),
    Route("GET", f"{API}/me/waitlist", VIEWERS, 200, query={"child_id": "@child_id"}),
    Route("GET", f"{API}/me/enrollments", VIEWERS, 200, query={"child_id": "@child_id"}),
    Route("GET", f"{API}/nurseries", VIEWERS, 200, query={"child_id": "@child_id"}),
    Route("POST", f"{API}/bookings", CARERS, 201, acts=True,
          body={"child_id": "@child_id", "slot_ids": ["@free_slot_id"]}),
    Route("POST", f"{API}/bookings/<int:booking_id>/cancel", CARERS, 200),
    Route("POST", f"{API}/slots/<int:slot_id>/waitlist", CARERS, 201, acts=True,
          body={"child_id": "@child_id"}),
    Route("DELETE", f"{API}/waitlist/<int:entry_id>", CARERS, 204),
    Route("POST", f"{API}/waitlist/<int:offer_id>/accept", CARERS, 201, acts=True),
    Route("POST", f"{API}/classes/<int:class_id>/enrollments", CARERS, 201, acts=True,
          body={"child_id": "@child_id"}),
    Route("DELETE", f"{API}/classes/<int:seated_class_id>/enrollments/mine", CARERS, 204,
          query={"child_id": "@child_id"}),
    Route("DELETE", f"{API}/classes/<int:seated_class_id>/enrollments/mine", CARERS, 204),
    Route("POST", f"{API}/children/<int:child_id>/health-records", CARERS, 201,
          body={"code": "BCG", "done_on": "@after_birth"}),
    Route("DELETE", f"{API}/children/<int:child_id>/health-records/<code>", CARERS, 204),
    Route("GET", f"{API}/applications/<int:application_id>", VIEWERS, 200),
    Route("POST", f"{API}/applications", CARERS, 201, body={
        "child_id": "@child_id", "month": "@open_month", "care_type": "full_day",
        "choices": ["@open_nursery_id"]}),
    Route("PATCH", f"{API}/applications/<int:application_id>", CARERS, 200,
          body={"choices": ["@applied_nursery_id"]}),
    Route("DELETE", f"{API}/applications/<int:application_id>", CARERS, 204),
    Route("POST", f"{API}/applications/<int:offered_id>/accept", CARERS, 201, acts=True),
    Route("POST", f"{API}/applications/<int:offered_id>/decline", CARERS, 200),
    Route("PATCH", f"{API}/children/<int:child_id>", GUARDIANS, 200, body={"name": "小红"}),
    Route("DELETE", f"{API}/children/<int:child_id>", GUARDIANS, 204),
]
# Rules whose argument has another name in the family than in the route.
RENAMED = {"offer_id": "entry_id", "seated_class_id": "class_id",
           "offered_id": "application_id"}


@dataclass
class Family:
    users: dict[str, User]
    headers: dict[str, dict]
    relations: dict[str, str | None]
    ids: dict[str, int | str]


def build_family() -> Family:
    now = utcnow()
    users = {role: make_user("parent", nickname=f"{role}-nick") for role in ROLES}
    child = make_child(users["guardian"])
    relations = {"guardian": None, "carer": "grandparent", "viewer": "relative"}
    add_person(child, users["carer"], "carer", "grandparent")
    add_person(child, users["viewer"], "viewer", "relative")
    make_child(users["stranger"])  # a parent of their own child, not an empty account
    nursery, _ = setup_nursery()
    free, booked = make_slot(nursery, day=in_days(3)), make_slot(nursery, day=in_days(4))
    booking = book(users["guardian"], [booked], child=child)
    full, queued = (make_slot(nursery, day=in_days(n), capacity=1) for n in (5, 6))
    book(make_user("parent"), [full])
    book(make_user("parent"), [queued])
    held = make_slot(nursery, day=in_days(7), capacity=1, held=1)
    entry = WaitlistEntry(slot_id=queued.id, parent_id=users["guardian"].id, child_id=child.id,
                          created_at=now)
    offer = WaitlistEntry(slot_id=held.id, parent_id=users["guardian"].id, child_id=child.id,
                          status="offered", offered_at=now, created_at=now,
                          offer_expires_at=now + timedelta(hours=2))
    db.session.add_all([entry, offer, HealthRecord(
        child_id=child.id, code=RECORDED, done_on=child.birth_date + timedelta(days=1))])
    db.session.commit()
    open_class, seated_class = make_class(), make_class()
    make_enrollment(seated_class, users["guardian"], child_id=child.id)
    places = _places(users["guardian"], child)
    return Family(users=users, headers={role: bearer(user) for role, user in users.items()},
                  relations=relations,
                  ids={"child_id": child.id, "booking_id": booking.id, "free_slot_id": free.id,
                       "slot_id": full.id, "entry_id": entry.id, "offer_id": offer.id,
                       "class_id": open_class.id, "seated_class_id": seated_class.id,
                       "code": RECORDED, **places,
                       "after_birth": (child.birth_date + timedelta(days=2)).isoformat()})



def _places(guardian: User, child) -> dict:
    """Monthly places: the child's application to one open round, another open round a
    month later not applied for, and an offer two months later."""
    applied_to, open_round_nursery = round_nursery(), round_nursery(month=later_month(1))
    open_round(applied_to, 1)
    open_round(open_round_nursery, 1, month=later_month(1))
    application = apply_for(guardian, child, [applied_to])
    offered = offered_application(child, month=later_month(2))
    return {"application_id": application.id, "offered_id": offered.id,
            "open_month": later_month(1), "open_nursery_id": open_round_nursery.id,
            "applied_nursery_id": applied_to.id}


def call(client, family: Family, route: Route, role: str):
    path = ARGUMENT.sub(lambda m: str(family.ids[m.group(1)]), route.rule)
    headers = dict(family.headers[role])
    if route.method == "POST" and route.rule == f"{API}/bookings":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return client.open(path, method=route.method, headers=headers,
                       query_string=_fill(route.query, family.ids),
                       json=_fill(route.body, family.ids) if route.method != "GET" else None)


def expected(route: Route, role: str) -> tuple[int, str | None]:
    if role in route.allowed:
        return route.ok, None
    return (403, "forbidden") if role in PEOPLE else (404, "not_found")


CASES = [pytest.param(route, role, id=f"{route.label()}-{role}")
         for route in RIGHTS for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES)
def test_each_role_gets_what_the_rights_table_says(client, route, role):
    family = build_family()
    status, code = expected(route, role)
    before = _snapshot()
    response = call(client, family, route, role)
    db.session.rollback()
    if code is not None:
        assert_error(response, status, code)
        after = _snapshot()
        if route.rule == f"{API}/bookings" and route.method == "POST":
            # The key keeps its first answer, a refusal too (the contract's replay rule).
            stored = db.session.scalars(db.select(IdempotencyKey)).all()
            assert [(k.user_id, k.response_status) for k in stored] == [
                (family.users[role].id, status)]
            after["idempotency_keys"] = before["idempotency_keys"]
        assert after == before, f"{route.label()} refused to the {role} changed a table"
        return
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if route.acts:
        assert response.get_json()["booked_by"] == {
            "user_id": family.users[role].id, "nickname": f"{role}-nick",
            "relation": family.relations[role]}


def _child_routes(app) -> set[tuple[str, str]]:
    """Parent routes about a child: an id of the child's in the path (the authorisation
    matrix's parent-owned routes), a child_id in the body, or the child's own path."""
    found = {key for key, entry in MATRIX.items()
             if entry.owner == "parent" or "@child_id" in str(entry.body)}
    for rule in app.url_map.iter_rules():
        if "<int:child_id>" in rule.rule:
            found |= {(method, rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return {(method, rule) for method, rule in found
            if "/notifications/" not in rule and not any(p in rule for p in LEFT_TO_THEIR_TESTS)}


def test_every_child_route_is_in_the_rights_table(app):
    listed = {(r.method, re.sub(r"<int:(offer_id|seated_class_id|offered_id)>",
                                lambda m: f"<int:{RENAMED[m.group(1)]}>", r.rule))
              for r in RIGHTS}
    missing = sorted(_child_routes(app) - listed)
    assert not missing, f"child routes missing from RIGHTS: {missing}"


def rights_table() -> str:
    """RIGHTS as the closing note quotes it: one line per route, one column per role."""
    head = f"| route | right | {' | '.join(ROLES)} |"
    lines = [head, "|" + "---|" * (len(ROLES) + 2)]
    for route in RIGHTS:
        answers = []
        for role in ROLES:
            status, code = expected(route, role)
            answers.append(str(status) + (f" {code}" if code else ""))
        lines.append(f"| `{route.label()}` | {route.right} | {' | '.join(answers)} |")
    return "\n".join(lines)


def test_the_rights_table():
    table = rights_table()
    print("\n" + table)
    # Each role's rights grow from viewer to guardian; the stranger is never let in.
    for route in RIGHTS:
        assert "guardian" in route.allowed and "stranger" not in route.allowed
        assert route.allowed in (VIEWERS, CARERS, GUARDIANS)
    assert table.count("\n") == len(RIGHTS) + 1
