"""The operations the served OpenAPI document lists, for tests that sweep every route."""

from __future__ import annotations


def documented_operations(spec: dict) -> list[tuple[str, str, list[str], list[str]]]:
    """(METHOD, path, query parameter names, JSON body field names) of every operation."""
    schemas = spec["components"]["schemas"]
    found = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            query = [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            fields = list(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            found.append((method.upper(), path, query, fields))
    return found
