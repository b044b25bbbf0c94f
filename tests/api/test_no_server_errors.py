"""No input, however malformed, produces a 500: fuzz every documented endpoint.

For each operation in the served OpenAPI document, hypothesis builds path ids
(huge ones included), query strings and JSON bodies from the schema's own
field names with values of every JSON type, and sends them with each role's
token. Any 5xx other than the contract's 503s fails the test.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parentapp.extensions import db
from tests.openapi_operations import documented_operations

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False), st.text(max_size=30),
    st.sampled_from(["2026-12-01", "2026-02-30", "08:00", "25:61", "full_day", "am",
                     "2026-12-01T09:00:00+08:00", "500240001", "", " ", "null"]))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8)
PATH_IDS = st.one_of(st.integers(min_value=0, max_value=50), st.just(2**63 + 5),
                     st.sampled_from(["full_day", "hourly", "x", "DTaP-1", "500240001"]))


def _operations(app) -> list[tuple[str, str, list[str], list[str]]]:
    with app.test_request_context():
        spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return documented_operations(spec)


@pytest.fixture(scope="module")
def operations(app):
    return _operations(app)


@pytest.fixture
def tokens(auth):
    headers = {role: getattr(auth, role)()[1] for role in ("parent", "operator", "regulator")}
    db.session.commit()
    return headers


@settings(max_examples=int(os.environ.get("PARENTAPP_FUZZ_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_input_produces_a_server_error(client, operations, tokens, data):
    method, path, query_names, body_fields = data.draw(st.sampled_from(operations))
    url = re.sub(r"\{[^}]+\}", lambda _: str(data.draw(PATH_IDS)), path)
    query = data.draw(st.dictionaries(st.sampled_from(query_names or ["page"]),
                                      st.one_of(JSON_SCALARS.map(str), st.just("")),
                                      max_size=3))
    role = data.draw(st.sampled_from(["parent", "operator", "regulator", None]))
    headers = dict(tokens[role]) if role else {}
    headers["Idempotency-Key"] = data.draw(st.sampled_from(["k1", "k2", "", "x" * 300]))
    body = data.draw(st.one_of(
        st.dictionaries(st.sampled_from(body_fields or ["x"]), JSON_VALUES, max_size=6),
        JSON_VALUES))
    kwargs = {"json": body} if method in {"POST", "PUT", "PATCH"} else {}
    response = client.open(url, method=method, headers=headers, query_string=query, **kwargs)
    db.session.rollback()
    assert response.status_code < 500 or response.status_code == 503, (
        method, url, query, body, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert set(response.get_json()["error"]) == {"code", "message", "details"}
