"""Shared marshmallow pieces: the base schema, Chinese field messages, lists.

marshmallow's built-in messages are English; the details of a 422 are shown
to parents, so the common ones are replaced once, here, at import.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {"required": "必填。", "null": "不能为空。", "validator_failed": "取值无效。"},
    fields.String: {"invalid": "应为字符串。"},
    fields.Integer: {"invalid": "应为整数。", "too_large": "数值过大。"},
    fields.Number: {"invalid": "应为数字。", "too_large": "数值过大。"},
    fields.Float: {"special": "应为有限数字。"},
    fields.Boolean: {"invalid": "应为 true 或 false。"},
    fields.Date: {"invalid": "应为 YYYY-MM-DD 格式的日期。", "format": "日期格式不正确。"},
    fields.DateTime: {
        "invalid": "应为带时区的 ISO 8601 时间。",
        "invalid_awareness": "时间需要带时区。",
        "format": "时间格式不正确。",
    },
    fields.List: {"invalid": "应为列表。"},
    fields.Mapping: {"invalid": "应为对象。"},
    fields.Nested: {"type": "应为对象。"},
}


def _use_chinese_messages() -> None:
    for field_class, messages in _MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    Schema._default_error_messages = {"type": "应为 JSON 对象。", "unknown": "不支持的字段。"}


# Every integer we store or look up fits a 64-bit column; a larger one is bad input
# (a 422 on its field), never a driver overflow (a 500).
DB_INT_MAX = 2**63 - 1
_unbounded_integer = fields.Integer._validated


def _bounded_integer(self, value):
    number = _unbounded_integer(self, value)
    if number is not None and not -DB_INT_MAX <= number <= DB_INT_MAX:
        raise self.make_error("too_large")
    return number


_use_chinese_messages()
fields.Integer.default_error_messages = {**fields.Integer.default_error_messages,
                                         "too_large": "数值过大。"}
fields.Integer._validated = _bounded_integer


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
