"""Shared marshmallow pieces: the base schema, Chinese validators, lists.

The base schema answers in Chinese for the schema as a whole (a body that is not
an object, an unknown key); field messages are in ``parentapp.schemas.fields``.
"""

from __future__ import annotations

from marshmallow import Schema, validate

from parentapp.schemas import fields


def one_of(choices) -> validate.OneOf:
    return validate.OneOf(choices, error="应为以下之一：" + "、".join(map(str, choices)) + "。")


def length(min: int | None = None, max: int | None = None) -> validate.Length:  # noqa: A002
    if min is not None and max is not None:
        error = f"长度应为 {min} 到 {max} 个字符。"
    elif max is not None:
        error = f"长度不能超过 {max} 个字符。"
    else:
        error = f"长度不能少于 {min} 个字符。"
    return validate.Length(min=min, max=max, error=error)


def value_range(min=None, max=None) -> validate.Range:  # noqa: A002
    if min is not None and max is not None:
        error = f"应在 {min} 到 {max} 之间。"
    elif max is not None:
        error = f"不能大于 {max}。"
    else:
        error = f"不能小于 {min}。"
    return validate.Range(min=min, max=max, error=error)


class BaseSchema(Schema):
    """Unknown keys are rejected (marshmallow's default RAISE), never ignored."""

    error_messages = {"type": "应为 JSON 对象。", "unknown": "不支持的字段。"}


class EmptySchema(BaseSchema):
    """Action POSTs take no body or ``{}``."""


class PageQuerySchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=value_range(min=1))
    per_page = fields.Integer(load_default=20, validate=value_range(min=1, max=100))


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The contract's list envelope around ``item_schema``."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (BaseSchema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    })


class ErrorDetailSchema(BaseSchema):
    code = fields.String(required=True, metadata={"description": "stable snake_case code"})
    message = fields.String(required=True, metadata={"description": "Chinese, shown to people"})
    details = fields.Dict(required=True)


class ErrorSchema(BaseSchema):
    error = fields.Nested(ErrorDetailSchema, required=True)
