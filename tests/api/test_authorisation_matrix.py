"""Every route with an id in its path, tried by the wrong people, changes nothing.

Two worlds (tests/world.py) are built; world B's parent, operator and regulator call
each route with world A's ids. A role the route does not admit gets 403; an admitted
role gets 404 for A's resource (someone else's is not found); county-wide routes
(filings, townships, a regulator on any class) and public ones are tried only by the
roles they refuse. After every call every table holds exactly what it held before.

A route with an argument in its path but no entry in MATRIX fails with its name: add
one line saying who owns the resource (and, if needed, which ids or body to send).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from parentapp.extensions import db
from tests.world import build_world, path_ids

ROLES = ("parent", "operator", "regulator")
PASSWORD = "matrix-pass-1"
ARGUMENT = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass(frozen=True)
class Entry:
    owner: str | None  # the role whose own resource it is; None: public or county-wide
    args: dict = field(default_factory=dict)  # path arguments that are not world ids
    body: dict | None = None  # "@name" values are world A's ids
    admits: tuple[str, ...] | None = None  # console routes (the API's come from x-roles)
    sees_all: tuple[str, ...] = ()  # admitted roles that may act on anyone's (regulators)
    refused: int = 404  # console forms flash the refusal and redirect (302) instead


OWN = {role: Entry(role) for role in ROLES}
CLASS = Entry("operator", sees_all=("regulator",))  # regulators manage every class
PUBLIC = Entry(None)
STAFF = ("operator", "regulator")
CONSOLE_CLASS = Entry("operator", admits=STAFF, sees_all=("regulator",))
MATRIX: dict[tuple[str, str], Entry] = {
    ("POST", "/api/v1/me/notifications/<int:notification_id>/read"): OWN["parent"],
    ("GET", "/api/v1/children/<int:child_id>"): OWN["parent"],
    ("PATCH", "/api/v1/children/<int:child_id>"): Entry("parent", body={"name": "改名"}),
    ("DELETE", "/api/v1/children/<int:child_id>"): OWN["parent"],
    ("GET", "/api/v1/children/<int:child_id>/health-plan"): OWN["parent"],
    ("GET", "/api/v1/children/<int:child_id>/childcare-subsidy"): OWN["parent"],
    ("POST", "/api/v1/children/<int:child_id>/health-records"): Entry(
        "parent", body={"code": "BCG", "done_on": "2025-01-01"}),
    ("DELETE", "/api/v1/children/<int:child_id>/health-records/<code>"): OWN["parent"],
    ("POST", "/api/v1/children/<int:child_id>/invites"): Entry(
        "parent", body={"role": "carer", "relation": "grandparent"}),
    ("GET", "/api/v1/children/<int:child_id>/invites"): OWN["parent"],
    ("DELETE", "/api/v1/children/<int:child_id>/invites/<int:invite_id>"): OWN["parent"],
    ("GET", "/api/v1/children/<int:child_id>/carers"): OWN["parent"],
    ("PATCH", "/api/v1/children/<int:child_id>/carers/<int:user_id>"): Entry(
        "parent", body={"role": "viewer", "relation": "other"}),
    ("PATCH", "/api/v1/children/<int:child_id>/carers/me"): Entry(
        "parent", body={"reminders": False}),
    ("DELETE", "/api/v1/children/<int:child_id>/carers/<int:user_id>"): OWN["parent"],
    ("DELETE", "/api/v1/children/<int:child_id>/carers/me"): OWN["parent"],
    ("GET", "/api/v1/children/<int:child_id>/pickup"): OWN["parent"],
    ("PUT", "/api/v1/children/<int:child_id>/pickup"): Entry("parent", body={"people": [
        {"name": "王奶奶", "relation": "grandparent", "phone": "13800000001"}]}),
    ("GET", "/api/v1/nurseries/<int:nursery_id>"): PUBLIC,
    ("GET", "/api/v1/nurseries/<int:nursery_id>/slots"): PUBLIC,
    ("GET", "/api/v1/operator/nurseries/<int:nursery_id>"): OWN["operator"],
    ("PATCH", "/api/v1/operator/nurseries/<int:nursery_id>"): Entry(
        "operator", body={"name": "改名托育中心"}),
    ("POST", "/api/v1/operator/nurseries/<int:nursery_id>/filing"): OWN["operator"],
    ("GET", "/api/v1/admin/filings/<int:nursery_id>"): PUBLIC,
    ("POST", "/api/v1/admin/filings/<int:nursery_id>/approve"): Entry(
        None, body={"filing_no": "石卫托备99999"}),
    ("POST", "/api/v1/admin/filings/<int:nursery_id>/reject"): Entry(None, body={"reason": "x"}),
    ("POST", "/api/v1/admin/filings/<int:nursery_id>/revoke"): Entry(None, body={"reason": "x"}),
    ("PUT", "/api/v1/admin/townships/<code>"): Entry(None, body={"population": 1}),
    ("GET", "/api/v1/operator/bookings/<int:booking_id>/health-summary"): OWN["operator"],
    ("GET", "/api/v1/operator/nurseries/<int:nursery_id>/staff"): OWN["operator"],
    ("POST", "/api/v1/operator/nurseries/<int:nursery_id>/staff"): Entry("operator", body={
        "name": "新老师", "phone": "13600000009", "role": "carer"}),
    ("GET", "/api/v1/operator/nurseries/<int:nursery_id>/ratio"): OWN["operator"],
    ("PATCH", "/api/v1/operator/staff/<int:staff_id>"): Entry("operator", body={"name": "改名"}),
    ("DELETE", "/api/v1/operator/staff/<int:staff_id>"): OWN["operator"],
    ("POST", "/api/v1/operator/staff/<int:staff_id>/check-in"): OWN["operator"],
    ("POST", "/api/v1/operator/staff/<int:staff_id>/check-out"): OWN["operator"],
    ("GET", "/api/v1/classes/<int:class_id>"): PUBLIC,
    ("POST", "/api/v1/classes/<int:class_id>/enrollments"): Entry(
        None, body={"child_id": "@child_id"}),
    ("DELETE", "/api/v1/classes/<int:class_id>/enrollments/mine"): OWN["parent"],
    ("GET", "/api/v1/organizer/classes/<int:class_id>"): CLASS,
    ("PATCH", "/api/v1/organizer/classes/<int:class_id>"): Entry(
        "operator", body={"title": "x"}, sees_all=("regulator",)),
    ("POST", "/api/v1/organizer/classes/<int:class_id>/cancel"): CLASS,
    ("GET", "/api/v1/organizer/classes/<int:class_id>/enrollments"): CLASS,
    ("POST", "/api/v1/organizer/classes/<int:class_id>/attendance"): Entry(
        "operator", body={"enrollment_ids": [1]}, sees_all=("regulator",)),
    ("PUT", "/api/v1/operator/nurseries/<int:nursery_id>/offerings/<care_type>"): Entry(
        "operator", body={"price_fen": 1}),
    ("GET", "/api/v1/operator/nurseries/<int:nursery_id>/offerings"): OWN["operator"],
    ("POST", "/api/v1/operator/nurseries/<int:nursery_id>/slots"): Entry("operator", body={
        "care_type": "full_day", "from": "2030-01-01", "to": "2030-01-02", "capacity": 1}),
    ("PATCH", "/api/v1/operator/nurseries/<int:nursery_id>/slots"): Entry(
        "operator", body={"changes": [{"slot_id": "@slot_id", "status": "closed"}]}),
    ("PATCH", "/api/v1/operator/slots/<int:slot_id>"): Entry("operator", body={"status": "closed"}),
    ("GET", "/api/v1/bookings/<int:booking_id>"): OWN["parent"],
    ("POST", "/api/v1/bookings/<int:booking_id>/cancel"): OWN["parent"],
    ("POST", "/api/v1/slots/<int:slot_id>/waitlist"): Entry(
        None, args={"slot_id": "@full_slot_id"}, body={"child_id": "@child_id"}),
    ("DELETE", "/api/v1/waitlist/<int:entry_id>"): OWN["parent"],
    ("POST", "/api/v1/waitlist/<int:entry_id>/accept"): OWN["parent"],
    ("GET", "/api/v1/operator/nurseries/<int:nursery_id>/roster"): OWN["operator"],
    ("POST", "/api/v1/operator/bookings/<int:booking_id>/check-in"): OWN["operator"],
    ("POST", "/api/v1/operator/bookings/<int:booking_id>/check-out"): OWN["operator"],
    ("POST", "/api/v1/operator/bookings/<int:booking_id>/no-show"): OWN["operator"],
    ("POST", "/api/v1/operator/bookings/<int:booking_id>/health-check"): Entry(
        "operator", body={"temperature_c": 36.6, "symptoms": [], "result": "ok"}),
    ("POST", "/api/v1/admin/alerts/<int:alert_id>/close"): Entry(None, body={"note": "已处置"}),
    ("POST", "/api/v1/operator/nurseries/<int:nursery_id>/rounds"): Entry("operator", body={
        "month": "2099-03", "care_type": "full_day", "places": 1,
        "closes_at": "2099-02-01T00:00:00+08:00"}),
    ("GET", "/api/v1/operator/nurseries/<int:nursery_id>/rounds"): OWN["operator"],
    ("GET", "/api/v1/operator/nurseries/<int:nursery_id>/rounds/<int:round_id>"):
        OWN["operator"],
    ("GET", "/api/v1/applications/<int:application_id>"): OWN["parent"],
    ("PATCH", "/api/v1/applications/<int:application_id>"): Entry(
        "parent", body={"choices": ["@nursery_id"]}),
    ("DELETE", "/api/v1/applications/<int:application_id>"): OWN["parent"],
    ("POST", "/api/v1/applications/<int:application_id>/accept"): OWN["parent"],
    ("POST", "/api/v1/applications/<int:application_id>/decline"): OWN["parent"],
    # The console: operators and regulators sign in; parents have no console.
    ("GET", "/console/filings/<int:nursery_id>"): Entry(None, admits=("regulator",)),
    ("POST", "/console/filings/<int:nursery_id>/<action>"): Entry(
        None, args={"action": "approve"}, body={"filing_no": "石卫托备99998"},
        admits=("regulator",)),
    ("GET", "/console/nurseries/<int:nursery_id>/calendar"): Entry(
        "operator", admits=("operator",)),
    ("POST", "/console/slots/<int:slot_id>"): Entry(
        "operator", body={"capacity": "1"}, admits=("operator",), refused=302),
    ("GET", "/console/nurseries/<int:nursery_id>/roster"): Entry("operator", admits=("operator",)),
    ("GET", "/console/nurseries/<int:nursery_id>/staff"): Entry("operator", admits=("operator",)),
    ("POST", "/console/nurseries/<int:nursery_id>/staff"): Entry(
        "operator", body={"name": "新老师", "phone": "13600000008", "role": "carer"},
        admits=("operator",)),
    ("GET", "/console/staff/<int:staff_id>/edit"): Entry("operator", admits=("operator",)),
    ("POST", "/console/staff/<int:staff_id>/edit"): Entry(
        "operator", body={"name": "改名", "phone": "13600000007", "role": "cook"},
        admits=("operator",)),
    ("POST", "/console/staff/<int:staff_id>/<action>"): Entry(
        "operator", args={"action": "check-in"}, admits=("operator",)),
    ("GET", "/console/nurseries/<int:nursery_id>/ratio"): Entry("operator", admits=("operator",)),
    ("GET", "/console/nurseries/<int:nursery_id>/rounds"): Entry(
        "operator", admits=("operator",)),
    ("POST", "/console/nurseries/<int:nursery_id>/rounds"): Entry(
        "operator", body={"month": "2030-01", "places": "1", "closes_at": "2029-12-01T00:00"},
        admits=("operator",)),
    ("GET", "/console/nurseries/<int:nursery_id>/rounds/<int:round_id>"): Entry(
        "operator", admits=("operator",)),
    ("POST", "/console/bookings/<int:booking_id>/<action>"): Entry(
        "operator", args={"action": "check-in"}, admits=("operator",), refused=302),
    ("POST", "/console/bookings/<int:booking_id>/morning-check"): Entry(
        "operator", body={"temperature_c": "36.6", "result": "ok"}, admits=("operator",)),
    ("POST", "/console/alerts/<int:alert_id>/close"): Entry(
        None, body={"note": "已处置"}, admits=("regulator",)),
    ("POST", "/console/townships/<code>"): Entry(
        None, body={"population": "1"}, admits=("regulator",)),
    ("GET", "/console/nurseries/<int:nursery_id>/slots/new"): Entry(
        "operator", admits=("operator",)),
    ("POST", "/console/nurseries/<int:nursery_id>/slots/new"): Entry(
        "operator", body={"care_type": "full_day", "from": "2030-01-01", "to": "2030-01-02",
                          "weekdays": "1", "capacity": "1"}, admits=("operator",)),
    ("POST", "/console/nurseries/<int:nursery_id>/slots/batch"): Entry(
        "operator", body={"slot_ids": "@slot_id", "action": "close", "reason": "检修"},
        admits=("operator",)),
    ("GET", "/console/nurseries/<int:nursery_id>/profile"): Entry(
        "operator", admits=("operator",)),
    ("POST", "/console/nurseries/<int:nursery_id>/profile"): Entry(
        "operator", body={"name": "改名托育中心", "phone": "13900000000"}, admits=("operator",)),
    ("POST", "/console/nurseries/<int:nursery_id>/filing"): Entry(
        "operator", admits=("operator",)),
    ("GET", "/console/nurseries/<int:nursery_id>/offerings"): Entry(
        "operator", admits=("operator",)),
    ("POST", "/console/nurseries/<int:nursery_id>/offerings"): Entry(
        "operator", body={"care_type": "full_day", "price_yuan": "1"}, admits=("operator",)),
    ("GET", "/console/classes/<int:class_id>/edit"): CONSOLE_CLASS,
    ("POST", "/console/classes/<int:class_id>/edit"): Entry(
        "operator", body={"title": "改名"}, admits=STAFF, sees_all=("regulator",)),
    ("GET", "/console/classes/<int:class_id>/cancel"): CONSOLE_CLASS,
    ("POST", "/console/classes/<int:class_id>/cancel"): CONSOLE_CLASS,
    ("GET", "/console/classes/<int:class_id>/enrollments"): CONSOLE_CLASS,
    ("POST", "/console/classes/<int:class_id>/attendance"): Entry(
        "operator", body={"enrollment_ids": "1", "attended": "1"}, admits=STAFF,
        sees_all=("regulator",)),
}


def _routes_with_arguments(app) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.arguments and rule.rule.startswith(("/api/v1", "/console")):
            found += [(method, rule.rule, rule.endpoint)
                      for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def _admitted_roles(spec: dict, path: str, method: str) -> tuple[str, ...]:
    operation = spec["paths"][path][method.lower()]
    if not operation.get("security"):
        return ROLES
    return tuple(operation.get("x-roles") or ROLES)


def _snapshot() -> dict[str, list]:
    return {table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables}


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _rule_names(rule: str) -> list[str]:
    return ARGUMENT.findall(rule)


def _url(rule: str, ids: dict) -> str:
    return ARGUMENT.sub(lambda m: str(ids[m.group(1)]), rule)


def _console_client(app, user):
    client = app.test_client()
    user.password_hash = generate_password_hash(PASSWORD)
    db.session.commit()
    page = client.get("/console/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/console/login", data={
        "csrf_token": token, "username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    # Signing in starts a new session: the form token comes from a signed-in page.
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    return client, page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _expected(entry: Entry, role: str, admits: tuple[str, ...]) -> int | None:
    if role not in admits:
        return 403
    if entry.owner is None or role in entry.sees_all:
        return None  # this role may act here
    return entry.refused


def test_every_route_with_an_id_refuses_other_owners_and_wrong_roles(app, client):
    routes = _routes_with_arguments(app)
    missing = [f"{method} {rule} ({endpoint})" for method, rule, endpoint in routes
               if (method, rule) not in MATRIX and not rule.startswith("/static")]
    assert not missing, "routes without an authorisation-matrix entry: " + "; ".join(missing)

    victim, attacker = build_world(), build_world()
    spec = client.get("/api/v1/openapi.json").get_json()
    consoles = {role: _console_client(app, attacker.users[role]) for role in ("operator",
                                                                              "regulator")}
    tried = 0
    for method, rule, _ in routes:
        entry = MATRIX.get((method, rule))
        if entry is None:
            continue
        ids = {**path_ids(victim, rule, _rule_names(rule)), **_fill(entry.args, victim.ids)}
        url, body = _url(rule, ids), _fill(entry.body, victim.ids)
        console = rule.startswith("/console")
        if console:
            admits = entry.admits
        else:
            api_path = rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            admits = _admitted_roles(spec, api_path, method)
        for role in ("operator", "regulator") if console else ROLES:
            expected = _expected(entry, role, admits)
            if expected is None:
                continue
            before = _snapshot()
            if console:
                console_client, token = consoles[role]
                response = console_client.open(url, method=method,
                                               data={**(body or {}), "csrf_token": token})
            else:
                response = client.open(url, method=method, headers=attacker.headers[role],
                                       json=body if method != "GET" else None)
            db.session.rollback()
            assert response.status_code == expected, (method, url, role,
                                                      response.get_data(as_text=True)[:200])
            assert _snapshot() == before, f"{method} {url} as another {role} changed a table"
            tried += 1
    assert tried > 60

