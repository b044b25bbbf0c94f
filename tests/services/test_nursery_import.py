import csv
import io
from datetime import UTC, date, datetime

import pytest

from parentapp.extensions import db
from parentapp.models import FilingEvent, Nursery
from parentapp.services.nurseries.credit_code import with_check
from parentapp.services.nurseries.register_import import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportFileError,
    import_register,
)
from tests.factories import make_nursery, make_user

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
COLUMNS = list(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)


def row(n: int, **overrides) -> dict:
    base = {
        "name": f"石柱县第{n}托育园", "address": f"南宾街道万寿大道 {n} 号",
        "township": "500240001",
        "lat": "29.9991", "lng": "108.1142", "phone": "13800000000", "kind": "nursery",
        "licensed_places": "40", "day_hours": "08:00-17:30", "am_hours": "08:00-12:00",
        "pm_hours": "14:00-17:30", "registration_type": "for_profit",
        "credit_code": with_check(f"91500240MA{n:07d}"), "filing_no": f"石卫托备〔2024〕{n:03d}号",
        "filed_on": "2024-05-06", "inclusive": "否", "description": "", "open_to_public": "是",
    }
    base.update(overrides)
    return base


def to_csv(rows: list[dict], columns=None, encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns or COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def operator():
    return make_user("operator", username="register-import")


def _import(raw: bytes, **kwargs):
    return import_register(raw, "register-import", NOW, source="register.csv", **kwargs)


def _nurseries() -> list[Nursery]:
    return list(db.session.scalars(db.select(Nursery).order_by(Nursery.id)))


def test_a_valid_register_creates_approved_filings_with_an_event_each(operator):
    report = _import(to_csv([row(1), row(2, inclusive="是", kind="kindergarten_class")]))
    assert (report.rows, report.created, report.written, report.errors) == (2, 2, True, [])
    first, second = _nurseries()
    assert first.filing_status == "approved" and first.operator_id == operator.id
    assert first.filing_no == "石卫托备〔2024〕001号" and first.filed_on == date(2024, 5, 6)
    assert first.opening_hours == {"day": ["08:00", "17:30"], "am": ["08:00", "12:00"],
                                   "pm": ["14:00", "17:30"]}
    assert first.lat == 29.9991 and first.licensed_places == 40 and first.inclusive is False
    assert second.inclusive is True and second.kind == "kindergarten_class"
    event = first.events[0]
    assert (event.from_status, event.to_status, event.actor_id) == (None, "approved", None)
    assert event.reason == "按备案名册导入（register.csv 第 2 行）"
    assert second.events[0].reason.endswith("第 3 行）")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_utf8_with_or_without_bom_and_gbk_are_read(operator, encoding):
    report = _import(to_csv([row(1, township="西沱镇", kind="幼儿园托班",
                                 registration_type="非营利", inclusive="是")],
                            encoding=encoding))
    assert report.created == 1, report.errors
    nursery = _nurseries()[0]
    assert (nursery.name, nursery.township, nursery.kind, nursery.registration_type) == (
        "石柱县第1托育园", "500240100", "kindergarten_class", "nonprofit")


def test_an_undecodable_file_is_refused(operator):
    with pytest.raises(ImportFileError, match="编码"):
        _import(b"name\n\xff\xff\xff")


def test_any_invalid_row_means_nothing_is_written(operator):
    bad = row(2, credit_code=with_check("91500240MA0000002")[:-1] + "I", am_hours="8点-12点")
    report = _import(to_csv([row(1), bad, row(3, licensed_places="0")]))
    assert not report.written and report.invalid == 2 and report.created == 1
    assert {(e.line, e.column) for e in report.errors} == {
        (3, "credit_code"), (3, "am_hours"), (4, "licensed_places")}
    assert _nurseries() == [] and db.session.scalar(
        db.select(db.func.count()).select_from(FilingEvent)) == 0


def test_skip_invalid_writes_the_valid_rows(operator):
    report = _import(to_csv([row(1), row(2, lat="39.9"), row(3)]), skip_invalid=True)
    assert report.written and report.created == 2 and report.invalid == 1
    assert [(e.line, e.column) for e in report.errors] == [(3, "lat")]
    assert len(_nurseries()) == 2


def test_dry_run_writes_nothing_and_counts(operator):
    make_nursery(credit_code=with_check("91500240MA0000001"), filing_no="石卫托备〔2024〕001号")
    report = _import(to_csv([row(1), row(2)]), dry_run=True)
    assert not report.written and (report.created, report.updated) == (1, 1)
    assert len(_nurseries()) == 1


def test_reimporting_the_same_file_changes_nothing(operator):
    raw = to_csv([row(1), row(2)])
    _import(raw)
    again = _import(raw)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert db.session.scalar(db.select(db.func.count()).select_from(FilingEvent)) == 2


def test_a_changed_row_updates_the_approved_nursery_with_an_event(operator):
    _import(to_csv([row(1)]))
    report = _import(to_csv([row(1, licensed_places="55", filed_on="2024-06-01")]))
    assert report.updated == 1
    nursery = _nurseries()[0]
    assert nursery.licensed_places == 55 and nursery.filed_on == date(2024, 6, 1)
    event = nursery.events[-1]
    assert (event.from_status, event.to_status) == ("approved", "approved")
    assert event.changes == {"licensed_places": [40, 55], "filed_on": ["2024-05-06", "2024-06-01"]}


@pytest.mark.parametrize("status", ["draft", "pending", "rejected", "revoked"])
def test_a_nursery_in_the_online_workflow_is_not_overwritten(operator, status):
    existing = make_nursery(credit_code=with_check("91500240MA0000001"), filing_status=status,
                            filing_no=None)
    report = _import(to_csv([row(1)]), skip_invalid=True)
    assert [(e.line, e.column) for e in report.errors] == [(2, "credit_code")]
    db.session.refresh(existing)
    assert existing.filing_status == status and len(_nurseries()) == 1


def test_duplicates_within_the_file_are_row_errors(operator):
    report = _import(to_csv([row(1), row(2, credit_code=row(1)["credit_code"]),
                             row(3, filing_no=row(1)["filing_no"])]))
    assert [(e.line, e.column, e.problem) for e in report.errors] == [
        (3, "credit_code", "与第 2 行重复。"), (4, "filing_no", "与第 2 行重复。")]
    assert _nurseries() == []


def test_a_filing_number_used_by_another_nursery_is_a_row_error(operator):
    make_nursery(filing_no="石卫托备〔2024〕001号")
    report = _import(to_csv([row(1)]))
    assert [(e.line, e.column) for e in report.errors] == [(2, "filing_no")]


@pytest.mark.parametrize(("overrides", "column"), [
    ({"township": "石柱镇"}, "township"), ({"kind": "早教中心"}, "kind"),
    ({"phone": "12345"}, "phone"), ({"lng": "116.4"}, "lng"), ({"lat": "abc"}, "lat"),
    ({"licensed_places": "4.5"}, "licensed_places"), ({"day_hours": "08:00"}, "day_hours"),
    ({"pm_hours": "14:00-19:00"}, "day_hours"), ({"am_hours": ""}, "am_hours"),
    ({"filed_on": "2024/05/06"}, "filed_on"), ({"filed_on": "2999-01-01"}, "filed_on"),
    ({"filing_no": "无"}, "filing_no"), ({"name": ""}, "name"),
    ({"inclusive": "也许"}, "inclusive"),
])
def test_rows_are_checked_with_the_api_rules(operator, overrides, column):
    report = _import(to_csv([row(1, **overrides)]))
    assert column in {e.column for e in report.errors}, report.errors
    assert all(e.line == 2 for e in report.errors) and _nurseries() == []


def test_line_numbers_count_physical_lines(operator):
    report = _import(to_csv([row(1, description="第一行\n第二行"), row(2, phone="1")]))
    assert [(e.line, e.column) for e in report.errors] == [(4, "phone")]


def test_a_row_with_more_cells_than_the_header_is_an_error(operator):
    raw = to_csv([row(1)]) + b"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t\r\n"
    report = _import(raw)
    assert [(e.line, e.column) for e in report.errors] == [(3, "-")]


@pytest.mark.parametrize("columns", [
    [c for c in COLUMNS if c != "credit_code"],
    [*COLUMNS, "remark"],
])
def test_a_bad_header_refuses_the_file(operator, columns):
    with pytest.raises(ImportFileError, match="表头"):
        _import(to_csv([], columns=columns))


def test_optional_columns_may_be_left_out(operator):
    columns = list(REQUIRED_COLUMNS)
    report = _import(to_csv([{k: v for k, v in row(1).items() if k in columns}],
                            columns=columns))
    assert report.created == 1
    nursery = _nurseries()[0]
    assert (nursery.inclusive, nursery.open_to_public, nursery.description) == (False, True, "")


def test_the_operator_must_be_an_operator_account(db):
    make_user("regulator", username="register-import")
    with pytest.raises(ImportFileError, match="机构账号"):
        _import(to_csv([row(1)]))


def test_progress_is_reported_per_row(operator):
    seen = []
    _import(to_csv([row(1), row(2), row(3)]), progress=seen.append)
    assert seen == [1, 1, 1]


def test_imported_nurseries_are_found_by_parents(client, operator):
    _import(to_csv([row(1)]))
    body = client.get("/api/v1/nurseries?lat=29.999&lng=108.114").get_json()
    assert body["total"] == 1 and body["items"][0]["name"] == "石柱县第1托育园"


def test_the_cli_imports_and_reports(app, operator, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(to_csv([row(1), row(2, phone="x")], encoding="gbk"))
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["nurseries", "import", str(path), "--operator",
                                 "register-import"])
    assert failed.exit_code == 1
    assert "第 3 行 phone" in failed.output and "未写入" in failed.output
    skipped = runner.invoke(args=["nurseries", "import", str(path), "--operator",
                                  "register-import", "--skip-invalid"])
    assert skipped.exit_code == 0, skipped.output
    assert "新增 1" in skipped.output and "写入" in skipped.output
    db.session.expire_all()
    assert len(_nurseries()) == 1


def test_the_cli_dry_run_and_file_errors(app, operator, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(to_csv([row(1)]))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["nurseries", "import", str(path), "--operator", "register-import",
                              "--dry-run"])
    assert dry.exit_code == 0 and "新增 1" in dry.output and "预演" in dry.output
    nobody = runner.invoke(args=["nurseries", "import", str(path), "--operator", "nobody"])
    assert nobody.exit_code == 1 and "nobody" in nobody.output
    db.session.expire_all()
    assert _nurseries() == []


def test_family_care_points_are_imported_with_at_most_5_places(app, operator, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(to_csv([row(1, kind="家庭托育点", licensed_places="5"),
                             row(2, kind="family", licensed_places="6")]))
    failed = app.test_cli_runner().invoke(args=["nurseries", "import", str(path),
                                                "--operator", "register-import"])
    assert failed.exit_code == 1
    problem = "家庭托育点最多收托 5 名婴幼儿，备案托位数不能超过 5。"
    assert "第 3 行 licensed_places" in failed.output and problem in failed.output
    report = _import(path.read_bytes(), skip_invalid=True)
    assert [(e.line, e.column, e.problem) for e in report.errors] == [
        (3, "licensed_places", problem)]
    assert [(n.kind, n.licensed_places, n.filing_status) for n in _nurseries()] == [
        ("family", 5, "approved")]
