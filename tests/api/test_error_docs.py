"""The served document lists every error status a route answers, by code."""

import pytest

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_booking_lists_its_conflicts_by_code(spec):
    responses = spec["paths"]["/api/v1/bookings"]["post"]["responses"]
    assert set(responses) == {"201", "400", "401", "403", "404", "409", "413", "422", "429",
                              "503"}
    for code in ("slot_full", "slot_closed", "already_booked", "request_in_progress",
                 "limit_reached"):
        assert f"`{code}`" in responses["409"]["description"]


def test_every_error_response_uses_the_error_schema_and_none_is_a_catch_all(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # path-level, not an operation
                continue
            assert "default" not in operation["responses"], (method, path)
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": ERROR_REF}, (method, path, status)


@pytest.mark.parametrize(("method", "path", "present", "absent"), [
    ("get", "/api/v1/meta", {"200", "503"}, {"401", "404", "422"}),
    ("get", "/api/v1/me", {"401"}, {"403"}),
    ("get", "/api/v1/children/{child_id}", {"401", "403", "404"}, {"400", "413"}),
    ("post", "/api/v1/auth/login", {"401", "429"}, {"403"}),
])
def test_common_errors_follow_the_shape_of_the_route(spec, method, path, present, absent):
    statuses = set(spec["paths"][path][method]["responses"])
    assert present <= statuses and not absent & statuses
