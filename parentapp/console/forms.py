"""Console forms use the API's schemas and services, so the rules live in one place."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from marshmallow import Schema, ValidationError

from parentapp.errors import AppError


def problems_text(details: dict) -> str:
    """``{"capacity": ["不能小于 0。"]}`` as one readable line."""
    parts = []
    for field, problems in details.items():
        if isinstance(problems, dict):
            parts.append(problems_text(problems))
        else:
            parts.append(f"{field}：{'；'.join(map(str, problems))}")
    return "；".join(parts)


def attempt(action: Callable[[], object], success: str, schema: Schema | None = None,
            form: dict | None = None) -> bool:
    """Validate ``form`` with ``schema`` (if given), run ``action(**data)``; flash the outcome.

    A broken rule is shown in words and nothing changes (services commit only on success).
    """
    try:
        if schema is not None:
            data = schema.load(form or {})
            action(**data)
        else:
            action()
    except ValidationError as exc:
        flash("提交的信息有误：" + problems_text(exc.messages))
        return False
    except AppError as exc:
        text = exc.message
        if exc.details:
            text += "（" + problems_text(exc.details) + "）"
        flash(text)
        return False
    flash(success)
    return True
