"""Schedule data files: date arithmetic, loading and loud validation."""

import copy
import json
from datetime import date
from importlib.resources import files

import pytest

from parentapp.services.health.schedule import Age, ScheduleDataError, UnknownScheduleVersion
from parentapp.services.health.schedule_files import (
    load_schedule,
    parse_schedule,
    read_schedule_file,
)
from parentapp.timeutil import add_months, add_years, age_months

VERSION = "cn-nip-2025"
D = date.fromisoformat


def real_data() -> dict:
    path = files("parentapp") / "data" / "schedules" / f"{VERSION}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def item(data: dict, code: str) -> dict:
    return next(raw for raw in data["vaccines"] + data["checkups"] if raw["code"] == code)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-01-31", 2, "2025-03-31"),
        ("2025-08-31", 1, "2025-09-30"),
        ("2025-12-31", 2, "2026-02-28"),
        ("2025-12-15", 1, "2026-01-15"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2025-03-31", -1, "2025-02-28"),
        ("2025-05-10", 0, "2025-05-10"),
    ],
)
def test_add_months_keeps_the_day_clamped_to_the_month_end(start, months, expected):
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        ("2024-02-29", 1, "2025-02-28"),
        ("2024-02-29", 4, "2028-02-29"),
        ("2020-11-29", 6, "2026-11-29"),
    ],
)
def test_add_years_is_twelve_months(start, years, expected):
    assert add_years(D(start), years) == D(expected)


def test_an_age_adds_months_then_days():
    assert Age(months=8, days=7).date_from(D("2025-01-31")) == D("2025-10-07")


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        ("2025-01-31", "2025-01-31", 0),
        ("2025-01-31", "2025-02-27", 0),
        ("2025-01-31", "2025-02-28", 1),
        ("2025-01-31", "2025-03-30", 1),
        ("2025-01-31", "2025-03-31", 2),
        ("2023-03-31", "2023-04-30", 1),
        ("2024-02-29", "2024-03-28", 0),
        ("2024-02-29", "2024-03-29", 1),
        ("2024-02-29", "2025-02-27", 11),
        ("2024-02-29", "2025-02-28", 12),
        ("2024-02-29", "2028-02-28", 47),
        ("2024-02-29", "2028-02-29", 48),
        ("2025-12-31", "2026-02-27", 1),
        ("2025-12-31", "2026-02-28", 2),
        ("2020-11-29", "2026-11-28", 71),
        ("2020-11-29", "2026-11-29", 72),
    ],
)
def test_age_months_counts_whole_months_by_the_same_rule(birth, on, expected):
    assert age_months(D(birth), D(on)) == expected


def test_age_months_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_months(D("2025-01-31"), D("2025-01-30"))


def test_the_shipped_schedule_loads_with_every_code():
    schedule = load_schedule(VERSION)
    assert schedule.version == VERSION
    assert schedule.valid_from == D("2025-01-01")
    assert [i.code for i in schedule.items if i.kind == "vaccine"] == [
        "HepB-1", "BCG", "HepB-2", "IPV-1", "DTaP-1", "IPV-2", "bOPV-1", "DTaP-2",
        "HepB-3", "DTaP-3", "MPSV-A-1", "MMR-1", "JE-L-1", "JE-I-1", "JE-I-2", "MPSV-A-2",
        "DTaP-4", "MMR-2", "HepA-L", "HepA-I-1", "JE-L-2", "JE-I-3", "HepA-I-2",
        "MPSV-AC-1", "bOPV-2", "DTaP-5", "MPSV-AC-2", "JE-I-4",
    ]
    assert [i.code for i in schedule.items if i.kind == "checkup"] == [
        "NB-VISIT", "CHK-1M", "CHK-3M", "CHK-6M", "CHK-8M", "CHK-12M", "CHK-18M", "CHK-24M",
        "CHK-30M", "CHK-36M", "CHK-4Y", "CHK-5Y", "CHK-6Y",
    ]
    assert schedule.by_code["DTaP-1"].name == "百白破疫苗 第1剂"
    assert schedule.by_code["JE-I-2"].due_after == "JE-I-1"
    assert not any(i.optional for i in schedule.items)
    # Polio is one series of four doses, whatever the product.
    assert [i.code for i in schedule.items if i.series == "polio"] == [
        "IPV-1", "IPV-2", "bOPV-1", "bOPV-2"]
    assert {i.code for i in schedule.items if i.live == "injectable"} == {
        "BCG", "MMR-1", "MMR-2", "JE-L-1", "JE-L-2", "HepA-L"}
    assert {code: p.counts_as for code, p in schedule.products.items()} == {
        "DTaP-IPV-Hib": ("DTaP", "polio"), "DTaP-Hib": ("DTaP",), "IPV": ("polio",),
        "MMR": ("MMR",)}


