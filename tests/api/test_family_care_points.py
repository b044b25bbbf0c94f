"""Family care points (家庭托育点): kind ``family``, at most 5 licensed places."""

import pytest
from sqlalchemy.exc import IntegrityError

from parentapp.extensions import db
from parentapp.models import Nursery
from tests.api.test_operator_nurseries import URL, VALID
from tests.asserts import assert_error
from tests.factories import make_nursery

PROBLEM = "家庭托育点最多收托 5 名婴幼儿，备案托位数不能超过 5。"


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Nursery))


def test_a_family_care_point_with_5_places_is_created(client, auth):
    _, headers = auth.operator()
    response = client.post(URL, json={**VALID, "kind": "family", "licensed_places": 5},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["kind"], response.get_json()["licensed_places"]) == ("family", 5)


def test_a_family_care_point_with_6_places_is_refused_beside_the_field(client, auth):
    _, headers = auth.operator()
    response = client.post(URL, json={**VALID, "kind": "family", "licensed_places": 6},
                           headers=headers)
    error = assert_error(response, 422, "validation_error")
    assert error["details"] == {"licensed_places": [PROBLEM]}
    assert _count() == 0


@pytest.mark.parametrize("change", [
    {"licensed_places": 6},                     # more places on a family point
    {"kind": "family"},                         # a 60-place nursery becomes a family point
    {"kind": "family", "licensed_places": 8},
])
def test_an_update_leaving_a_family_point_with_more_than_5_places_changes_nothing(
        client, auth, change):
    operator, headers = auth.operator()
    kind, places = ("family", 5) if "kind" not in change else ("nursery", 60)
    nursery = make_nursery(operator, kind=kind, licensed_places=places)
    before = client.get(f"{URL}/{nursery.id}", headers=headers).get_json()
    error = assert_error(client.patch(f"{URL}/{nursery.id}", json=change, headers=headers),
                         422, "validation_error")
    assert error["details"] == {"licensed_places": [PROBLEM]}
    assert client.get(f"{URL}/{nursery.id}", headers=headers).get_json() == before


def test_changing_to_a_family_point_with_few_enough_places_refiles_it(client, auth):
    operator, headers = auth.operator()
    nursery = make_nursery(operator, kind="nursery", licensed_places=60)
    response = client.patch(f"{URL}/{nursery.id}", headers=headers,
                            json={"kind": "family", "licensed_places": 4})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["kind"], body["licensed_places"], body["status"]) == ("family", 4, "pending")


def test_the_database_refuses_a_family_point_with_more_than_5_places(app):
    with pytest.raises(IntegrityError):
        make_nursery(kind="family", licensed_places=6)
    db.session.rollback()


def test_filed_family_points_appear_in_parent_search(client):
    point = make_nursery(kind="family", licensed_places=5)
    items = client.get("/api/v1/nurseries").get_json()["items"]
    assert [(i["id"], i["kind"]) for i in items] == [(point.id, "family")]
    detail = client.get(f"/api/v1/nurseries/{point.id}").get_json()
    assert (detail["kind"], detail["licensed_places"]) == ("family", 5)
