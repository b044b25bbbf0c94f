"""Console forms use the API's schemas and services, so the rules live in one place.

A form that fails is shown again with what was typed and each problem beside its
field (``errors``: field -> Chinese messages), with HTTP 422; nothing is stored.
A problem that belongs to no field of the form goes to the page's error banner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from flask import flash
from marshmallow import Schema, ValidationError

from parentapp.console.labels import label
from parentapp.errors import AppError

Errors = dict[str, list[str]]
_LOCAL_INPUT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


def local_time_value(raw: str) -> str:
    """A ``datetime-local`` input's Asia/Shanghai wall time as ISO 8601 with the +08:00
    offset the schemas require; anything else is left for the schema to refuse."""
    if _LOCAL_INPUT.fullmatch(raw):
        return f"{raw}{':00' if raw.count(':') == 1 else ''}+08:00"
    return raw


def field_errors(details: Mapping | list | str | None) -> Errors:
    """marshmallow messages or an ``AppError``'s details as field -> list of messages.

    Nested messages (``{"windows": {0: {"start": [...]}}}``) belong to the top field.
    """
    if not details:
        return {}
    if isinstance(details, (str, list)):
        return {"_schema": _messages(details)}
    return {str(key): _messages(value) for key, value in details.items()}


def _messages(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [m for inner in value.values() for m in _messages(inner)]
    if isinstance(value, (list, tuple)):
        return [m for inner in value for m in _messages(inner)]
    return [str(value)]


def problems_text(details: Mapping | list | str | None) -> str:
    """``{"capacity": ["应在 0 到 1000 之间。"]}`` as ``容量：应在 0 到 1000 之间。``."""
    return "；".join(f"{label(field)}：{'；'.join(messages)}"
                    for field, messages in field_errors(details).items())


def app_errors(exc: AppError) -> Errors:
    """An ``AppError`` as form errors: its message under ``_schema``, and beside a field
    what belongs there. A 422's details are field messages (``{"capacity": [...]}``);
    any other refusal's details are data (``{"slot_ids": [3], "date": "..."}``), never
    messages, and name a field only through ``{"field": "birth_date"}``.
    """
    details = exc.details if isinstance(exc.details, Mapping) else {}
    if exc.status == 422:
        errors = {k: v for k, v in field_errors(details).items() if k != "_schema"}
    elif isinstance(details.get("field"), str):
        errors = {details["field"]: [exc.message]}
    else:
        errors = {}
    return {"_schema": [exc.message], **errors}


def submit(action: Callable[..., object], schema: Schema | None = None,
           form: dict | None = None) -> tuple[object, Errors]:
    """Validate ``form`` with ``schema`` (if given) and run ``action(**data)``.

    Returns ``(result, {})`` on success or ``(None, errors)``: field problems keyed by
    field, an ``AppError``'s message under ``_schema`` (and its field problems under
    their fields). Services commit only on success, so a refusal changes nothing.
    """
    try:
        data = schema.load(form or {}) if schema is not None else {}
        return action(**data), {}
    except ValidationError as exc:
        return None, field_errors(exc.messages)
    except AppError as exc:
        return None, app_errors(exc)


def attempt(action: Callable[..., object], success: str, schema: Schema | None = None,
            form: dict | None = None) -> bool:
    """``submit`` for one-button forms that redirect: flash success or the problems."""
    _, errors = submit(action, schema, form)
    if errors:
        flash(banner_text(errors), "error")
        return False
    flash(success, "success")
    return True


def banner_text(errors: Errors) -> str:
    """All of a form's problems as one line: the general ones, then each field's."""
    general = "；".join(errors.get("_schema", []))
    fields = problems_text({k: v for k, v in errors.items() if k != "_schema"})
    if general and fields:
        return f"{general}（{fields}）"
    return general or fields
