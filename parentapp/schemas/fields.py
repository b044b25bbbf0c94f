"""The field types our schemas use: marshmallow's, answering in Chinese, and the
contract's own.

marshmallow's built-in messages are English; the details of a 422 are shown to
parents. Subclasses carry the Chinese, so marshmallow's own classes (and other
libraries' schemas) are left as they are. Schemas import this module as
``fields``; a field type missing here is added here, not taken from marshmallow.
"""

from __future__ import annotations

from marshmallow import fields as ma

from parentapp.timeutil import to_local_iso

# Every integer we store or look up fits a 64-bit column; a larger one is bad input
# (a 422 on its field), never a driver overflow (a 500).
DB_INT_MAX = 2**63 - 1

FIELD_MESSAGES = {"required": "必填。", "null": "不能为空。", "validator_failed": "取值无效。"}
NUMBER_MESSAGES = {**FIELD_MESSAGES, "invalid": "应为数字。", "too_large": "数值过大。"}
DATETIME_MESSAGES = {
    **FIELD_MESSAGES,
    "invalid": "应为带时区的 ISO 8601 时间。",
    "invalid_awareness": "时间需要带时区。",
    "format": "时间格式不正确。",
}


class Field(ma.Field):
    default_error_messages = FIELD_MESSAGES


class Method(ma.Method):
    default_error_messages = FIELD_MESSAGES


class Function(ma.Function):
    default_error_messages = FIELD_MESSAGES


class String(ma.String):
    default_error_messages = {**FIELD_MESSAGES, "invalid": "应为字符串。"}


class Integer(ma.Integer):
    """An integer that fits a 64-bit column."""

    default_error_messages = {**NUMBER_MESSAGES, "invalid": "应为整数。"}

    def _validated(self, value):
        number = super()._validated(value)
        if number is not None and not -DB_INT_MAX <= number <= DB_INT_MAX:
            raise self.make_error("too_large")
        return number


class Float(ma.Float):
    default_error_messages = {**NUMBER_MESSAGES, "special": "应为有限数字。"}


class Boolean(ma.Boolean):
    default_error_messages = {**FIELD_MESSAGES, "invalid": "应为 true 或 false。"}


class Date(ma.Date):
    default_error_messages = {**FIELD_MESSAGES, "invalid": "应为 YYYY-MM-DD 格式的日期。",
                              "format": "日期格式不正确。"}


class DateTime(ma.DateTime):
    default_error_messages = DATETIME_MESSAGES


class AwareDateTime(DateTime, ma.AwareDateTime):
    default_error_messages = DATETIME_MESSAGES


class Time(ma.Time):
    default_error_messages = FIELD_MESSAGES


class List(ma.List):
    default_error_messages = {**FIELD_MESSAGES, "invalid": "应为列表。"}


class Dict(ma.Dict):
    default_error_messages = {**FIELD_MESSAGES, "invalid": "应为对象。"}


class Nested(ma.Nested):
    default_error_messages = {**FIELD_MESSAGES, "type": "应为对象。"}


class LocalDateTime(DateTime):
    """Instants are shown with the Asia/Shanghai offset, e.g. ``2026-12-01T09:00:00+08:00``."""

    def _serialize(self, value, attr, obj, **kwargs):
        return to_local_iso(value)
