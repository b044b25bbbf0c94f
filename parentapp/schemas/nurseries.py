"""A nursery's registration and descriptive fields: the one set of rules for the
operator API, the register import and the demo data.

Opening hours: ``day``, ``am`` and ``pm`` are each ``[start, end]`` in ``HH:MM``
(00:00-23:59), start before end; the morning ends no later than the afternoon
starts, and the day covers both (day start <= am start, pm end <= day end).
"""

from __future__ import annotations

import re

from marshmallow import ValidationError, validates_schema

from parentapp.domain import NurseryKind, RegistrationType
from parentapp.models.base import utcnow
from parentapp.schemas import fields
from parentapp.schemas.base import BaseSchema, length, one_of, value_range
from parentapp.services.accounts.users import MOBILE
from parentapp.services.nurseries import credit_code
from parentapp.services.nurseries.licensed_places import kind_places_problem
from parentapp.services.stats.townships import township_codes
from parentapp.timeutil import local_today

# Shizhu county spans 29.65-30.53 N, 107.98-108.57 E (domain reference section 2); the
# margin absorbs GCJ-02 offsets and the rough edges of that box.
LAT_RANGE = (29.60, 30.58)
LNG_RANGE = (107.93, 108.62)
MAX_LICENSED_PLACES = 1000
# Mainland mobile, or a landline with its area code (023 for Chongqing): 023-12345678.
LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}\Z")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
FILING_NO = re.compile(r"^[^\x00-\x1f\x7f]{4,40}$")


class TrimmedString(fields.String):
    """Leading and trailing whitespace is never meaningful in names, codes and numbers."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def validate_township(value: str) -> None:
    if value not in township_codes():
        raise ValidationError("没有这个乡镇（街道）代码，请使用 /meta 列出的代码。")


def validate_lat(value: float) -> None:
    low, high = LAT_RANGE
    if not low <= value <= high:
        raise ValidationError(
            f"位置不在石柱县范围内：纬度应在北纬 {low}° 到 {high}° 之间（GCJ-02 坐标）。")


def validate_lng(value: float) -> None:
    low, high = LNG_RANGE
    if not low <= value <= high:
        raise ValidationError(
            f"位置不在石柱县范围内：经度应在东经 {low}° 到 {high}° 之间（GCJ-02 坐标）。")


def validate_phone(value: str) -> None:
    if not (MOBILE.match(value) or LANDLINE.match(value)):
        raise ValidationError("应为大陆手机号（11 位）或带区号的固定电话，如 023-73331234。")


def validate_filing_no(value: str) -> None:
    if not FILING_NO.match(value) or not re.search(r"\d", value):
        raise ValidationError("备案编号应为 4 到 40 个字符，且含有数字。")


def validate_filed_on(value) -> None:
    if value > local_today(utcnow()):
        raise ValidationError("备案日期不能晚于今天。")


class CreditCodeField(TrimmedString):
    """Trimmed and upper-cased, then checked with its check character (GB 32100-2015)."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).upper()
        problem = credit_code.problem(code)
        if problem:
            raise ValidationError(problem)
        return code


class HoursField(fields.Field):
    """``["08:00", "17:30"]``: two HH:MM times, the first earlier."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValidationError('应为 ["开始", "结束"]，如 ["08:00", "17:30"]。')
        if not all(isinstance(t, str) and HHMM.match(t) for t in value):
            raise ValidationError("时间应为 HH:MM 格式（00:00 到 23:59）。")
        if value[0] >= value[1]:
            raise ValidationError("开始时间应早于结束时间。")
        return [value[0], value[1]]


def _hours_doc(example: list[str]) -> dict:
    return {"type": "array", "items": {"type": "string", "pattern": HHMM.pattern},
            "minItems": 2, "maxItems": 2, "example": example}


class OpeningHoursSchema(BaseSchema):
    day = HoursField(required=True, metadata=_hours_doc(["08:00", "17:30"]))
    am = HoursField(required=True, metadata=_hours_doc(["08:00", "12:00"]))
    pm = HoursField(required=True, metadata=_hours_doc(["14:00", "17:30"]))

    @validates_schema
    def _ordered(self, data, **kwargs):
        if not {"day", "am", "pm"} <= data.keys():
            return
        day, am, pm = data["day"], data["am"], data["pm"]
        if am[1] > pm[0]:
            raise ValidationError("上午时段应在下午时段开始前结束。", field_name="am")
        if am[0] < day[0] or pm[1] > day[1]:
            raise ValidationError("全天时段应覆盖上午和下午时段。", field_name="day")


def _nursery_fields(required: bool) -> dict:
    """The input fields; ``required=False`` for PATCH (and no defaults there)."""
    opt = {"load_default": False} if required else {}
    public = {"load_default": True} if required else {}
    desc = {"load_default": ""} if required else {}
    req = {"required": required}
    return {
        "name": fields.Text(**req, validate=length(2, 60)),
        "address": fields.Text(**req, validate=length(5, 120)),
        "township": TrimmedString(**req, validate=validate_township,
                                  metadata={"description": "a township code from GET /meta"}),
        "lat": fields.Float(**req, validate=validate_lat, metadata={"description": "GCJ-02"}),
        "lng": fields.Float(**req, validate=validate_lng, metadata={"description": "GCJ-02"}),
        "phone": fields.Text(**req, validate=validate_phone),
        "kind": fields.String(**req, validate=one_of(NurseryKind.values())),
        "inclusive": fields.Boolean(**opt, metadata={"description": "普惠 provider"}),
        "licensed_places": fields.Integer(
            **req, strict=True, validate=value_range(1, MAX_LICENSED_PLACES)),
        "opening_hours": fields.Nested(OpeningHoursSchema, **req),
        "registration_type": fields.String(**req, validate=one_of(RegistrationType.values())),
        "credit_code": CreditCodeField(
            **req, metadata={"description": "统一社会信用代码, 18 characters, GB 32100-2015"}),
        "description": fields.Text(**desc, multiline=True, blank=True,
                                   validate=length(max=2000)),
        "open_to_public": fields.Boolean(
            **public, metadata={"description": "employer nurseries: open to nearby residents"}),
    }


def _places_for_kind(self, data, **kwargs):
    """A whole nursery's places against its kind; a change is checked by update_nursery,
    which knows the fields it leaves alone."""
    problem = kind_places_problem(data.get("kind"), data.get("licensed_places"))
    if problem:
        raise ValidationError(problem, field_name="licensed_places")


NurseryCreateSchema = type("NurseryCreateSchema", (BaseSchema,), {
    **_nursery_fields(True), "_places_for_kind": validates_schema(_places_for_kind)})
NurseryUpdateSchema = type("NurseryUpdateSchema", (BaseSchema,), _nursery_fields(False))


class NurseryImportSchema(NurseryCreateSchema):
    """One row of the commission's register: a nursery that is already filed."""

    filing_no = fields.Text(required=True, validate=validate_filing_no)
    filed_on = fields.Date(required=True, validate=validate_filed_on)
