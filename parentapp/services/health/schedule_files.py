"""Schedule data files: versioned JSON, loaded and checked loudly.

A schedule lives in ``parentapp/data/schedules/<version>.json`` (format in the
README beside it). Broken data raises ``ScheduleDataError`` at load time, so a
bad file stops the app at start-up instead of showing parents a wrong plan.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

from parentapp.domain import HbsagMother, HealthItemKind
from parentapp.services.health.plan import due_date
from parentapp.services.health.schedule import (
    EVERYONE,
    Age,
    BirthRange,
    CatchUpRule,
    Choice,
    Interval,
    Overlay,
    Product,
    Schedule,
    ScheduleDataError,
    ScheduleItem,
    SpecialGroupRule,
    UnknownScheduleVersion,
)

_TABLES = {"vaccines": HealthItemKind.VACCINE, "checkups": HealthItemKind.CHECKUP}
_UNITS = ("days", "months", "years")
_VERSION_RE = re.compile(r"[a-z0-9][a-z0-9.-]*\Z")
_TOP_KEYS = {"version", "title", "source", "valid_from", "notes", "unconfirmed", "choices",
             "live_vaccine_gap_days", "live_vaccine_gap_source", "products", "intervals",
             "catch_up", "special_groups", "vaccines", "checkups"}
_TOP_OPTIONAL = {"notes", "unconfirmed", "products", "intervals", "catch_up", "special_groups"}
_OVERLAY_KEYS = {"overlay", "title", "source", "extends", "notes", "products", "intervals",
                 "catch_up", "special_groups", "vaccines"}
_ITEM_KEYS = {"code", "kind", "name", "due", "latest", "series", "variant", "optional",
              "confirmed", "note", "live", "born_from", "born_before"}
_ITEM_REQUIRED = _ITEM_KEYS - {"optional", "note", "live", "born_from", "born_before"}
_CHOICE_KEYS = {"series", "variants", "default"}
_LIVE = ("injectable", "oral")
_CATCH_UP_RULES = ("not_given_after", "replaced_after", "ask_clinic_after", "window_ends")
# Birth dates that exercise month-end clamping and leap days when checking
# that no item's latest date comes before its due date.
_SAMPLE_BIRTHS = (date(2024, 1, 31), date(2024, 2, 29), date(2023, 8, 31), date(2025, 3, 15))


@functools.lru_cache(maxsize=8)
def load_schedule(version: str, overlay: str | None = None) -> Schedule:
    """The schedule ``version`` from the package's data, with the regional overlay file
    at path ``overlay`` added when given; cached.

    Raises UnknownScheduleVersion or ScheduleDataError.
    """
    if not _VERSION_RE.match(version):
        raise UnknownScheduleVersion(f"invalid schedule version {version!r}")
    resource = files("parentapp") / "data" / "schedules" / f"{version}.json"
    if not resource.is_file():
        raise UnknownScheduleVersion(f"no schedule file for version {version!r}")
    data = _decode(resource.read_text(encoding="utf-8"), str(resource))
    overlay_data = None
    if overlay:
        overlay_data = _decode(_read(overlay), overlay)
    try:
        return parse_schedule(data, version, overlay=overlay_data)
    except ScheduleDataError as exc:
        raise ScheduleDataError(f"{resource}{' + ' + overlay if overlay else ''}: {exc}") from exc


def read_schedule_file(path: str | Path, expected_version: str | None = None) -> Schedule:
    """Load and check a schedule file anywhere on disk (tools and tests)."""
    data = _decode(_read(path), str(path))
    try:
        return parse_schedule(data, expected_version)
    except ScheduleDataError as exc:
        raise ScheduleDataError(f"{path}: {exc}") from exc


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleDataError(f"cannot read schedule file {path}: {exc}") from exc


def _decode(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ScheduleDataError(f"{origin} is not valid JSON: {exc}") from exc


def parse_schedule(data: Any, expected_version: str | None = None, *,
                   overlay: Any = None) -> Schedule:
    """Build a Schedule from decoded JSON (and an overlay's), checking everything;
    raises ScheduleDataError."""
    _require(isinstance(data, dict), "the schedule must be a JSON object")
    _check_keys(data, _TOP_KEYS, _TOP_KEYS - _TOP_OPTIONAL, "schedule")
    version = data["version"]
    _require(isinstance(version, str) and bool(_VERSION_RE.match(version)),
             f"invalid version {version!r}")
    _require(expected_version is None or version == expected_version,
             f"file holds version {version!r}, expected {expected_version!r}")
    for key in ("title", "source", "live_vaccine_gap_source"):
        _require(_text(data[key]), f"{key} must be a non-empty string")
    gap = data["live_vaccine_gap_days"]
    _require(type(gap) is int and gap > 0, "live_vaccine_gap_days must be an integer > 0")
    try:
        valid_from = date.fromisoformat(data["valid_from"])
    except (TypeError, ValueError):
        raise ScheduleDataError("valid_from must be a YYYY-MM-DD date") from None
    data, info = _with_overlay(data, overlay, version)
    choices = _parse_choices(data["choices"])
    items = _parse_items(data, choices)
    by_code = MappingProxyType({item.code: item for item in items})
    schedule = Schedule(
        version, data["title"], data["source"], valid_from, items, MappingProxyType(choices),
        by_code, products=_parse_products(data.get("products", []), items),
        intervals=_parse_intervals(data.get("intervals", []), items),
        catch_up=_parse_catch_up(data.get("catch_up", []), by_code),
        special_groups=_parse_special_groups(data.get("special_groups", []), by_code),
        live_gap=timedelta(days=gap), overlay=info)
    _check_latest_not_before_due(schedule)
    return schedule


def _with_overlay(data: dict, overlay: Any, version: str) -> tuple[dict, Overlay | None]:
    """The edition's data with an overlay's items and rules appended to its own."""
    if overlay is None:
        return data, None
    _require(isinstance(overlay, dict), "the overlay must be a JSON object")
    _check_keys(overlay, _OVERLAY_KEYS, {"overlay", "title", "source", "extends"}, "overlay")
    for key in ("overlay", "title", "source"):
        _require(_text(overlay[key]), f"overlay: {key} must be a non-empty string")
    _require(overlay["extends"] == version,
             f"overlay extends {overlay['extends']!r}, not the edition in force {version!r}")
    merged = dict(data)
    for key in ("products", "intervals", "catch_up", "special_groups", "vaccines"):
        extra = overlay.get(key, [])
        _require(isinstance(extra, list), f"overlay: {key} must be a list")
        merged[key] = list(data.get(key, [])) + extra
    return merged, Overlay(overlay["overlay"], overlay["title"], overlay["source"])


def _parse_choices(raw: Any) -> dict[str, Choice]:
    _require(isinstance(raw, dict), "choices must be an object")
    choices = {}
    for key, spec in raw.items():
        where = f"choices.{key}"
        _require(isinstance(spec, dict), f"{where} must be an object")
        _check_keys(spec, _CHOICE_KEYS, _CHOICE_KEYS, where)
        variants = spec["variants"]
        _require(isinstance(variants, list) and len(variants) >= 2
                 and all(_text(v) for v in variants) and len(set(variants)) == len(variants),
                 f"{where}.variants must list at least two distinct names")
        _require(_text(spec["series"]), f"{where}.series must be a non-empty string")
        _require(spec["default"] in variants, f"{where}.default must be one of {variants}")
        choices[key] = Choice(key, spec["series"], tuple(variants), spec["default"])
    series = [choice.series for choice in choices.values()]
    _require(len(set(series)) == len(series), "two choices name the same series")
    return choices


def _parse_items(data: dict, choices: dict[str, Choice]) -> tuple[ScheduleItem, ...]:
    variants_by_series = {choice.series: choice.variants for choice in choices.values()}
    items: list[ScheduleItem] = []
    seen: set[str] = set()
    for table, kind in _TABLES.items():
        _require(isinstance(data[table], list), f"{table} must be a list")
        for index, raw in enumerate(data[table]):
            item = _parse_item(raw, kind, f"{table}[{index}]", variants_by_series)
            _require(item.code not in seen, f"duplicate code {item.code!r}")
            _require(item.due_after is None or item.due_after in seen,
                     f"{item.code}: due.after must name an earlier item, "
                     f"not {item.due_after!r}")
            seen.add(item.code)
            items.append(item)
    for choice in choices.values():
        used = {item.variant for item in items if item.series == choice.series}
        _require(used == set(choice.variants),
                 f"choice {choice.key!r}: items cover variants {sorted(used, key=str)}, "
                 f"expected {list(choice.variants)}")
    return tuple(items)


def _parse_item(raw: Any, kind: str, where: str,
                variants_by_series: dict[str, tuple[str, ...]]) -> ScheduleItem:
    _require(isinstance(raw, dict), f"{where} must be an object")
    _check_keys(raw, _ITEM_KEYS, _ITEM_REQUIRED, where)
    code = raw["code"]
    _require(_text(code), f"{where}.code must be a non-empty string")
    where = f"{where} ({code})"
    _require(raw["kind"] in HealthItemKind.values(), f"{where}: unknown kind {raw['kind']!r}")
    _require(raw["kind"] == kind, f"{where}: kind {raw['kind']!r} in the {kind} table")
    _require(_text(raw["name"]), f"{where}: name must be a non-empty string")
    due, due_after = _parse_age(raw["due"], f"{where}.due", allow_after=True)
    latest = None
    if raw["latest"] is not None:
        _require(kind == HealthItemKind.VACCINE, f"{where}: checkups have latest null")
        latest, _ = _parse_age(raw["latest"], f"{where}.latest", allow_after=False)
    series, variant = raw["series"], raw["variant"]
    _check_variant(series, variant, kind, where, variants_by_series)
    optional, confirmed, note = raw.get("optional", False), raw["confirmed"], raw.get("note")
    _require(isinstance(optional, bool), f"{where}: optional must be true or false")
    _require(isinstance(confirmed, bool), f"{where}: confirmed must be true or false")
    _require(note is None or _text(note), f"{where}: note must be a non-empty string")
    _require(confirmed or note is not None, f"{where}: an unconfirmed item needs a note")
    live = raw.get("live")
    _require(live is None or (live in _LIVE and kind == HealthItemKind.VACCINE),
             f"{where}: live must be one of {list(_LIVE)} (vaccines only)")
    return ScheduleItem(code, kind, raw["name"], due, latest, series, variant, optional,
                        confirmed, note, due_after, live, _parse_births(raw, where))


def _parse_births(raw: dict, where: str) -> BirthRange:
    bounds = []
    for key in ("born_from", "born_before"):
        value = raw.get(key)
        if value is None:
            bounds.append(None)
            continue
        try:
            bounds.append(date.fromisoformat(value))
        except (TypeError, ValueError):
            raise ScheduleDataError(f"{where}: {key} must be a YYYY-MM-DD date") from None
    if bounds == [None, None]:
        return EVERYONE
    _require(None in bounds or bounds[0] < bounds[1], f"{where}: born_from must be before "
             "born_before")
    return BirthRange(*bounds)


def _check_variant(series: Any, variant: Any, kind: str, where: str,
                   variants_by_series: dict[str, tuple[str, ...]]) -> None:
    _require(series is None or _text(series), f"{where}: series must be a string or null")
    _require(kind == HealthItemKind.CHECKUP or series is not None,
             f"{where}: vaccines need a series")
    allowed = variants_by_series.get(series)
    if allowed is None:
        _require(variant is None, f"{where}: series {series!r} has no choice, variant must be null")
    else:
        _require(variant in allowed, f"{where}: variant must be one of {list(allowed)}")


def _parse_age(raw: Any, where: str, *, allow_after: bool) -> tuple[Age, str | None]:
    _require(isinstance(raw, dict), f"{where} must be an object such as {{\"months\": 2}}")
    if allow_after and "after" in raw:
        after = raw["after"]
        _require(len(raw) == 1 and isinstance(after, dict) and _text(after.get("code")),
                 f"{where}: use {{\"after\": {{\"code\": C, \"days\": N}}}}")
        offset = {key: value for key, value in after.items() if key != "code"}
        return _parse_age(offset, f"{where}.after", allow_after=False)[0], after["code"]
    _require(len(raw) == 1 and next(iter(raw)) in _UNITS,
             f"{where} needs exactly one of {', '.join(_UNITS)}")
    ((unit, count),) = raw.items()
    _require(type(count) is int and count >= 0, f"{where}: {unit} must be an integer >= 0")
    if unit == "days":
        return Age(days=count), None
    return Age(months=count * (12 if unit == "years" else 1)), None


def _parse_products(raw: Any, items: tuple[ScheduleItem, ...]) -> MappingProxyType:
    _require(isinstance(raw, list), "products must be a list")
    series = {item.series for item in items if item.series}
    products: dict[str, Product] = {}
    for index, spec in enumerate(raw):
        where = f"products[{index}]"
        _require(isinstance(spec, dict), f"{where} must be an object")
        _check_keys(spec, {"code", "name", "counts_as", "live", "source", "note"},
                    {"code", "name", "counts_as", "source"}, where)
        code = spec["code"]
        _require(_text(code) and len(code) <= 24, f"{where}: code must be 1-24 characters")
        _require(code not in products, f"{where}: duplicate product {code!r}")
        _require(_text(spec["name"]) and _text(spec["source"]),
                 f"{where}: name and source must be non-empty strings")
        counts = spec["counts_as"]
        _require(isinstance(counts, list) and counts and len(set(counts)) == len(counts)
                 and all(name in series for name in counts),
                 f"{where}: counts_as must list distinct series of the schedule "
                 f"({sorted(series)})")
        live = spec.get("live")
        _require(live is None or live in _LIVE, f"{where}: live must be one of {list(_LIVE)}")
        products[code] = Product(code, spec["name"], tuple(counts), live, spec["source"])
    return MappingProxyType(products)


def _parse_intervals(raw: Any, items: tuple[ScheduleItem, ...]) -> MappingProxyType:
    _require(isinstance(raw, list), "intervals must be a list")
    order = {item.code: index for index, item in enumerate(items)}
    found: dict[str, list[Interval]] = {}
    for index, spec in enumerate(raw):
        where = f"intervals[{index}]"
        _require(isinstance(spec, dict), f"{where} must be an object")
        _check_keys(spec, {"from", "to", "min", "confirmed", "source", "note"},
                    {"from", "to", "min", "confirmed", "source"}, where)
        after, before = spec["from"], spec["to"]
        _require(after in order and before in order,
                 f"{where}: from and to must name items of the schedule")
        _require(order[after] < order[before], f"{where}: {after} must come before {before} "
                 "in the file")
        minimum, _ = _parse_age(spec["min"], f"{where}.min", allow_after=False)
        _require(isinstance(spec["confirmed"], bool) and _text(spec["source"]),
                 f"{where}: confirmed must be true or false and source a non-empty string")
        found.setdefault(before, []).append(
            Interval(after, before, minimum, spec["confirmed"], spec["source"]))
    return MappingProxyType({code: tuple(rules) for code, rules in found.items()})


def _parse_catch_up(raw: Any, by_code: MappingProxyType) -> tuple[CatchUpRule, ...]:
    _require(isinstance(raw, list), "catch_up must be a list")
    rules = []
    for index, spec in enumerate(raw):
        where = f"catch_up[{index}]"
        _require(isinstance(spec, dict) and spec.get("rule") in _CATCH_UP_RULES,
                 f"{where}: unknown rule (known: {', '.join(_CATCH_UP_RULES)})")
        _check_keys(spec, {"rule", "codes", "age", "by", "message", "confirmed", "source",
                           "note", "born_from", "born_before"},
                    {"rule", "codes", "age", "message", "confirmed", "source"}, where)
        codes = _codes(spec["codes"], by_code, where)
        checkup = spec["rule"] == "window_ends"
        _require(all((by_code[code].kind == HealthItemKind.CHECKUP) == checkup
                     for code in codes),
                 f"{where}: window_ends is for checkups, the other rules for vaccines")
        by = spec.get("by")
        _require((by is not None) == (spec["rule"] == "replaced_after"),
                 f"{where}: by is required for replaced_after and only there")
        _require(by is None or by in by_code, f"{where}: by names unknown code {by!r}")
        age, _ = _parse_age(spec["age"], f"{where}.age", allow_after=False)
        _require(_text(spec["message"]) and _text(spec["source"]),
                 f"{where}: message and source must be non-empty strings")
        _require(isinstance(spec["confirmed"], bool),
                 f"{where}: confirmed must be true or false")
        rules.append(CatchUpRule(spec["rule"], codes, age, by, spec["message"],
                                 spec["confirmed"], spec["source"], _parse_births(spec, where)))
    return tuple(rules)


def _parse_special_groups(raw: Any, by_code: MappingProxyType) -> tuple[SpecialGroupRule, ...]:
    _require(isinstance(raw, list), "special_groups must be a list")
    rules, seen = [], set()
    for index, spec in enumerate(raw):
        where = f"special_groups[{index}]"
        _require(isinstance(spec, dict), f"{where} must be an object")
        _check_keys(spec, {"id", "when", "codes", "latest", "message", "ask_clinic",
                           "confirmed", "source", "note"},
                    {"id", "when", "codes", "message", "ask_clinic", "confirmed", "source"},
                    where)
        _require(_text(spec["id"]) and spec["id"] not in seen, f"{where}: id must be unique")
        seen.add(spec["id"])
        when = spec["when"]
        _require(isinstance(when, dict) and when
                 and set(when) <= {"hbsag_mother", "birth_weight_below_g"},
                 f"{where}.when takes hbsag_mother and/or birth_weight_below_g")
        mothers = when.get("hbsag_mother")
        _require(mothers is None or (isinstance(mothers, list) and mothers
                                     and set(mothers) <= set(HbsagMother.values())),
                 f"{where}.when.hbsag_mother must list values of {list(HbsagMother.values())}")
        weight = when.get("birth_weight_below_g")
        _require(weight is None or (type(weight) is int and weight > 0),
                 f"{where}.when.birth_weight_below_g must be a positive integer")
        latest = None
        if spec.get("latest") is not None:
            latest, _ = _parse_age(spec["latest"], f"{where}.latest", allow_after=False)
        _require(_text(spec["message"]) and _text(spec["source"]),
                 f"{where}: message and source must be non-empty strings")
        _require(isinstance(spec["ask_clinic"], bool) and isinstance(spec["confirmed"], bool),
                 f"{where}: ask_clinic and confirmed must be true or false")
        rules.append(SpecialGroupRule(
            spec["id"], None if mothers is None else frozenset(mothers), weight,
            _codes(spec["codes"], by_code, where), latest, spec["message"], spec["ask_clinic"],
            spec["confirmed"], spec["source"]))
    return tuple(rules)


def _codes(raw: Any, by_code: MappingProxyType, where: str) -> frozenset[str]:
    _require(isinstance(raw, list) and raw and all(code in by_code for code in raw),
             f"{where}: codes must list items of the schedule")
    return frozenset(raw)


def _check_latest_not_before_due(schedule: Schedule) -> None:
    for birth in _SAMPLE_BIRTHS:
        for item in schedule.items:
            if item.latest is None:
                continue
            due, latest = due_date(schedule, item, birth, {}), item.latest.last_day_from(birth)
            _require(latest >= due,
                     f"{item.code}: latest comes before due (born {birth}: {latest} < {due})")


def _check_keys(raw: dict, allowed: set[str], required: set[str], where: str) -> None:
    unknown, missing = set(raw) - allowed, required - set(raw)
    _require(not unknown, f"{where}: unknown keys {sorted(unknown)}")
    _require(not missing, f"{where}: missing keys {sorted(missing)}")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ScheduleDataError(message)
