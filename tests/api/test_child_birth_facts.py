"""The child's optional birth facts for the schedule's special groups: the mother's HBsAg
and the birth weight."""

from datetime import timedelta

import pytest

from parentapp.extensions import db
from parentapp.models import Child, utcnow
from parentapp.timeutil import local_today
from tests.asserts import assert_error

BORN = (local_today(utcnow()) - timedelta(days=20)).isoformat()
NEWBORN = {"name": "小宝", "birth_date": BORN, "gender": "female"}


def test_added_with_birth_facts_read_back_changed_and_cleared(client, auth):
    _, headers = auth.parent()
    created = client.post("/api/v1/children", headers=headers,
                          json={**NEWBORN, "hbsag_mother": "positive", "birth_weight_g": 1850})
    assert created.status_code == 201
    child = created.get_json()
    assert (child["hbsag_mother"], child["birth_weight_g"]) == ("positive", 1850)
    url = f"/api/v1/children/{child['id']}"
    patched = client.patch(url, headers=headers, json={"hbsag_mother": None,
                                                       "birth_weight_g": 2400}).get_json()
    assert (patched["hbsag_mother"], patched["birth_weight_g"]) == (None, 2400)
    assert client.get(url, headers=headers).get_json() == patched


def test_without_them_they_are_null(client, auth):
    _, headers = auth.parent()
    child = client.post("/api/v1/children", json=NEWBORN, headers=headers).get_json()
    assert (child["hbsag_mother"], child["birth_weight_g"]) == (None, None)


@pytest.mark.parametrize(("field", "value"), [
    ("hbsag_mother", "maybe"), ("hbsag_mother", 1), ("birth_weight_g", 299),
    ("birth_weight_g", 7001), ("birth_weight_g", "2kg")])
def test_bad_birth_facts_are_refused_and_nothing_is_stored(client, auth, field, value):
    _, headers = auth.parent()
    answer = client.post("/api/v1/children", json={**NEWBORN, field: value}, headers=headers)
    assert_error(answer, 422, "validation_error")
    assert field in answer.get_json()["error"]["details"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Child)) == 0
