"""The one strict JSON parser for request bodies, and the request class that uses it.

Python's ``json`` accepts what the contract does not: lone surrogates (which
later fail to encode), nesting deep enough to exhaust the stack, duplicate keys
(the last silently wins), ``NaN``/``Infinity``, and integers long enough to hit
the interpreter's digit limit. ``StrictJSONProvider.loads`` refuses all of them
with a ``MalformedJSON`` that says, in Chinese, what is wrong. Set as the app's
JSON provider, it is what ``request.get_json`` uses; ``ContractRequest`` turns
its refusal into 400 ``bad_request``, and the parsed body is cached on the
request, so the guard and the argument parser share one parse.

Answers are written by orjson (several times faster than ``json``), with the same
output as Flask's compact encoder: UTF-8 text unescaped (``ensure_ascii`` off), keys in
their order, and dates, datetimes, dataclasses, Decimal, UUID through Flask's own
``default`` (dates as HTTP dates, as before). What orjson refuses (an integer beyond 64
bits, a non-string key, a lone surrogate) goes to the standard encoder, which answers it
as before. Pretty-printed output (debug) stays with the standard encoder.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson
from flask import Request
from flask.json.provider import DefaultJSONProvider

from parentapp.errors import BadRequest

MAX_DEPTH = 32
MAX_INT_DIGITS = 30

# A JSON string (escapes included) and the brackets outside strings.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Dates and dataclasses go to Flask's default, so they look as they did with ``json``.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
COMPACT = (",", ":")


class MalformedJSON(ValueError):
    """Not JSON the API accepts; the message is Chinese, shown to the client."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise MalformedJSON(f"JSON 中的整数过大（最多 {MAX_INT_DIGITS} 位）。")
    return int(text)


def _parse_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise MalformedJSON("JSON 中的数字超出范围。")
    return number


def _reject_constant(name: str):
    raise MalformedJSON("JSON 不支持 NaN 或 Infinity。")


def _object(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise MalformedJSON("JSON 对象中有重复的键。")
    return result


def _check_depth(text: str) -> None:
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            raise MalformedJSON(f"JSON 嵌套过深（最多 {MAX_DEPTH} 层）。")


def _check_strings(value: Any) -> None:
    """Lone surrogates can be written as ``\\ud800`` escapes but are not text."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise MalformedJSON("JSON 字符串中含有无效的 Unicode 代理字符。")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def strict_loads(data: str | bytes) -> Any:
    """Parse ``data`` (UTF-8 when bytes); raises MalformedJSON."""
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedJSON("请求体不是合法的 UTF-8 文本。") from exc
    _check_depth(data)
    try:
        value = json.loads(data, object_pairs_hook=_object, parse_int=_parse_int,
                           parse_float=_parse_float, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise MalformedJSON(
            f"请求体不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）。") from exc
    _check_strings(value)
    return value


class StrictJSONProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return strict_loads(s)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        # Flask's response() asks for compact separators; anything else is json's to write.
        if kwargs != {"separators": COMPACT}:
            return super().dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj, default=self.default, option=ORJSON_OPTIONS).decode()
        except orjson.JSONEncodeError:
            return super().dumps(obj, **kwargs)


class ContractRequest(Request):
    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, MalformedJSON):
            raise BadRequest(str(e)) from e
        if e is None:
            raise BadRequest("请求体需要是 JSON（Content-Type: application/json）。")
        raise BadRequest("请求体不是合法的 JSON。") from e
