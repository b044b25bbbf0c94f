"""Illness clusters (聚集性疾病): at one nursery, 3 or more distinct children sent home
at the morning check or absent for illness with a shared symptom on one local day
(window ``day``), or 5 or more within 3 consecutive local days (window ``3days``: a
day and the 2 before it).

A record of day D can complete the window ``day`` of D and the 3-day windows ending
D, D+1 and D+2 (never later than today). One query finds every such window at
once, grouping the nursery's cases by window and symptom; each found window opens
one alert, ``illness_cluster:{nursery}:{last day}:{symptom}:{window}``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Date, String, Text, case, cast, func, literal, union_all

from parentapp.domain import AbsenceReason, AlertKind, CheckResult, Symptom
from parentapp.extensions import db
from parentapp.models import Absence, HealthCheck
from parentapp.services.alerts.opening import Cause, lock_nursery_alerts, open_alerts
from parentapp.timeutil import local_today

# window -> (days, distinct children that make a cluster)
WINDOWS = {"day": (1, 3), "3days": (3, 5)}
SYMPTOM_NAMES = {Symptom.FEVER: "发热", Symptom.COUGH: "咳嗽", Symptom.RASH: "皮疹",
                 Symptom.DIARRHOEA: "腹泻", Symptom.VOMITING: "呕吐", Symptom.OTHER: "其他症状"}


def windows_touched(day: date, today: date) -> list[tuple[str, date, date]]:
    """(window, last day, a day in it) for every window a record of ``day`` is in."""
    found = []
    for window, (days, _) in WINDOWS.items():
        for last in (day + timedelta(days=k) for k in range(days)):
            if last <= max(today, day):
                found += [(window, last, last - timedelta(days=k)) for k in range(days)]
    return found


def detect_clusters(nursery_id: int, day: date, now: datetime) -> list[int]:
    """Open the clusters a record of ``day`` at the nursery completes; returns the new
    alerts' ids. One query whatever the number of children (caller commits)."""
    lock_nursery_alerts(nursery_id)
    found = db.session.execute(_cluster_query(nursery_id, day, local_today(now))).all()
    return open_alerts([_cause(nursery_id, *row) for row in found], now)


def _cluster_query(nursery_id: int, day: date, today: date):
    touched = windows_touched(day, today)
    windows = _rows("windows", [("span", String), ("last_day", Date), ("day", Date)], touched)
    symptoms = _rows("symptoms", [("symptom", String)], [(s.value,) for s in Symptom])
    first, last = min(d for *_, d in touched), max(d for *_, d in touched)
    cases = union_all(
        db.select(HealthCheck.child_id, HealthCheck.day, HealthCheck.symptoms)
        .where(HealthCheck.nursery_id == nursery_id, HealthCheck.result == CheckResult.SENT_HOME,
               HealthCheck.day.between(first, last)),
        db.select(Absence.child_id, Absence.day, Absence.symptoms)
        .where(Absence.nursery_id == nursery_id, Absence.reason == AbsenceReason.ILLNESS,
               Absence.day.between(first, last))).subquery("cases")
    children = func.count(cases.c.child_id.distinct())
    needed = case(*((windows.c.span == w, n) for w, (_, n) in WINDOWS.items()))
    # symptoms is a JSON list of fixed words: '"fever"' is in its text exactly when listed
    listed = cast(cases.c.symptoms, Text).like(literal('%"') + symptoms.c.symptom + '"%')
    return (db.select(windows.c.span, windows.c.last_day, symptoms.c.symptom, children)
            .select_from(cases).join(windows, windows.c.day == cases.c.day)
            .join(symptoms, listed)
            .group_by(windows.c.span, windows.c.last_day, symptoms.c.symptom)
            .having(children >= needed))


def _rows(name: str, columns: list[tuple[str, type]], rows: list[tuple]):
    """Constant rows as a subquery (SQLite's VALUES takes no column names)."""
    return union_all(*(db.select(*(literal(v, t()).label(c) for (c, t), v in zip(columns, row,
                                                                                 strict=True)))
                       for row in rows)).subquery(name)


def _cause(nursery_id: int, window: str, last_day: date, symptom: str, children: int) -> Cause:
    days = WINDOWS[window][0]
    first = last_day - timedelta(days=days - 1)
    span = f"{last_day:%Y-%m-%d}" if days == 1 else f"{first:%Y-%m-%d} 至 {last_day:%Y-%m-%d}"
    return Cause(
        kind=AlertKind.ILLNESS_CLUSTER, nursery_id=nursery_id,
        key=f"illness_cluster:{nursery_id}:{last_day.isoformat()}:{symptom}:{window}",
        details={"symptom": symptom, "window": window, "from": first.isoformat(),
                 "to": last_day.isoformat(), "children": children},
        message=f"{span} 有 {children} 名儿童因{SYMPTOM_NAMES[symptom]}离园或因病缺勤，"
                "请及时排查并按规定在 24 小时内报告疾控机构。")
