"""The health plan's hand-built JSON is HealthPlanSchema's dump of the same plan, for
varied children (special groups, catch-up ages, doses recorded by code and by product,
inactivated choices); it is never stored by a cache; access is the child's people's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from parentapp import service_settings
from parentapp.extensions import db
from parentapp.models import HealthRecord, utcnow
from parentapp.schemas.health import HealthPlanSchema
from parentapp.services.health import records
from parentapp.timeutil import add_months, local_today
from tests.asserts import assert_error
from tests.factories import make_child
from tests.family_factories import add_person, family

NO_STORE = "private, no-store"


def schema_dump(parent_id: int, child_id: int) -> dict:
    schedule, items = records.health_plan(parent_id, child_id, utcnow(),
                                          schedule=service_settings.health_schedule())
    return HealthPlanSchema().dump({"schedule_version": schedule.version, "items": items})


def plan(client, headers, child):
    return client.get(f"/api/v1/children/{child.id}/health-plan", headers=headers)


def record(child, code, days_after_birth, product=None):
    db.session.add(HealthRecord(child_id=child.id, code=code, product=product,
                                done_on=child.birth_date + timedelta(days=days_after_birth),
                                recorded_at=utcnow()))
    db.session.commit()


def newborn(parent):
    return make_child(parent, birth_date=local_today(utcnow()) - timedelta(days=3),
                      hbsag_mother="positive", birth_weight_g=1800)


def five_years_old(parent):
    """Old enough for catch-up rules on what was never given."""
    child = make_child(parent, birth_date=add_months(local_today(utcnow()), -62),
                       je_choice="inactivated", hepa_choice="inactivated",
                       hbsag_mother="unknown")
    record(child, "BCG", 0)
    record(child, "HepB-1", 0)
    return child


def eighteen_months(parent):
    child = make_child(parent)  # 18 months, choices live, no special group given
    record(child, "HepB-1", 0)
    record(child, "DTaP-1", 92, product="DTaP-IPV-Hib")
    record(child, "IPV-1", 92, product="DTaP-IPV-Hib")
    record(child, "MMR-1", 245)
    return child


@pytest.mark.parametrize("make", [newborn, five_years_old, eighteen_months])
def test_the_fast_plan_is_the_schema_dump(client, auth, make):
    parent, headers = auth.parent()
    child = make(parent)
    response = plan(client, headers, child)
    assert response.status_code == 200, response.get_json()
    expected = schema_dump(parent.id, child.id)
    assert response.get_json() == expected
    assert response.get_data() == current_app.json.response(expected).get_data()
    assert response.headers["Cache-Control"] == NO_STORE
    assert "ETag" not in response.headers


def test_the_varied_plans_hold_every_nullable_field_both_ways(client, auth):
    parent, headers = auth.parent()
    items = [item for make in (newborn, five_years_old, eighteen_months)
             for item in plan(client, headers, make(parent)).get_json()["items"]]
    for key in ("latest_date", "done_on", "product", "catch_up"):
        assert {item[key] is None for item in items} == {True, False}, key
    assert any(item["advice"] for item in items) and any(not i["advice"] for i in items)
    assert "疫苗".encode() in plan(client, headers, make_child(parent)).get_data()


def test_a_carer_and_a_viewer_read_the_plan_and_a_stranger_gets_404(client, auth):
    child, people = family()
    guardian = people["guardian"][0]
    for role in ("guardian", "carer", "viewer"):
        response = plan(client, people[role][1], child)
        assert response.status_code == 200, role
        assert response.get_json() == schema_dump(guardian.id, child.id)
    _, stranger = auth.parent()
    assert_error(plan(client, stranger, child), 404, "not_found")


def test_the_plan_needs_a_parent_token(client, auth):
    parent, _ = auth.parent()
    child = make_child(parent)
    assert_error(plan(client, {}, child), 401, "unauthorized")
    _, operator = auth.operator()
    assert_error(plan(client, operator, child), 403, "forbidden")


def test_a_person_removed_from_the_child_no_longer_reads_the_plan(client, auth):
    parent, _ = auth.parent()
    child = make_child(parent)
    carer, headers = auth.parent()
    add_person(child, carer)
    assert plan(client, headers, child).status_code == 200
    db.session.execute(db.text("DELETE FROM child_people WHERE user_id = :u"), {"u": carer.id})
    db.session.commit()
    assert_error(plan(client, headers, child), 404, "not_found")
