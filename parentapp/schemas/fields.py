"""The field types our schemas use: marshmallow's, answering in Chinese, and the
contract's own.

marshmallow's built-in messages are English; the details of a 422 are shown to
parents. Subclasses carry the Chinese, so marshmallow's own classes (and other
libraries' schemas) are left as they are. Schemas import this module as
``fields``; a field type missing here is added here, not taken from marshmallow.
"""

from __future__ import annotations

import unicodedata

from marshmallow import fields as ma

from parentapp.timeutil import to_local_iso

# Every integer we store or look up fits a 64-bit column; a larger one is bad input
# (a 422 on its field), never a driver overflow (a 500).
DB_INT_MAX = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2999

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


# Characters that show nothing: format characters (zero-width space, ZWNJ, ZWJ, word
# joiner, BOM, soft hyphen, direction marks...) and fillers that render as blanks.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Bidirectional embeddings, overrides and isolates reorder what is shown ("Trojan source").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_invisible(char: str) -> bool:
    """Shows nothing: spaces (U+3000 included), tabs and line breaks, format characters."""
    if char in _BIDI_CONTROLS:
        return False
    return char in "\t\n\r" or char in _FILLERS or unicodedata.category(char) in {"Zs", "Cf"}


def _is_forbidden(char: str, multiline: bool) -> bool:
    if multiline and char in "\n\t":
        return False
    # Cc: C0, DEL and C1 (NUL included); Zl/Zp: U+2028, U+2029; Cs: lone surrogates.
    return unicodedata.category(char) in {"Cc", "Zl", "Zp", "Cs"} or char in _BIDI_CONTROLS


class Text(String):
    """A name or free text a person typed: the one rule for every such field.

    Trimmed of spaces, line breaks and invisible characters at both ends; then control
    characters (NUL, C0, C1, U+2028/2029, bidi overrides) are refused, except line
    breaks and tabs inside ``multiline`` text (``\r\n`` becomes ``\n``); a value of
    only invisible characters is refused unless ``blank`` (it then loads as "").
    Length validators see the trimmed value.
    """

    default_error_messages = {**String.default_error_messages,
                              "control": "不能包含控制字符。",
                              "invisible": "不能只有空白或不可见字符。"}

    def __init__(self, *args, multiline: bool = False, blank: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline, self.blank = multiline, blank

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        start, end = 0, len(text)
        while start < end and is_invisible(text[start]):
            start += 1
        while end > start and is_invisible(text[end - 1]):
            end -= 1
        if text and start == end and not self.blank:
            raise self.make_error("invisible")
        trimmed = text[start:end]
        if self.multiline:
            trimmed = trimmed.replace("\r\n", "\n")
        if any(_is_forbidden(char, self.multiline) for char in trimmed):
            raise self.make_error("control")
        return trimmed


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
    """A calendar date in the years the service can mean (1900-2999): the day after or the
    instant of an extreme date like 9999-12-31 would not exist."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": "应为 YYYY-MM-DD 格式的日期。",
                              "format": "日期格式不正确。",
                              "range": f"日期应在 {MIN_YEAR} 到 {MAX_YEAR} 年之间。"}

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise self.make_error("range")
        return day


class DateTime(ma.DateTime):
    default_error_messages = DATETIME_MESSAGES


class AwareDateTime(DateTime, ma.AwareDateTime):
    """An instant in the years the service can mean (1901-2999): before 1901 Asia/Shanghai
    was on local mean time (+08:05:43), which no ISO 8601 offset can write."""

    default_error_messages = {**DATETIME_MESSAGES,
                              "range": f"时间应在 {MIN_YEAR + 1} 到 {MAX_YEAR} 年之间。"}

    def _deserialize(self, value, attr, data, **kwargs):
        instant = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_YEAR + 1 <= instant.year <= MAX_YEAR:
            raise self.make_error("range")
        return instant


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
