"""GET /admin/audit: the regulator reads who changed what, filtered and paginated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parentapp.extensions import db
from parentapp.models import AuditEntry
from parentapp.services.common import audit
from tests.asserts import assert_error
from tests.factories import make_nursery, make_user

URL = "/api/v1/admin/audit"
# 2026-03-10 23:30 UTC is 2026-03-11 07:30 in Shizhu: the local date decides the filters.
LATE = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)


def entry(actor, action, subject, at, **changes):
    audit.record(actor.id if actor else None, action, subject, now=at, **changes)
    db.session.commit()


def listing(client, headers, **query):
    response = client.get(URL, headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_items_name_the_actor_and_nursery_and_show_local_time(client, auth):
    regulator, headers = auth.regulator(name="王科长")
    nursery = make_nursery(name="南宾示范托育园")
    entry(regulator, "filing.revoke", nursery, LATE, before={"filing_status": "approved"},
          after={"filing_status": "revoked", "reason": "停办"})
    body = listing(client, headers)
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 1)
    [item] = body["items"]
    assert item == {"id": item["id"], "at": "2026-03-11T07:30:00+08:00",
                    "actor_id": regulator.id, "actor_name": "王科长", "actor_role": "regulator",
                    "action": "filing.revoke", "subject_type": "nursery",
                    "subject_id": str(nursery.id), "nursery_id": nursery.id,
                    "nursery_name": "南宾示范托育园", "before": {"filing_status": "approved"},
                    "after": {"filing_status": "revoked", "reason": "停办"}}


def test_an_actor_without_a_name_is_shown_by_username_and_the_command_line_as_null(client,
                                                                                  auth):
    _, headers = auth.regulator()
    nameless = make_user("operator", name=None, username="op-nameless")
    nursery = make_nursery(nameless)
    entry(nameless, "nursery.update", nursery, LATE, before={"phone": "1"}, after={"phone": "2"})
    entry(None, "user.create", nameless, LATE + timedelta(minutes=1),
          after={"role": "operator"})
    by_cli, by_operator = listing(client, headers)["items"]
    assert (by_operator["actor_name"], by_operator["actor_role"]) == ("op-nameless", "operator")
    assert (by_cli["actor_id"], by_cli["actor_name"], by_cli["nursery_id"]) == (None, None, None)


@pytest.mark.parametrize("role", ["parent", "operator"])
def test_only_regulators_read_the_log(client, auth, role):
    _, headers = getattr(auth, role)()
    assert_error(client.get(URL, headers=headers), 403, "forbidden")


def test_the_log_needs_a_token(client):
    assert_error(client.get(URL), 401, "unauthorized")


def test_filters_by_actor_nursery_and_local_dates_newest_first(client, auth):
    regulator, headers = auth.regulator()
    operator = make_user("operator")
    mine, other = make_nursery(operator), make_nursery()
    entry(operator, "nursery.update", mine, LATE - timedelta(days=1), after={"phone": "1"})
    entry(operator, "nursery.update", mine, LATE, after={"phone": "2"})
    entry(regulator, "filing.revoke", other, LATE + timedelta(days=1),
          after={"filing_status": "revoked"})

    def ids(**query):
        return [(i["actor_id"], i["after"]) for i in listing(client, headers, **query)["items"]]

    assert ids() == [(regulator.id, {"filing_status": "revoked"}),
                     (operator.id, {"phone": "2"}), (operator.id, {"phone": "1"})]
    assert ids(actor=operator.id) == [(operator.id, {"phone": "2"}), (operator.id, {"phone": "1"})]
    assert ids(nursery_id=other.id) == [(regulator.id, {"filing_status": "revoked"})]
    # LATE is 2026-03-11 in Shizhu, though 2026-03-10 in UTC.
    assert ids(**{"from": "2026-03-11", "to": "2026-03-11"}) == [(operator.id, {"phone": "2"})]
    assert ids(to="2026-03-10") == [(operator.id, {"phone": "1"})]
    assert ids(**{"from": "2026-03-12"}) == [(regulator.id, {"filing_status": "revoked"})]
    assert ids(actor=operator.id, nursery_id=other.id) == []


def test_pages_hold_per_page_entries_and_the_total(client, auth):
    regulator, headers = auth.regulator()
    nursery = make_nursery()
    for n in range(5):
        entry(regulator, "slots.generate", nursery, LATE + timedelta(minutes=n),
              after={"created": n})
    pages = [listing(client, headers, page=p, per_page=2) for p in (1, 2, 3)]
    assert [p["total"] for p in pages] == [5, 5, 5]
    assert [[i["after"]["created"] for i in p["items"]] for p in pages] == [[4, 3], [2, 1], [0]]


@pytest.mark.parametrize("query, field", [
    ({"actor": "abc"}, "actor"), ({"actor": "0"}, "actor"), ({"nursery_id": "-1"}, "nursery_id"),
    ({"from": "2026-13-01"}, "from"), ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
    ({"from": "0001-01-01"}, "from"), ({"to": "9999-12-31"}, "to"),
    ({"per_page": "101"}, "per_page"), ({"page": "0"}, "page"),
])
def test_bad_filters_are_a_422_naming_the_field(client, auth, query, field):
    _, headers = auth.regulator()
    error = assert_error(client.get(URL, headers=headers, query_string=query), 422,
                         "validation_error")
    assert error["details"], error
    assert field in repr(error["details"])


def test_the_endpoint_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/admin/audit"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"actor", "nursery_id", "from", "to", "page", "per_page"} <= names
    assert operation["security"] == [{"bearerAuth": []}]
    schema = spec["components"]["schemas"]["AuditEntry"]
    assert {"at", "actor_name", "actor_role", "action", "nursery_name", "before",
            "after"} <= set(schema["properties"])


def test_a_change_made_through_the_api_shows_in_the_log(client, auth):
    regulator, headers = auth.regulator()
    nursery = make_nursery(filing_status="pending", filing_no=None, filed_on=None)
    response = client.post(f"/api/v1/admin/filings/{nursery.id}/reject", headers=headers,
                           json={"reason": "材料不全"})
    assert response.status_code == 200
    [item] = listing(client, headers)["items"]
    assert (item["action"], item["actor_id"], item["after"]) == (
        "filing.reject", regulator.id, {"filing_status": "rejected", "reason": "材料不全"})
    assert db.session.query(AuditEntry).count() == 1
