"""Import the commission's register of already-filed nurseries from a CSV file.

Columns (header row required, any order; extra columns are an error):
    name, address, township, lat, lng, phone, kind, licensed_places,
    day_hours, am_hours, pm_hours, registration_type, credit_code,
    filing_no, filed_on                     -- required
    inclusive, description, open_to_public  -- optional (否, empty, 是)
``township`` is a code from /meta or the township's Chinese name; ``kind`` and
``registration_type`` take the API values or their Chinese names; hours are
``08:00-17:30``; booleans take 是/否, true/false, 1/0. Every row is checked by
the API's own schema (NurseryImportSchema). Encoding: UTF-8 with or without a
BOM, else GBK/GB18030.

Rows match existing nurseries by credit code: a new code creates an approved
nursery owned by the given operator account; an approved one is updated to the
row (unchanged rows are left alone, so re-importing a file is a no-op); a
nursery in any other state is a row error (it is in the online workflow).
Each created or updated nursery gets a FilingEvent with no actor.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from marshmallow import ValidationError

from parentapp import data
from parentapp.domain import FilingStatus, NurseryKind, RegistrationType, Role
from parentapp.extensions import db
from parentapp.models import Nursery, User
from parentapp.schemas.nurseries import NurseryImportSchema
from parentapp.services.common.transactions import rolls_back
from parentapp.services.nurseries import filings

REQUIRED_COLUMNS = ("name", "address", "township", "lat", "lng", "phone", "kind",
                    "licensed_places", "day_hours", "am_hours", "pm_hours", "registration_type",
                    "credit_code", "filing_no", "filed_on")
OPTIONAL_COLUMNS = ("inclusive", "description", "open_to_public")
HOUR_COLUMNS = {"day_hours": "day", "am_hours": "am", "pm_hours": "pm"}
KIND_NAMES = {"托育机构": NurseryKind.NURSERY, "幼儿园托班": NurseryKind.KINDERGARTEN_CLASS,
              "用人单位福利性托育点": NurseryKind.EMPLOYER, "家庭托育点": NurseryKind.FAMILY}
REGISTRATION_NAMES = {"非营利": RegistrationType.NONPROFIT, "非营利性": RegistrationType.NONPROFIT,
                      "营利": RegistrationType.FOR_PROFIT, "营利性": RegistrationType.FOR_PROFIT}
BOOLEAN_NAMES = {"是": True, "否": False}
_CHUNK = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported (encoding, header, unknown operator)."""


@dataclass
class RowError:
    line: int
    column: str
    problem: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    fields: dict
    existing: Nursery | None = None


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM is dropped), else GB18030, the superset of GBK."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。")


def read_rows(text: str) -> list[tuple[int, dict]]:
    """(line number, row) pairs; the header is line 1."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise ImportFileError(
            f"表头不正确：缺少 {', '.join(missing) or '无'}；不支持 {', '.join(unknown) or '无'}"
            "（列名见 README，且不能重复）。")
    reader.fieldnames = header
    return [(reader.line_num, row) for row in reader]


@rolls_back
def import_register(raw: bytes, operator_username: str, now: datetime, *, source: str = "",
                    dry_run: bool = False, skip_invalid: bool = False,
                    progress: Callable[[int], None] | None = None) -> ImportReport:
    """Validate every row, then write all of them, or nothing while any row is invalid
    (unless ``skip_invalid``). ``progress(n)`` is told of each n rows handled.

    Raises ImportFileError.
    """
    operator = _operator(operator_username)
    rows = read_rows(decode(raw))
    report = ImportReport(rows=len(rows))
    valid = _validate(rows, report, progress)
    valid = _match_existing(valid, report)
    report.invalid = len({e.line for e in report.errors})
    if (report.errors and not skip_invalid) or dry_run:
        _count_outcomes(valid, report)
        db.session.rollback()
        return report
    for row in valid:
        _write(row, operator, now, source, report)
    db.session.commit()
    report.written = True
    return report


def _operator(username: str) -> User:
    user = db.session.scalar(db.select(User).where(
        User.username == username, User.role == Role.OPERATOR, User.deleted_at.is_(None)))
    if user is None:
        raise ImportFileError(f"没有用户名为“{username}”的机构账号（--operator）。")
    return user


def _validate(rows, report: ImportReport, progress) -> list[_Row]:
    schema = NurseryImportSchema()
    valid, seen_codes, seen_numbers = [], {}, {}
    for line, raw_row in rows:
        if progress:
            progress(1)
        if None in raw_row:
            report.errors.append(RowError(line, "-", "这一行的列数多于表头。"))
            continue
        try:
            fields = schema.load(_to_api_shape(raw_row))
        except ValidationError as exc:
            report.errors.extend(RowError(line, col, msg) for col, msg in _flatten(exc.messages))
            continue
        duplicate = (_first_seen(seen_codes, fields["credit_code"], line, "credit_code")
                     or _first_seen(seen_numbers, fields["filing_no"], line, "filing_no"))
        if duplicate:
            report.errors.append(duplicate)
            continue
        valid.append(_Row(line, fields))
    return valid


def _first_seen(seen: dict, value: str, line: int, column: str) -> RowError | None:
    if value in seen:
        return RowError(line, column, f"与第 {seen[value]} 行重复。")
    seen[value] = line
    return None


def _to_api_shape(row: dict) -> dict:
    """CSV cells to the API's JSON shape; anything odd is left for the schema to reject."""
    cells = {key: (value or "").strip() for key, value in row.items()}
    shaped = {key: value for key, value in cells.items()
              if value and key not in HOUR_COLUMNS}
    names = {t["name"]: t["code"] for t in data.townships()}
    for key, mapping in (("township", names), ("kind", KIND_NAMES),
                         ("registration_type", REGISTRATION_NAMES),
                         ("inclusive", BOOLEAN_NAMES), ("open_to_public", BOOLEAN_NAMES)):
        if key in shaped and shaped[key] in mapping:
            shaped[key] = mapping[shaped[key]]
    if shaped.get("licensed_places", "").isdigit():
        shaped["licensed_places"] = int(shaped["licensed_places"])
    hours = {part: _split_hours(cells[col]) for col, part in HOUR_COLUMNS.items() if cells[col]}
    if hours:
        shaped["opening_hours"] = hours
    return shaped


