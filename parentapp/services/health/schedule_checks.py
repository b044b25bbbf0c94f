"""Small checks shared by the schedule file parsers: each raises ScheduleDataError with
the place and the problem named."""

from __future__ import annotations

from datetime import date
from typing import Any

from parentapp.services.health.schedule import EVERYONE, Age, BirthRange, ScheduleDataError

UNITS = ("days", "months", "years")
LIVE = ("injectable", "oral")


def parse_age(raw: Any, where: str, *, allow_after: bool) -> tuple[Age, str | None]:
    require(isinstance(raw, dict), f"{where} must be an object such as {{\"months\": 2}}")
    if allow_after and "after" in raw:
        after = raw["after"]
        require(len(raw) == 1 and isinstance(after, dict) and text(after.get("code")),
                f"{where}: use {{\"after\": {{\"code\": C, \"days\": N}}}}")
        offset = {key: value for key, value in after.items() if key != "code"}
        return parse_age(offset, f"{where}.after", allow_after=False)[0], after["code"]
    require(len(raw) == 1 and next(iter(raw)) in UNITS,
            f"{where} needs exactly one of {', '.join(UNITS)}")
    ((unit, count),) = raw.items()
    require(type(count) is int and count >= 0, f"{where}: {unit} must be an integer >= 0")
    if unit == "days":
        return Age(days=count), None
    return Age(months=count * (12 if unit == "years" else 1)), None


def parse_births(raw: dict, where: str) -> BirthRange:
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
    require(None in bounds or bounds[0] < bounds[1], f"{where}: born_from must be before "
            "born_before")
    return BirthRange(*bounds)


def check_keys(raw: dict, allowed: set[str], required: set[str], where: str) -> None:
    unknown, missing = set(raw) - allowed, required - set(raw)
    require(not unknown, f"{where}: unknown keys {sorted(unknown)}")
    require(not missing, f"{where}: missing keys {sorted(missing)}")


def text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def require(condition: bool, message: str) -> None:
    if not condition:
        raise ScheduleDataError(message)
