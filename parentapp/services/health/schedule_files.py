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

from parentapp.domain import HealthItemKind
from parentapp.services.health.plan import due_date
from parentapp.services.health.schedule import (
    Choice,
    Overlay,
    Schedule,
    ScheduleDataError,
    ScheduleItem,
    UnknownScheduleVersion,
)
from parentapp.services.health.schedule_checks import (
    LIVE,
    check_keys,
    parse_age,
    parse_births,
    require,
    text,
)
from parentapp.services.health.schedule_rule_files import (
    parse_catch_up,
    parse_intervals,
    parse_products,
    parse_special_groups,
)

_TABLES = {"vaccines": HealthItemKind.VACCINE, "checkups": HealthItemKind.CHECKUP}
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


def _decode(raw: str, origin: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ScheduleDataError(f"{origin} is not valid JSON: {exc}") from exc


def parse_schedule(data: Any, expected_version: str | None = None, *,
                   overlay: Any = None) -> Schedule:
    """Build a Schedule from decoded JSON (and an overlay's), checking everything;
    raises ScheduleDataError."""
    require(isinstance(data, dict), "the schedule must be a JSON object")
    check_keys(data, _TOP_KEYS, _TOP_KEYS - _TOP_OPTIONAL, "schedule")
    version = data["version"]
    require(isinstance(version, str) and bool(_VERSION_RE.match(version)),
            f"invalid version {version!r}")
    require(expected_version is None or version == expected_version,
            f"file holds version {version!r}, expected {expected_version!r}")
    for key in ("title", "source", "live_vaccine_gap_source"):
        require(text(data[key]), f"{key} must be a non-empty string")
    gap = data["live_vaccine_gap_days"]
    require(type(gap) is int and gap > 0, "live_vaccine_gap_days must be an integer > 0")
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
        by_code, products=parse_products(data.get("products", []), items),
        intervals=parse_intervals(data.get("intervals", []), items),
        catch_up=parse_catch_up(data.get("catch_up", []), by_code),
        special_groups=parse_special_groups(data.get("special_groups", []), by_code),
        live_gap=timedelta(days=gap), overlay=info)
    _check_latest_not_before_due(schedule)
    return schedule


def _with_overlay(data: dict, overlay: Any, version: str) -> tuple[dict, Overlay | None]:
    """The edition's data with an overlay's items and rules appended to its own."""
    if overlay is None:
        return data, None
    require(isinstance(overlay, dict), "the overlay must be a JSON object")
    check_keys(overlay, _OVERLAY_KEYS, {"overlay", "title", "source", "extends"}, "overlay")
    for key in ("overlay", "title", "source"):
        require(text(overlay[key]), f"overlay: {key} must be a non-empty string")
    require(overlay["extends"] == version,
            f"overlay extends {overlay['extends']!r}, not the edition in force {version!r}")
    merged = dict(data)
    for key in ("products", "intervals", "catch_up", "special_groups", "vaccines"):
        extra = overlay.get(key, [])
        require(isinstance(extra, list), f"overlay: {key} must be a list")
        merged[key] = list(data.get(key, [])) + extra
    return merged, Overlay(overlay["overlay"], overlay["title"], overlay["source"])


def _parse_choices(raw: Any) -> dict[str, Choice]:
    require(isinstance(raw, dict), "choices must be an object")
    choices = {}
    for key, spec in raw.items():
        where = f"choices.{key}"
        require(isinstance(spec, dict), f"{where} must be an object")
        check_keys(spec, _CHOICE_KEYS, _CHOICE_KEYS, where)
        variants = spec["variants"]
        require(isinstance(variants, list) and len(variants) >= 2
                and all(text(v) for v in variants) and len(set(variants)) == len(variants),
                f"{where}.variants must list at least two distinct names")
        require(text(spec["series"]), f"{where}.series must be a non-empty string")
        require(spec["default"] in variants, f"{where}.default must be one of {variants}")
        choices[key] = Choice(key, spec["series"], tuple(variants), spec["default"])
    series = [choice.series for choice in choices.values()]
    require(len(set(series)) == len(series), "two choices name the same series")
    return choices


