"""Schemathesis against the served OpenAPI document, in-process, one test per operation.

Each operation gets a fresh world (tests/world.py: a parent with a child, a booking, a
waitlist place, a class seat; an operator with an approved nursery, offerings and slots;
a regulator) and a fixed, derandomised budget of generated requests, valid and invalid,
with path ids that are often the world's real ones and the token of a role the route
admits (sometimes another role's, a forged one or none). Every answer must be no 5xx,
a status the document lists for that route, and a body that matches its schema.

``PARENTAPP_FUZZ_EXAMPLES`` sets the budget per operation (``make fuzz`` raises it).
SQLite only: the checks are about the document, not the database.
"""

from __future__ import annotations

import functools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from parentapp import create_app
from parentapp.extensions import db
from tests.world import build_world, path_ids

pytestmark = pytest.mark.skipif(bool(os.environ.get("PARENTAPP_TEST_DATABASE_URL")),
                                reason="schema fuzzing runs on SQLite only")

EXAMPLES = int(os.environ.get("PARENTAPP_FUZZ_EXAMPLES", "12"))
SPEC_PATH = "/api/v1/openapi.json"
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]
FORGED = {"Authorization": "Bearer forged-token"}


def _documented_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from a throwaway app at collection."""
    app = create_app({"PARENTAPP_ENV": "testing", "TESTING": True, "SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    spec = app.test_client().get(SPEC_PATH).get_json()
    return [(method.upper(), path) for path, ops in spec["paths"].items()
            for method in ops if method != "parameters"]


OPERATIONS = _documented_operations()


@functools.cache
def _schema(app):
    return schemathesis.openapi.from_wsgi(SPEC_PATH, app)


def _headers_to_try(world, roles: list[str] | None) -> list[dict]:
    """Mostly a token the route admits; now and then another role's, a forged one, none."""
    admitted = roles or list(world.headers)
    others = [h for role, h in world.headers.items() if role not in admitted]
    return [world.headers[role] for role in admitted] * 3 + others + [FORGED, {}]


def _cases(operation, world):
    names = [parameter.name for parameter in operation.path_parameters]
    real = path_ids(world, operation.path, names)
    modes = list(GenerationMode)
    strategies = [operation.as_strategy(mode) for mode in modes]
    if real:
        strategies += [operation.as_strategy(mode, path_parameters=real) for mode in modes] * 2
    return st.one_of(strategies)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_answer_is_documented(app, method, path):
    world = build_world()
    operation = _schema(app)[path][method]
    roles = operation.definition.raw.get("x-roles") if operation.definition.raw.get(
        "security") else None
    cases, headers = _cases(operation, world), st.sampled_from(_headers_to_try(world, roles))

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=cases, auth=headers)
    def answers_as_documented(case, auth):
        try:
            response = case.call(headers=auth)
            case.validate_response(response, checks=CHECKS)
        finally:
            db.session.rollback()

    answers_as_documented()
