import pytest

from parentapp.config import SANDBOX_TEMPLATES
from tests.asserts import assert_error

URL = "/api/v1/me/subscriptions"
VACCINE, CHECKUP, BOOKING, CLASS = (SANDBOX_TEMPLATES[k] for k in
                                    ("vaccine", "checkup", "booking", "class"))


def test_each_accept_adds_one_grant(client, auth):
    _, headers = auth.parent()
    body = {"results": {VACCINE: "accept", CHECKUP: "reject", BOOKING: "accept"}}
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"grants": {"vaccine": 1, "checkup": 0, "booking": 1,
                                              "class": 0}}
    client.post(URL, json={"results": {VACCINE: "accept", CLASS: "filter"}}, headers=headers)
    assert client.get(URL, headers=headers).get_json()["grants"] == {
        "vaccine": 2, "checkup": 0, "booking": 1, "class": 0}


def test_ban_sets_the_templates_grants_to_zero(client, auth):
    _, headers = auth.parent()
    client.post(URL, json={"results": {VACCINE: "accept"}}, headers=headers)
    response = client.post(URL, json={"results": {VACCINE: "ban"}}, headers=headers)
    assert response.get_json()["grants"]["vaccine"] == 0


def test_grants_are_per_family(client, auth):
    _, first = auth.parent()
    _, second = auth.parent()
    client.post(URL, json={"results": {VACCINE: "accept"}}, headers=first)
    assert client.get(URL, headers=second).get_json()["grants"]["vaccine"] == 0


@pytest.mark.parametrize("body", [
    {"results": {"not-our-template": "accept"}},
    {"results": {VACCINE: "maybe"}},
    {"results": []},
    {},
    {"results": {VACCINE: "accept"}, "extra": 1},
])
def test_bad_results_are_a_422(client, auth, body):
    _, headers = auth.parent()
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert client.get(URL, headers=headers).get_json()["grants"]["vaccine"] == 0


def test_subscriptions_are_for_parents_only(client, auth):
    _, headers = auth.operator()
    response = client.get(URL, headers=headers)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert_error(client.get(URL), 401, "unauthorized")


def test_meta_lists_the_template_ids(client):
    assert client.get("/api/v1/meta").get_json()["subscription_templates"] == SANDBOX_TEMPLATES