def test_every_rule_names_its_source_and_unconfirmed_ones_say_so():
    schedule = load_schedule(VERSION)
    rules = [*schedule.catch_up, *schedule.special_groups,
             *(i for found in schedule.intervals.values() for i in found)]
    assert rules and all(rule.source.strip() for rule in rules)
    # The domain reference marks per-vaccine intervals [check]: none is called confirmed.
    assert not any(i.confirmed for found in schedule.intervals.values() for i in found)
    assert {r.id for r in schedule.special_groups if r.confirmed} == {
        "hepb-mother-positive-or-unknown"}
    assert {r.rule for r in schedule.catch_up if r.confirmed} == set()


def test_unconfirmed_facts_are_marked_with_a_note():
    schedule = load_schedule(VERSION)
    unconfirmed = {i.code for i in schedule.items if not i.confirmed}
    assert unconfirmed == {
        "JE-I-1", "JE-I-2", "JE-I-3", "JE-I-4", "HepA-I-1", "HepA-I-2",
        "NB-VISIT",
    }
    assert all(schedule.by_code[code].note for code in unconfirmed)


def test_loaded_schedules_are_cached():
    assert load_schedule(VERSION) is load_schedule(VERSION)


@pytest.mark.parametrize("version", ["cn-nip-1999", "../cn-nip-2025", "CN-NIP-2025", ""])
def test_an_unknown_version_is_refused(version):
    with pytest.raises(UnknownScheduleVersion):
        load_schedule(version)


def _set(path, value):
    """A mutation setting data[path...] = value; a path of (table, code, key) or (key,)."""

    def mutate(data):
        target = item(data, path[1]) if len(path) == 3 else data
        target[path[-1]] = value

    return mutate


def _delete(code, key):
    return lambda data: item(data, code).pop(key)


def _drop_inactivated_je(data):
    data["vaccines"] = [raw for raw in data["vaccines"] if not raw["code"].startswith("JE-I")]


BROKEN = [
    (_set(("v", "HepB-2", "code"), "HepB-1"), "duplicate code 'HepB-1'"),
    (_set(("v", "BCG", "kind"), "drug"), "unknown kind 'drug'"),
    (_set(("c", "CHK-3M", "kind"), "vaccine"), "in the checkup table"),
    (_set(("v", "BCG", "name"), " "), "name must be a non-empty string"),
    (_set(("v", "IPV-1", "due"), {"months": 2, "days": 3}), "exactly one of"),
    (_set(("v", "IPV-1", "due"), {"weeks": 8}), "exactly one of"),
    (_set(("v", "IPV-1", "due"), {"months": -2}), "integer >= 0"),
    (_set(("v", "IPV-1", "due"), {"months": True}), "integer >= 0"),
    (_set(("v", "IPV-1", "due"), {"months": 2.5}), "integer >= 0"),
    (_set(("v", "IPV-1", "due"), "2 months"), "must be an object"),
    (_set(("v", "HepB-3", "latest"), {"months": 5}), "HepB-3: latest comes before due"),
    (_set(("v", "HepB-1", "latest"), {"after": {"code": "BCG", "days": 1}}), "exactly one of"),
    (_set(("v", "JE-I-2", "due"), {"after": {"code": "JE-X", "days": 7}}), "earlier item"),
    (_set(("v", "JE-I-2", "due"), {"after": {"code": "JE-I-4", "days": 7}}), "earlier item"),
    (_set(("v", "JE-I-2", "due"), {"after": {"code": "JE-I-1"}}), "exactly one of"),
    (_set(("v", "JE-I-2", "due"), {"after": {"code": "JE-I-1", "days": 7}, "days": 1}),
     "use {\"after\""),
    (_set(("v", "JE-I-2", "latest"), {"days": 250}), "JE-I-2: latest comes before due"),
    (_set(("v", "JE-L-1", "variant"), "attenuated"), "variant must be one of"),
    (_set(("v", "JE-L-1", "variant"), None), "variant must be one of"),
    (_set(("v", "DTaP-1", "variant"), "live"), "variant must be null"),
    (_set(("v", "DTaP-1", "series"), None), "vaccines need a series"),
    (_drop_inactivated_je, "choice 'je': items cover variants"),
    (_set(("c", "CHK-3M", "latest"), {"months": 4}), "checkups have latest null"),
    (_delete("NB-VISIT", "note"), "an unconfirmed item needs a note"),
    (_set(("v", "BCG", "confirmed"), "yes"), "confirmed must be true or false"),
    (_set(("v", "IPV-1", "optional"), 1), "optional must be true or false"),
    (_set(("v", "IPV-1", "live"), "nasal"), "live must be one of"),
    (_set(("c", "CHK-3M", "live"), "oral"), "vaccines only"),
    (_set(("v", "IPV-1", "born_from"), "2025-02-30"), "born_from must be a YYYY-MM-DD date"),
    (lambda data: item(data, "IPV-1").update(born_from="2025-01-01", born_before="2024-01-01"),
     "born_from must be before born_before"),
    (_set(("v", "BCG", "dose"), 1), "unknown keys ['dose']"),
    (_delete("BCG", "name"), "missing keys ['name']"),
    (_set(("version",), "CN NIP"), "invalid version"),
    (_set(("valid_from",), "2025-13-01"), "valid_from must be a YYYY-MM-DD date"),
    (_set(("title",), ""), "title must be a non-empty string"),
    (_set(("vaccines",), {}), "vaccines must be a list"),
    (_set(("extra",), 1), "unknown keys ['extra']"),
    (lambda data: data.pop("live_vaccine_gap_days"), "missing keys ['live_vaccine_gap_days']"),
    (_set(("live_vaccine_gap_days",), 0), "live_vaccine_gap_days must be an integer > 0"),
    (_set(("rules",), []), "unknown keys ['rules']"),
    (lambda data: data["choices"]["je"].update(default="dead"), "default must be one of"),
    (lambda data: data["choices"]["je"].update(variants=["live"]), "at least two"),
    (lambda data: data["choices"]["hepa"].update(series="JE"), "same series"),
    (lambda data: data["products"][0].update(counts_as=["Hib"]), "counts_as must list"),
    (lambda data: data["products"][0].update(counts_as=[]), "counts_as must list"),
    (lambda data: data["products"][1].update(code="DTaP-IPV-Hib"), "duplicate product"),
    (lambda data: data["products"][0].update(live="yes"), "live must be one of"),
    (lambda data: data["products"][0].pop("source"), "missing keys ['source']"),
    (lambda data: data["intervals"][0].update(to="HepB-9"), "must name items"),
    (lambda data: data["intervals"][0].update({"from": "HepB-3"}), "must come before"),
    (lambda data: data["intervals"][0].update(min={"weeks": 4}), "exactly one of"),
    (lambda data: data["intervals"][0].pop("source"), "missing keys ['source']"),
    (lambda data: data["catch_up"][0].update(rule="forget"), "unknown rule"),
    (lambda data: data["catch_up"][0].update(codes=["CHK-3M"]), "window_ends is for checkups"),
    (lambda data: data["catch_up"][0].update(codes=["XYZ"]), "codes must list items"),
    (lambda data: data["catch_up"][0].update(by="MPSV-AC-1"), "by is required for"),
    (lambda data: data["catch_up"][2].pop("by"), "by is required for"),
    (lambda data: data["catch_up"][2].update(by="MPSV-X"), "by names unknown code"),
    (lambda data: data["catch_up"][0].update(message=""), "message and source"),
    (lambda data: data["special_groups"][1].update(id="hepb-mother-positive-or-unknown"),
     "id must be unique"),
    (lambda data: data["special_groups"][0].update(when={"hbsag_mother": ["maybe"]}),
     "when.hbsag_mother must list"),
    (lambda data: data["special_groups"][0].update(when={"premature": True}),
     "when takes hbsag_mother"),
    (lambda data: data["special_groups"][2].update(when={"birth_weight_below_g": "2kg"}),
     "positive integer"),
    (lambda data: data["special_groups"][0].update(ask_clinic="yes"), "ask_clinic and confirmed"),
]


