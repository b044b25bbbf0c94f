"""Regional overlays: a deployment's additions to an edition, loaded and checked loudly."""

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from parentapp import create_app
from parentapp.services.health.plan import plan_items
from parentapp.services.health.schedule import Overlay, ScheduleDataError
from parentapp.services.health.schedule_files import load_schedule

VERSION = "cn-nip-2025"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "schedule-overlay-varicella.json"
TODAY = date(2025, 6, 1)
D = date.fromisoformat


@pytest.fixture(autouse=True)
def _fresh_cache():
    load_schedule.cache_clear()
    yield
    load_schedule.cache_clear()


def fixture_data() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "overlay.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def plan(birth: str, records=None, overlay: Path | None = FIXTURE):
    schedule = load_schedule(VERSION, str(overlay) if overlay else None)
    entries = plan_items(schedule, D(birth), choices={}, records=records or {}, today=TODAY)
    return {entry.code: entry for entry in entries}


def test_the_overlay_is_named_on_the_schedule():
    schedule = load_schedule(VERSION, str(FIXTURE))
    assert schedule.overlay == Overlay(
        "test-varicella", "测试用地方增补：水痘减毒活疫苗（2024年1月1日及以后出生儿童）",
        "test fixture: a made-up province funding two doses of varicella vaccine; "
        "not a real policy")
    assert load_schedule(VERSION).overlay is None
    assert "VAR-1" not in load_schedule(VERSION).by_code


def test_the_overlay_adds_varicella_for_children_born_from_its_date():
    entries = plan("2024-03-01")
    assert entries["VAR-1"].due_date == D("2025-03-01")
    assert entries["VAR-1"].latest_date is None
    assert entries["VAR-2"].due_date == D("2028-03-01")
    assert entries["VAR-1"].name == "水痘减毒活疫苗 第1剂"


def test_the_overlay_leaves_out_children_born_before_its_date():
    entries = plan("2023-12-31")
    assert "VAR-1" not in entries and "VAR-2" not in entries
    assert "MMR-1" in entries


def test_without_the_overlay_nobody_gets_varicella():
    entries = plan("2024-03-01", overlay=None)
    assert "VAR-1" not in entries and "VAR-2" not in entries


def test_a_recorded_mmr_dose_holds_varicella_back_28_days():
    # Both are injectable live vaccines: a second one waits 28 days after the first.
    given = D("2025-02-20")
    entries = plan("2024-03-01", records={"MMR-1": given})
    assert entries["VAR-1"].earliest_date >= given + timedelta(days=28)
    assert entries["VAR-1"].earliest_date == D("2025-03-20")


def test_the_overlay_interval_spaces_the_two_varicella_doses():
    entries = plan("2024-03-01", records={"VAR-1": D("2028-01-15")})
    assert entries["VAR-2"].earliest_date == D("2028-04-15")


@pytest.mark.parametrize(("change", "message"), [
    (lambda data: data.update(extends="cn-nip-2024"),
     "overlay extends 'cn-nip-2024', not the edition in force 'cn-nip-2025'"),
    (lambda data: data["vaccines"][0].update(code="BCG"), "duplicate code 'BCG'"),
    (lambda data: data.update(checkups=[]), r"overlay: unknown keys \['checkups'\]"),
    (lambda data: data.pop("title"), r"overlay: missing keys \['title'\]"),
    (lambda data: data.update(overlay=" "), "overlay: overlay must be a non-empty string"),
    (lambda data: data.update(vaccines={}), "overlay: vaccines must be a list"),
    (lambda data: data["intervals"][0].update(to="VAR-9"),
     "from and to must name items of the schedule"),
])
def test_a_broken_overlay_is_refused_naming_both_files(tmp_path, change, message):
    data = fixture_data()
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(ScheduleDataError, match=message) as refused:
        load_schedule(VERSION, path)
    assert f"{VERSION}.json + {path}: " in str(refused.value)


def test_an_overlay_that_is_not_an_object_is_refused(tmp_path):
    path = tmp_path / "overlay.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ScheduleDataError, match="the overlay must be a JSON object"):
        load_schedule(VERSION, str(path))


def test_a_missing_overlay_file_is_named(tmp_path):
    missing = str(tmp_path / "nowhere.json")
    with pytest.raises(ScheduleDataError, match=re.escape(f"cannot read schedule file {missing}")):
        load_schedule(VERSION, missing)


def test_an_overlay_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "overlay.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScheduleDataError, match=re.escape(f"{path} is not valid JSON")):
        load_schedule(VERSION, str(path))


def start(overlay: str):
    return create_app({"PARENTAPP_ENV": "testing", "TESTING": True,
                       "SECRET_KEY": "test-secret-key-0123456789-abcdefghijklmnop",
                       "SCHEDULE_OVERLAY": overlay})


def test_a_missing_overlay_file_stops_start_up(tmp_path):
    missing = str(tmp_path / "nowhere.json")
    with pytest.raises(ScheduleDataError, match=re.escape(missing)):
        start(missing)


def test_a_broken_overlay_file_stops_start_up(tmp_path):
    data = fixture_data()
    data["extends"] = "cn-nip-2024"
    path = write(tmp_path, data)
    refusal = re.escape(f"{path}: overlay extends 'cn-nip-2024'")
    with pytest.raises(ScheduleDataError, match=refusal):
        start(path)
