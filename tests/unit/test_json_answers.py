"""Answers are written by orjson with exactly the output Flask's own encoder gave."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from parentapp.domain import CareType
from parentapp.json_body import StrictJSONProvider


@dataclasses.dataclass
class Point:
    lat: float
    lng: float


class Unescaped(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False


@pytest.fixture
def providers():
    app = Flask(__name__)  # providers hold their app weakly: keep it alive
    yield StrictJSONProvider(app), Unescaped(app)


@pytest.mark.parametrize("value", [
    {"name": "南宾托育中心", "z": 1, "a": [True, None, 0.1, 29.999, 1e16, -3]},
    {"day": date(2026, 12, 4), "at": datetime(2026, 12, 4, 9, 30, tzinfo=UTC)},
    {"price": Decimal("12.50"), "id": uuid.UUID(int=7), "point": Point(29.9, 108.1)},
    {"care_type": CareType.FULL_DAY, "emoji": "👶", "line": "a\u2028b"},
    {"huge": 2**70},  # beyond orjson's 64 bits: the standard encoder writes it
    {1: "non-string key"},
], ids=["text", "dates", "flask-defaults", "enum-unicode", "big-int", "int-key"])
def test_answers_are_what_flask_wrote(providers, value):
    fast, standard = providers
    assert fast.response(value).get_data() == standard.response(value).get_data()


def test_chinese_is_not_escaped(providers):
    fast, _ = providers
    assert fast.response({"名": "石柱"}).get_data() == '{"名":"石柱"}\n'.encode()


def test_unserialisable_values_still_fail(providers):
    fast, _ = providers
    with pytest.raises(TypeError):
        fast.dumps({"x": object()}, separators=(",", ":"))


def test_instants_before_1901_are_refused_not_written_with_a_local_mean_time_offset():
    from marshmallow import ValidationError

    from parentapp.schemas.fields import AwareDateTime

    field = AwareDateTime()
    assert field.deserialize("2026-12-01T09:00:00+08:00").year == 2026
    for value in ("0863-12-14T09:33:43+08:00", "1900-06-01T00:00:00+08:00",
                  "3000-01-01T00:00:00+08:00"):
        with pytest.raises(ValidationError, match="1901"):
            field.deserialize(value)
