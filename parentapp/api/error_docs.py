"""Every status a route can answer, documented in the served OpenAPI document.

Rules read off each operation add the errors every route of its shape can
answer (a bearer token: 401; a role check: 403; an id in the path: 404; a body:
400, 413, 422; any database work: 503). A view names the rest with
``@answers("slot_full", ...)``. Codes are looked up in the one error tree, so
each status becomes one response with the shared ``ErrorSchema`` whose
description lists its codes.
"""

from __future__ import annotations

from collections import defaultdict

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin

from parentapp import errors
from parentapp.schemas.base import ErrorSchema

CODES_KEY = "x-error-codes"
ROLES_KEY = "x-roles"
_WRITE_METHODS = {"post", "put", "patch", "delete"}
# Every route reaches the database, which may be down (503) or locked (503 busy).
_ALWAYS = ("service_unavailable", "busy")


def answers(*codes: str):
    """Document the route-specific error codes a view can answer (by the contract's code)."""
    for code in codes:
        status_of(code)  # an unknown code fails at import, not in a client's hands

    def decorator(view):
        apidoc = getattr(view, "_apidoc", {})
        manual = apidoc.setdefault("manual_doc", {})
        manual[CODES_KEY] = [*manual.get(CODES_KEY, []), *codes]
        view._apidoc = apidoc
        return view

    return decorator


def _codes_of_tree() -> dict[str, int]:
    found, pending = {}, [errors.AppError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls.status)
        pending.extend(cls.__subclasses__())
    return found


def status_of(code: str) -> int:
    status = _codes_of_tree().get(code)
    if status is None:
        raise KeyError(f"{code!r} is not a code of parentapp.errors")
    return status


def _common_codes(path: str, method: str, operation: dict) -> list[str]:
    codes = []
    if operation.get("security"):
        codes.append("unauthorized")
    if operation.get(ROLES_KEY):
        codes.append("forbidden")
    if "{" in path:
        codes.append("not_found")
    if method in _WRITE_METHODS:
        codes += ["bad_request", "payload_too_large"]
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", [])
                    if isinstance(p, dict))
    if "requestBody" in operation or has_query:
        codes.append("validation_error")
    return codes + list(_ALWAYS)


def _description(status: int, codes: list[str], roles: list[str]) -> str:
    text = "Error codes: " + ", ".join(f"`{code}`" for code in codes) + "."
    if status == 403 and roles:
        text += " Only for the role" + ("s " if len(roles) > 1 else " ") + ", ".join(roles) + "."
    return text


class ErrorResponses(BasePlugin):
    """An apispec plugin: after the marshmallow plugin, fill in each operation's errors."""

    def init_spec(self, spec):
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs):
        resolver = next(p for p in self.spec.plugins if isinstance(p, MarshmallowPlugin)).resolver
        for method, operation in (operations or {}).items():
            roles = operation.get(ROLES_KEY, [])  # stays in the document: who may call it
            codes = _common_codes(path, method, operation)
            codes += operation.pop(CODES_KEY, [])
            by_status: dict[int, list[str]] = defaultdict(list)
            for code in dict.fromkeys(codes):
                by_status[status_of(code)].append(code)
            # flask-smorest keys responses by int, apispec by str: one key per status here.
            responses = {str(status): doc for status, doc in operation.get("responses", {}).items()
                         if status != "default"}
            for status, named in by_status.items():
                responses[str(status)] = self._error_response(
                    _description(status, named, roles), responses.get(str(status)), resolver)
            operation["responses"] = dict(sorted(responses.items()))

    @staticmethod
    def _error_response(description: str, given, resolver) -> dict:
        if isinstance(given, dict) and given.get("description"):
            description = given["description"] + ". " + description  # a view's own words first
        response = {"description": description,
                    "content": {"application/json": {"schema": ErrorSchema}}}
        resolver.resolve_response(response)
        return response
