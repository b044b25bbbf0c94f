"""The rule sections of a schedule file: products, minimum intervals, catch-up rules and
special groups (format in ``parentapp/data/schedules/README.md``)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from parentapp.domain import HbsagMother, HealthItemKind
from parentapp.services.health.schedule import (
    CatchUpRule,
    Interval,
    Product,
    ScheduleItem,
    SpecialGroupRule,
)
from parentapp.services.health.schedule_checks import (
    LIVE,
    check_keys,
    parse_age,
    parse_births,
    require,
    text,
)

CATCH_UP_RULES = ("not_given_after", "replaced_after", "ask_clinic_after", "window_ends")


def parse_products(raw: Any, items: tuple[ScheduleItem, ...]) -> MappingProxyType:
    require(isinstance(raw, list), "products must be a list")
    series = {item.series for item in items if item.series}
    products: dict[str, Product] = {}
    for index, spec in enumerate(raw):
        where = f"products[{index}]"
        require(isinstance(spec, dict), f"{where} must be an object")
        check_keys(spec, {"code", "name", "counts_as", "live", "source", "note"},
                   {"code", "name", "counts_as", "source"}, where)
        code = spec["code"]
        require(text(code) and len(code) <= 24, f"{where}: code must be 1-24 characters")
        require(code not in products, f"{where}: duplicate product {code!r}")
        require(text(spec["name"]) and text(spec["source"]),
                f"{where}: name and source must be non-empty strings")
        counts = spec["counts_as"]
        require(isinstance(counts, list) and counts and len(set(counts)) == len(counts)
                and all(name in series for name in counts),
                f"{where}: counts_as must list distinct series of the schedule "
                f"({sorted(series)})")
        live = spec.get("live")
        require(live is None or live in LIVE, f"{where}: live must be one of {list(LIVE)}")
        products[code] = Product(code, spec["name"], tuple(counts), live, spec["source"])
    return MappingProxyType(products)


def parse_intervals(raw: Any, items: tuple[ScheduleItem, ...]) -> MappingProxyType:
    require(isinstance(raw, list), "intervals must be a list")
    order = {item.code: index for index, item in enumerate(items)}
    found: dict[str, list[Interval]] = {}
    for index, spec in enumerate(raw):
        where = f"intervals[{index}]"
        require(isinstance(spec, dict), f"{where} must be an object")
        check_keys(spec, {"from", "to", "min", "confirmed", "source", "note"},
                   {"from", "to", "min", "confirmed", "source"}, where)
        after, before = spec["from"], spec["to"]
        require(after in order and before in order,
                f"{where}: from and to must name items of the schedule")
        require(order[after] < order[before], f"{where}: {after} must come before {before} "
                "in the file")
        minimum, _ = parse_age(spec["min"], f"{where}.min", allow_after=False)
        require(isinstance(spec["confirmed"], bool) and text(spec["source"]),
                f"{where}: confirmed must be true or false and source a non-empty string")
        found.setdefault(before, []).append(
            Interval(after, before, minimum, spec["confirmed"], spec["source"]))
    return MappingProxyType({code: tuple(rules) for code, rules in found.items()})


def parse_catch_up(raw: Any, by_code: MappingProxyType) -> tuple[CatchUpRule, ...]:
    require(isinstance(raw, list), "catch_up must be a list")
    rules = []
    for index, spec in enumerate(raw):
        where = f"catch_up[{index}]"
        require(isinstance(spec, dict) and spec.get("rule") in CATCH_UP_RULES,
                f"{where}: unknown rule (known: {', '.join(CATCH_UP_RULES)})")
        check_keys(spec, {"rule", "codes", "age", "by", "message", "confirmed", "source",
                           "note", "born_from", "born_before"},
                   {"rule", "codes", "age", "message", "confirmed", "source"}, where)
        codes = _codes(spec["codes"], by_code, where)
        checkup = spec["rule"] == "window_ends"
        require(all((by_code[code].kind == HealthItemKind.CHECKUP) == checkup
                     for code in codes),
                f"{where}: window_ends is for checkups, the other rules for vaccines")
        by = spec.get("by")
        require((by is not None) == (spec["rule"] == "replaced_after"),
                f"{where}: by is required for replaced_after and only there")
        require(by is None or by in by_code, f"{where}: by names unknown code {by!r}")
        age, _ = parse_age(spec["age"], f"{where}.age", allow_after=False)
        require(text(spec["message"]) and text(spec["source"]),
                f"{where}: message and source must be non-empty strings")
        require(isinstance(spec["confirmed"], bool),
                f"{where}: confirmed must be true or false")
        rules.append(CatchUpRule(spec["rule"], codes, age, by, spec["message"],
                                 spec["confirmed"], spec["source"], parse_births(spec, where)))
    return tuple(rules)


def parse_special_groups(raw: Any, by_code: MappingProxyType) -> tuple[SpecialGroupRule, ...]:
    require(isinstance(raw, list), "special_groups must be a list")
    rules, seen = [], set()
    for index, spec in enumerate(raw):
        where = f"special_groups[{index}]"
        require(isinstance(spec, dict), f"{where} must be an object")
        check_keys(spec, {"id", "when", "codes", "latest", "message", "ask_clinic",
                           "confirmed", "source", "note"},
                   {"id", "when", "codes", "message", "ask_clinic", "confirmed", "source"},
                   where)
        require(text(spec["id"]) and spec["id"] not in seen, f"{where}: id must be unique")
        seen.add(spec["id"])
        when = spec["when"]
        require(isinstance(when, dict) and when
                and set(when) <= {"hbsag_mother", "birth_weight_below_g"},
                f"{where}.when takes hbsag_mother and/or birth_weight_below_g")
        mothers = when.get("hbsag_mother")
        require(mothers is None or (isinstance(mothers, list) and mothers
                                     and set(mothers) <= set(HbsagMother.values())),
                f"{where}.when.hbsag_mother must list values of {list(HbsagMother.values())}")
        weight = when.get("birth_weight_below_g")
        require(weight is None or (type(weight) is int and weight > 0),
                f"{where}.when.birth_weight_below_g must be a positive integer")
        latest = None
        if spec.get("latest") is not None:
            latest, _ = parse_age(spec["latest"], f"{where}.latest", allow_after=False)
        require(text(spec["message"]) and text(spec["source"]),
                f"{where}: message and source must be non-empty strings")
        require(isinstance(spec["ask_clinic"], bool) and isinstance(spec["confirmed"], bool),
                f"{where}: ask_clinic and confirmed must be true or false")
        rules.append(SpecialGroupRule(
            spec["id"], None if mothers is None else frozenset(mothers), weight,
            _codes(spec["codes"], by_code, where), latest, spec["message"], spec["ask_clinic"],
            spec["confirmed"], spec["source"]))
    return tuple(rules)


def _codes(raw: Any, by_code: MappingProxyType, where: str) -> frozenset[str]:
    require(isinstance(raw, list) and raw and all(code in by_code for code in raw),
            f"{where}: codes must list items of the schedule")
    return frozenset(raw)
