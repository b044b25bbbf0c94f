"""Schedule data files: versioned JSON, loaded and checked loudly.

A schedule lives in ``parentapp/data/schedules/<version>.json`` (format in the
README beside it). Broken data raises ``ScheduleDataError`` at load time, so a
bad file stops the app at start-up instead of showing parents a wrong plan.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

from parentapp.domain import HealthItemKind
from parentapp.services.health.schedule import (
    Age,
    Choice,
    Schedule,
    ScheduleDataError,
    ScheduleItem,
    SkipRule,
    UnknownScheduleVersion,
    item_dates,
)

_TABLES = {"vaccines": HealthItemKind.VACCINE, "checkups": HealthItemKind.CHECKUP}
_UNITS = ("days", "months", "years")
_VERSION_RE = re.compile(r"[a-z0-9][a-z0-9.-]*\Z")
_TOP_KEYS = {"version", "title", "source", "valid_from", "notes", "unconfirmed", "choices",
             "rules", "vaccines", "checkups"}
_ITEM_KEYS = {"code", "kind", "name", "due", "latest", "series", "variant", "optional",
              "confirmed", "note"}
_ITEM_REQUIRED = _ITEM_KEYS - {"optional", "note"}
_CHOICE_KEYS = {"series", "variants", "default"}
# Birth dates that exercise month-end clamping and leap days when checking
# that no item's latest date comes before its due date.
_SAMPLE_BIRTHS = (date(2024, 1, 31), date(2024, 2, 29), date(2023, 8, 31), date(2025, 3, 15))



@functools.lru_cache(maxsize=8)
def load_schedule(version: str) -> Schedule:
    """The schedule ``version`` from the package's data; cached.

    Raises UnknownScheduleVersion or ScheduleDataError.
    """
    if not _VERSION_RE.match(version):
        raise UnknownScheduleVersion(f"invalid schedule version {version!r}")
    resource = files("parentapp") / "data" / "schedules" / f"{version}.json"
    if not resource.is_file():
        raise UnknownScheduleVersion(f"no schedule file for version {version!r}")
    return _parse_text(resource.read_text(encoding="utf-8"), str(resource), version)


def read_schedule_file(path: str | Path, expected_version: str | None = None) -> Schedule:
    """Load and check a schedule file anywhere on disk (tools and tests)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleDataError(f"cannot read schedule file {path}: {exc}") from exc
    return _parse_text(text, str(path), expected_version)


def _parse_text(text: str, origin: str, expected_version: str | None) -> Schedule:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ScheduleDataError(f"{origin} is not valid JSON: {exc}") from exc
    try:
        return parse_schedule(data, expected_version)
    except ScheduleDataError as exc:
        raise ScheduleDataError(f"{origin}: {exc}") from exc


def parse_schedule(data: Any, expected_version: str | None = None) -> Schedule:
    """Build a Schedule from decoded JSON, checking everything; raises ScheduleDataError."""
    _require(isinstance(data, dict), "the schedule must be a JSON object")
    _check_keys(data, _TOP_KEYS, _TOP_KEYS - {"notes", "unconfirmed"}, "schedule")
    version = data["version"]
    _require(isinstance(version, str) and bool(_VERSION_RE.match(version)),
             f"invalid version {version!r}")
    _require(expected_version is None or version == expected_version,
             f"file holds version {version!r}, expected {expected_version!r}")
    for key in ("title", "source"):
        _require(_text(data[key]), f"{key} must be a non-empty string")
    try:
        valid_from = date.fromisoformat(data["valid_from"])
    except (TypeError, ValueError):
        raise ScheduleDataError("valid_from must be a YYYY-MM-DD date") from None
    choices = _parse_choices(data["choices"])
    items = _parse_items(data, choices)
    by_code = MappingProxyType({item.code: item for item in items})
    schedule = Schedule(version, data["title"], data["source"], valid_from, items,
                        MappingProxyType(choices), _parse_rules(data["rules"], items), by_code)
    _check_latest_not_before_due(schedule)
    return schedule


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
    return ScheduleItem(code, kind, raw["name"], due, latest, series, variant, optional,
                        confirmed, note, due_after)


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


def _parse_rules(raw: Any, items: tuple[ScheduleItem, ...]) -> tuple[SkipRule, ...]:
    _require(isinstance(raw, list), "rules must be a list")
    codes = {item.code for item in items}
    rules = []
    for index, spec in enumerate(raw):
        where = f"rules[{index}]"
        _require(isinstance(spec, dict) and spec.get("rule") == "skip_if_doses",
                 f"{where}: unknown rule (known: skip_if_doses)")
        _check_keys(spec, {"rule", "skip", "series", "count", "description"},
                    {"rule", "skip", "series", "count"}, where)
        _require(_text(spec["skip"]) and spec["skip"] in codes,
                 f"{where}: skip names unknown code {spec['skip']!r}")
        members = [item for item in items if item.series == spec["series"]]
        count = spec["count"]
        _require(type(count) is int and 0 < count <= len(members),
                 f"{where}: count must be 1..{len(members)} (items of series "
                 f"{spec['series']!r})")
        _require(all(item.code != spec["skip"] for item in members),
                 f"{where}: the skipped item may not belong to the counted series")
        rules.append(SkipRule(spec["skip"], spec["series"], count))
    return tuple(rules)


def _check_latest_not_before_due(schedule: Schedule) -> None:
    for birth in _SAMPLE_BIRTHS:
        for code, (due, latest) in item_dates(schedule, birth, {}).items():
            _require(latest is None or latest >= due,
                     f"{code}: latest comes before due (born {birth}: {latest} < {due})")


def _check_keys(raw: dict, allowed: set[str], required: set[str], where: str) -> None:
    unknown, missing = set(raw) - allowed, required - set(raw)
    _require(not unknown, f"{where}: unknown keys {sorted(unknown)}")
    _require(not missing, f"{where}: missing keys {sorted(missing)}")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ScheduleDataError(message)