def _parse_items(data: dict, choices: dict[str, Choice]) -> tuple[ScheduleItem, ...]:
    variants_by_series = {choice.series: choice.variants for choice in choices.values()}
    items: list[ScheduleItem] = []
    seen: set[str] = set()
    for table, kind in _TABLES.items():
        require(isinstance(data[table], list), f"{table} must be a list")
        for index, raw in enumerate(data[table]):
            item = _parse_item(raw, kind, f"{table}[{index}]", variants_by_series)
            require(item.code not in seen, f"duplicate code {item.code!r}")
            require(item.due_after is None or item.due_after in seen,
                    f"{item.code}: due.after must name an earlier item, "
                    f"not {item.due_after!r}")
            seen.add(item.code)
            items.append(item)
    for choice in choices.values():
        used = {item.variant for item in items if item.series == choice.series}
        require(used == set(choice.variants),
                f"choice {choice.key!r}: items cover variants {sorted(used, key=str)}, "
                f"expected {list(choice.variants)}")
    return tuple(items)


def _parse_item(raw: Any, kind: str, where: str,
                variants_by_series: dict[str, tuple[str, ...]]) -> ScheduleItem:
    require(isinstance(raw, dict), f"{where} must be an object")
    check_keys(raw, _ITEM_KEYS, _ITEM_REQUIRED, where)
    code = raw["code"]
    require(text(code), f"{where}.code must be a non-empty string")
    where = f"{where} ({code})"
    require(raw["kind"] in HealthItemKind.values(), f"{where}: unknown kind {raw['kind']!r}")
    require(raw["kind"] == kind, f"{where}: kind {raw['kind']!r} in the {kind} table")
    require(text(raw["name"]), f"{where}: name must be a non-empty string")
    due, due_after = parse_age(raw["due"], f"{where}.due", allow_after=True)
    latest = None
    if raw["latest"] is not None:
        require(kind == HealthItemKind.VACCINE, f"{where}: checkups have latest null")
        latest, _ = parse_age(raw["latest"], f"{where}.latest", allow_after=False)
    series, variant = raw["series"], raw["variant"]
    _check_variant(series, variant, kind, where, variants_by_series)
    optional, confirmed, note = raw.get("optional", False), raw["confirmed"], raw.get("note")
    require(isinstance(optional, bool), f"{where}: optional must be true or false")
    require(isinstance(confirmed, bool), f"{where}: confirmed must be true or false")
    require(note is None or text(note), f"{where}: note must be a non-empty string")
    require(confirmed or note is not None, f"{where}: an unconfirmed item needs a note")
    live = raw.get("live")
    require(live is None or (live in LIVE and kind == HealthItemKind.VACCINE),
            f"{where}: live must be one of {list(LIVE)} (vaccines only)")
    return ScheduleItem(code, kind, raw["name"], due, latest, series, variant, optional,
                        confirmed, note, due_after, live, parse_births(raw, where))


def _check_variant(series: Any, variant: Any, kind: str, where: str,
                   variants_by_series: dict[str, tuple[str, ...]]) -> None:
    require(series is None or text(series), f"{where}: series must be a string or null")
    require(kind == HealthItemKind.CHECKUP or series is not None,
            f"{where}: vaccines need a series")
    allowed = variants_by_series.get(series)
    if allowed is None:
        require(variant is None, f"{where}: series {series!r} has no choice, variant must be null")
    else:
        require(variant in allowed, f"{where}: variant must be one of {list(allowed)}")


def _check_latest_not_before_due(schedule: Schedule) -> None:
    for birth in _SAMPLE_BIRTHS:
        for item in schedule.items:
            if item.latest is None:
                continue
            due, latest = due_date(schedule, item, birth, {}), item.latest.last_day_from(birth)
            require(latest >= due,
                    f"{item.code}: latest comes before due (born {birth}: {latest} < {due})")


