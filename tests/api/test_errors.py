import pytest


def _error(response):
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_unknown_route_answers_not_found_in_the_contract_body(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_wrong_method_answers_405_in_the_contract_body(client):
    response = client.put("/api/v1/meta")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


def test_body_over_64_kib_answers_413(client, auth):
    _, headers = auth.parent()
    body = '{"name": "' + "x" * (65 * 1024) + '"}'
    response = client.post("/api/v1/children", data=body, headers=headers,
                           content_type="application/json")
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "42", "\xff\xfe"])
def test_body_that_is_not_a_json_object_answers_400(client, auth, raw):
    _, headers = auth.parent()
    response = client.post("/api/v1/children", data=raw, headers=headers,
                           content_type="application/json")
    assert response.status_code == 400
    assert _error(response)["code"] == "bad_request"


def test_body_with_another_content_type_answers_400(client, auth):
    _, headers = auth.parent()
    response = client.post("/api/v1/children", data="name=x", headers=headers,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert _error(response)["code"] == "bad_request"


def test_unknown_fields_are_rejected_not_ignored(client, auth):
    _, headers = auth.parent()
    response = client.post("/api/v1/children", headers=headers, json={
        "name": "小明", "birth_date": "2025-01-01", "gender": "male", "parent_id": 99})
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "validation_error"
    assert error["details"] == {"parent_id": ["不支持的字段。"]}


def test_validation_messages_are_chinese(client, auth):
    _, headers = auth.parent()
    response = client.post("/api/v1/children", headers=headers, json={})
    details = _error(response)["details"]
    assert details["name"] == ["必填。"]
    assert set(details) == {"name", "birth_date", "gender"}


def test_an_unexpected_exception_still_answers_the_contract_body(app):
    from parentapp import create_app

    other = create_app(dict(app.config))

    @other.route("/api/v1/__boom__")
    def boom():
        raise RuntimeError("boom")

    response = other.test_client().get("/api/v1/__boom__")
    assert response.status_code == 500
    assert _error(response)["code"] == "internal_error"


def test_an_id_too_large_for_the_database_is_not_found(client, auth):
    _, headers = auth.parent()
    response = client.get("/api/v1/children/99999999999999999999999", headers=headers)
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_a_number_too_large_for_the_database_names_its_field(client, auth):
    _, headers = auth.parent()
    body = client.post("/api/v1/children", headers=headers, json={
        "name": "小明", "birth_date": "2025-01-01", "gender": "male", "id": 10**25})
    assert body.status_code == 422 and "id" in _error(body)["details"]
    assert _error(body)["code"] == "validation_error"
    response = client.get("/api/v1/children?page=99999999999999999999", headers=headers)
    assert response.status_code == 422
    assert _error(response)["code"] == "validation_error"
    assert _error(response)["details"] == {"page": ["数值过大。"]}


def test_a_page_whose_offset_overflows_is_refused_not_a_500(client, auth):
    _, headers = auth.parent()
    response = client.get(f"/api/v1/children?page={2**62}&per_page=100", headers=headers)
    assert response.status_code == 422
    assert _error(response)["code"] == "validation_error"


def test_an_exhausted_connection_pool_answers_503_not_500(app, tmp_path):
    from parentapp import create_app
    from parentapp.extensions import db

    other = create_app({**app.config,
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/pool.sqlite3",
                        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0,
                                                      "pool_timeout": 0.2}})
    with other.app_context():
        db.create_all()
        held = db.engine.connect()  # the pool's only connection
        try:
            response = other.test_client().get("/api/v1/meta")
        finally:
            held.close()
            db.session.remove()
            db.engine.dispose()
    assert response.status_code == 503
    assert _error(response)["code"] == "service_unavailable"
    assert response.headers["Retry-After"] == "5"


def test_chinese_messages_are_our_schemas_own_marshmallow_is_left_english(app, client, auth):
    from marshmallow import Schema
    from marshmallow import fields as marshmallow_fields

    assert marshmallow_fields.Field.default_error_messages["required"] == (
        "Missing data for required field.")
    assert marshmallow_fields.String().error_messages["required"] == (
        "Missing data for required field.")
    assert marshmallow_fields.Integer().error_messages["invalid"] == "Not a valid integer."
    assert marshmallow_fields.Integer().deserialize(2**64) == 2**64  # no bound patched in
    assert Schema().error_messages["unknown"] == "Unknown field."
    _, headers = auth.parent()
    response = client.post("/api/v1/children", headers=headers, json={
        "name": 1, "birth_date": "soon", "gender": "male", "vaccine_choices": [], "pet": 1})
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "validation_error"
    assert error["details"] == {
        "name": ["应为字符串。"], "birth_date": ["应为 YYYY-MM-DD 格式的日期。"],
        "vaccine_choices": {"_schema": ["应为 JSON 对象。"]}, "pet": ["不支持的字段。"]}


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_id_too_large_for_a_column_is_not_found_whatever_the_method(client, auth, method):
    _, headers = auth.parent()
    response = client.open("/api/v1/children/16801888023701633024", method=method,
                           headers=headers, json={} if method == "PATCH" else None)
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