@pytest.mark.parametrize(("mutate", "message"), BROKEN)
def test_broken_schedule_data_is_refused_with_a_clear_message(mutate, message):
    data = copy.deepcopy(real_data())
    mutate(data)
    with pytest.raises(ScheduleDataError) as caught:
        parse_schedule(data)
    assert message in str(caught.value)


@pytest.mark.parametrize("data", [[], "schedule", None])
def test_a_schedule_that_is_not_an_object_is_refused(data):
    with pytest.raises(ScheduleDataError, match="must be a JSON object"):
        parse_schedule(data)


def test_the_real_data_parses_unchanged():
    assert parse_schedule(real_data(), VERSION).version == VERSION


def test_a_file_with_broken_json_is_refused(tmp_path):
    path = tmp_path / "cn-nip-2026.json"
    path.write_text('{"version": "cn-nip-2026",', encoding="utf-8")
    with pytest.raises(ScheduleDataError, match="not valid JSON"):
        read_schedule_file(path)


def test_a_broken_file_names_itself_in_the_error(tmp_path):
    data = real_data()
    item(data, "HepB-3")["latest"] = {"months": 3}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScheduleDataError, match=r"broken\.json: HepB-3: latest comes before due"):
        read_schedule_file(path)


def test_a_file_holding_another_version_is_refused(tmp_path):
    path = tmp_path / "cn-nip-2026.json"
    path.write_text(json.dumps(real_data(), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScheduleDataError, match="expected 'cn-nip-2026'"):
        read_schedule_file(path, expected_version="cn-nip-2026")


def test_a_good_file_elsewhere_loads(tmp_path):
    data = real_data()
    data["version"] = "cn-nip-2026"
    path = tmp_path / "cn-nip-2026.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert read_schedule_file(path, expected_version="cn-nip-2026").version == "cn-nip-2026"


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ScheduleDataError, match="cannot read"):
        read_schedule_file(tmp_path / "nothing.json")
