"""GET /children/{id}/childcare-subsidy: what the subsidy pays for the child, for each of
its people (the family rights test tries every role and a stranger)."""

from datetime import date

from parentapp.extensions import db
from tests.asserts import assert_error
from tests.factories import bearer, make_child, make_user
from tests.family_factories import family


def test_the_contracts_example_for_every_person_of_the_child(client):
    child, people = family(roles=("carer", "viewer"))
    child.birth_date = date(2023, 12, 15)
    db.session.commit()
    answers = [client.get(f"/api/v1/children/{child.id}/childcare-subsidy", headers=headers)
               for _, headers in people.values()]
    assert [a.status_code for a in answers] == [200, 200, 200]
    body = answers[0].get_json()
    assert all(a.get_json() == body for a in answers)
    assert (body["eligible"], body["months"], body["amount_yuan"]) == (True, 24, 7200)
    assert body["years"] == [{"year": 2025, "months": 12, "amount_yuan": 3600},
                             {"year": 2026, "months": 12, "amount_yuan": 3600}]
    assert set(body["apply"]) == {"where", "channels", "note"}
    assert "身份证" in body["apply"]["note"] and body["source"]


def test_a_child_born_before_2022_is_not_eligible(client):
    parent = make_user("parent")
    child = make_child(parent, birth_date=date(2021, 11, 30))
    body = client.get(f"/api/v1/children/{child.id}/childcare-subsidy",
                      headers=bearer(parent)).get_json()
    assert (body["eligible"], body["months"], body["amount_yuan"], body["years"]) == (
        False, 0, 0, [])


def test_someone_elses_child_is_not_found(client):
    child = make_child(make_user("parent"))
    answer = client.get(f"/api/v1/children/{child.id}/childcare-subsidy",
                        headers=bearer(make_user("parent")))
    assert_error(answer, 404, "not_found")