def _split_hours(value: str) -> list[str]:
    for separator in ("-", "~", "–", "至"):
        if separator in value:
            return [part.strip() for part in value.split(separator)]
    return [value]


def _flatten(messages: dict) -> list[tuple[str, str]]:
    """Schema errors as (CSV column, problem)."""
    columns = {part: col for col, part in HOUR_COLUMNS.items()}
    out = []
    for key, problems in messages.items():
        if key == "opening_hours" and isinstance(problems, dict):
            for part, inner in problems.items():
                out.extend((columns.get(part, "opening_hours"), p) for p in inner)
        elif isinstance(problems, dict):
            out.extend((key, str(p)) for p in problems.values())
        else:
            out.extend((key, p) for p in problems)
    return out


def _match_existing(rows: list[_Row], report: ImportReport) -> list[_Row]:
    by_code = _existing(Nursery.credit_code, [r.fields["credit_code"] for r in rows])
    by_number = _existing(Nursery.filing_no, [r.fields["filing_no"] for r in rows])
    matched = []
    for row in rows:
        found = by_code.get(row.fields["credit_code"], [])
        holder = by_number.get(row.fields["filing_no"], [])
        problem = None
        if len(found) > 1:
            problem = ("credit_code", "系统中已有多家机构使用该信用代码，无法确定更新哪一家。")
        elif found and found[0].filing_status != FilingStatus.APPROVED:
            status = filings.STATUS_NAMES[found[0].filing_status]
            problem = ("credit_code", f"该机构已在线登记（状态：{status}），请在备案审核中处理。")
        elif holder and (not found or holder[0].id != found[0].id):
            problem = ("filing_no", "该备案编号已用于另一家机构。")
        if problem:
            report.errors.append(RowError(row.line, *problem))
            continue
        row.existing = found[0] if found else None
        matched.append(row)
    return matched


def _existing(column, values: list[str]) -> dict[str, list[Nursery]]:
    found: dict[str, list[Nursery]] = {}
    for start in range(0, len(values), _CHUNK):
        chunk = values[start:start + _CHUNK]
        for nursery in db.session.scalars(db.select(Nursery).where(column.in_(chunk))):
            found.setdefault(getattr(nursery, column.key), []).append(nursery)
    return found


def _changes(row: _Row) -> dict:
    return {key: [getattr(row.existing, key), value] for key, value in row.fields.items()
            if getattr(row.existing, key) != value}


def _count_outcomes(rows: list[_Row], report: ImportReport) -> None:
    for row in rows:
        if row.existing is None:
            report.created += 1
        elif _changes(row):
            report.updated += 1
        else:
            report.unchanged += 1


def _write(row: _Row, operator: User, now: datetime, source: str, report: ImportReport) -> None:
    where = f"{source} 第 {row.line} 行".strip()
    if row.existing is None:
        nursery = Nursery(operator_id=operator.id, filing_status=FilingStatus.APPROVED,
                          submitted_at=now, created_at=now, updated_at=now, **row.fields)
        db.session.add(nursery)
        db.session.flush()
        filings.record_event(nursery, None, actor_id=None, now=now,
                             reason=f"按备案名册导入（{where}）")
        report.created += 1
        return
    changes = _changes(row)
    if not changes:
        report.unchanged += 1
        return
    for key, (_, value) in changes.items():
        setattr(row.existing, key, value)
    row.existing.updated_at = now
    filings.record_event(row.existing, FilingStatus.APPROVED, actor_id=None, now=now,
                         reason=f"按备案名册更新（{where}）",
                         changes={k: [_plain(o), _plain(n)] for k, (o, n) in changes.items()})
    report.updated += 1


def _plain(value):
    """JSON-safe audit values (filed_on is a date)."""
    return value.isoformat() if hasattr(value, "isoformat") else value
