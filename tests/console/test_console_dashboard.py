"""The regulator's dashboard (charts drawn from JSON, each with its text table), the
statistics CSV download and the township population forms."""

import csv
import io
import re
from datetime import time, timedelta

import pytest

from parentapp import jobs, service_settings
from parentapp.extensions import db
from parentapp.models import Alert, AuditEntry, Child, HealthRecord, Township, utcnow
from parentapp.models.child import guarded_by
from parentapp.services.alerts import listing
from parentapp.services.stats import policy_figures
from parentapp.timeutil import add_months, local_instant, local_today
from tests.booking_factories import make_slot, today
from tests.console.console_helpers import csrf, json_script, signed_in_client, table_rows
from tests.factories import bearer, make_nursery, make_user
from tests.staff_factories import make_staff

NANBIN = "500240001"


@pytest.fixture
def figures():
    """Some places, a population set, and a slot this year half booked; the figures the
    statistics service then gives for this year."""
    nursery = make_nursery(licensed_places=400, inclusive=True)
    make_nursery(licensed_places=50, township="500240100")
    make_slot(nursery, day=today(), capacity=4, booked=2)
    make_slot(nursery, "half_day", day=today(), capacity=5, booked=1)
    db.session.execute(db.update(Township).where(Township.code == NANBIN)
                       .values(population=100000))
    db.session.commit()
    return policy_figures.policy_stats(today().year, utcnow(),
                                       schedule=service_settings.health_schedule())


def _dashboard(client, query="") -> str:
    response = client.get(f"/console/dashboard{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_places_chart_data_are_the_statistics_figures(client, figures):
    signed_in_client(client, "regulator")
    chart = json_script(_dashboard(client), "places-chart-data")
    assert chart["codes"] == [row["code"] for row in figures["townships"]]
    assert chart["categories"] == [row["name"] for row in figures["townships"]]
    assert chart["series"][0]["values"] == [row["places_per_1000"]
                                            for row in figures["townships"]]
    assert chart["series"][0]["values"][0] == 4.0  # 400 places for 100000 people
    assert chart["target"] == figures["targets"]["places_per_1000"] == 2.0


def test_the_places_table_beside_the_chart_has_the_same_numbers(client, figures):
    signed_in_client(client, "regulator")
    rows = table_rows(_dashboard(client), "places-table")
    assert rows[0] == ["乡镇（街道）", "每千人托位数", "是否达标"]
    expected = [[row["name"], "—" if row["places_per_1000"] is None
                 else str(row["places_per_1000"]),
                 "已达标" if (row["places_per_1000"] or 0) >= 2.0 else "未达标"]
                for row in figures["townships"]]
    assert rows[1:] == expected
    assert rows[1] == ["南宾街道", "4.0", "已达标"]


def test_the_occupancy_chart_and_its_table_show_each_weeks_rate(client, figures):
    signed_in_client(client, "regulator")
    page = _dashboard(client)
    chart = json_script(page, "occupancy-chart-data")
    week = figures["occupancy"][0]["week"]
    assert chart["categories"] == [week]
    assert {s["key"]: s["values"] for s in chart["series"]} == {
        row["care_type"]: [row["rate"]] for row in figures["occupancy"]}
    assert {s["key"]: s["values"] for s in chart["series"]} == {
        "full_day": [0.5], "half_day": [0.2]}
    assert table_rows(page, "occupancy-table") == [["周", "全日托", "半日托"],
                                                   [week, "50.0%", "20.0%"]]


def test_the_tiles_show_the_county_figures_and_whether_each_target_is_met(client, figures):
    signed_in_client(client, "regulator")
    page = _dashboard(client)
    tile = re.search(r'data-figure="places_per_1000".*?<div class="value">([^<]*)</div>',
                     page, re.S).group(1)
    assert tile == str(figures["county"]["places_per_1000"])
    assert 'data-figure="kindergarten_classes" data-met="false"' in page
    assert "科学育儿指导覆盖率" in page and "≥ 90%" in page


def test_the_dashboard_shows_family_care_points_apart_with_their_places(client):
    make_nursery(licensed_places=60)
    make_nursery(kind="family", licensed_places=5, township="500240100")
    make_nursery(kind="family", licensed_places=3, township="500240100")
    signed_in_client(client, "regulator")
    page = _dashboard(client)
    tile = re.search(r'data-figure="family_care_points">.*?<div class="value">([^<]*)</div>'
                     r'.*?data-figure="family_care_places">([^<]*)<', page, re.S)
    assert tile.groups() == ("2", "8")
    rows = table_rows(page, "township-table")
    head = rows[0]
    xituo = next(row for row in rows if row[0] == "西沱镇")
    assert (xituo[head.index("家庭托育点")], xituo[head.index("家庭托位")]) == ("2", "8")
    assert xituo[head.index("备案托位")] == "8"
    nanbin = next(row for row in rows if row[0] == "南宾街道")
    assert (nanbin[head.index("家庭托育点")], nanbin[head.index("备案托位")]) == ("0", "60")


@pytest.mark.parametrize("year", ["2019", "abc"])
def test_dashboard_refuses_a_year_outside_the_policy(client, year):
    signed_in_client(client, "regulator")
    response = client.get(f"/console/dashboard?year={year}")
    assert response.status_code == 422
    assert "年份" in response.get_data(as_text=True)


# -- open alerts --------------------------------------------------------------------------

# 02:00 in Shizhu yesterday (the alerts' clock is passed in; only their dates matter).
ALERT_DAY = local_today(utcnow()) - timedelta(days=1)
ALERT_NOW = local_instant(ALERT_DAY, time(2, 0))
EXPIRING_ON = ALERT_DAY + timedelta(days=17)  # within the 30 days
EXPIRED_ON = ALERT_DAY - timedelta(days=32)


def test_the_dashboard_shows_open_alerts_by_kind_and_the_latest_with_a_link(client):
    regulator = signed_in_client(client, "regulator")
    staff = make_staff(make_nursery(name="南宾托育园"), name="谭老师",
                       health_certificate_expires_on=EXPIRING_ON)
    make_staff(make_nursery(name="西沱托育园"), health_certificate_expires_on=EXPIRED_ON)
    assert jobs.run_job("staff-certificates", ALERT_NOW).endswith("2 alerts opened")
    expired = db.session.scalar(db.select(Alert.id).where(Alert.kind == "certificate_expired"))
    listing.close_alert(regulator.id, expired, "已换证", ALERT_NOW)

    page = _dashboard(client)
    counts = dict(re.findall(r'<li data-kind="(\w+)"[^>]*><span class="muted">[^<]*</span> '
                             r'<strong class="count">(\d+)</strong>', page))
    assert counts == {"illness_cluster": "0", "ratio_breach": "0",
                      "certificate_expiring": "1", "certificate_expired": "0"}
    assert re.search(r'未处理预警 <span class="alert-total">1</span> 条', page)
    assert "证件即将到期" in page
    rows = table_rows(page, "latest-alerts")
    assert rows == [["类型", "机构", "发生时间", "情况"],
                    ["证件即将到期", "南宾托育园", f"{ALERT_DAY.isoformat()} 02:00",
                     f"员工{staff.name}的健康证将于 {EXPIRING_ON.isoformat()} 到期"]]
    assert 'href="/console/alerts?status=open"' in page
    assert "no-open-alerts" not in page


def test_the_dashboard_says_so_when_no_alert_is_open(client):
    signed_in_client(client, "regulator")
    page = _dashboard(client)
    assert 'id="no-open-alerts"' in page and "目前没有未处理的预警。" in page
    assert 'id="latest-alerts"' not in page
    assert re.search(r'未处理预警 <span class="alert-total">0</span> 条', page)


# -- the statistics CSV -------------------------------------------------------------------

def _api_csv(client, query):
    regulator = make_user("regulator")
    return client.get(f"/api/v1/admin/stats.csv{query}", headers=bearer(regulator))


@pytest.mark.parametrize("query", ["", "?year={this}", "?year={last}"])
def test_the_csv_download_is_the_apis_csv_for_the_same_year(client, figures, query):
    query = query.format(this=today().year, last=today().year - 1)
    api = _api_csv(client, query)
    signed_in_client(client, "regulator")
    page = _dashboard(client)
    assert 'action="/console/dashboard/stats.csv"' in page and 'id="download-csv"' in page
    response = client.get(f"/console/dashboard/stats.csv{query}")
    assert response.status_code == 200 and api.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data() == api.get_data()
    assert response.headers["Content-Disposition"] == api.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1 + 33 + 1
    if not query.endswith(str(today().year - 1)):
        assert rows[1][:5] == [NANBIN, "南宾街道", "100000", "400", "4.0"]


def test_the_csv_download_refuses_a_year_outside_the_policy(client):
    signed_in_client(client, "regulator")
    response = client.get("/console/dashboard/stats.csv?year=2019")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "年份应在" in response.get_data(as_text=True)


def test_the_csv_download_is_for_regulators_only(client):
    signed_in = client.get("/console/dashboard/stats.csv")
    assert signed_in.status_code == 302
    assert "/console/login" in signed_in.headers["Location"]
    signed_in_client(client, "operator")
    response = client.get("/console/dashboard/stats.csv")
    assert response.status_code == 403
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("path", ["/console/dashboard", "/console/townships",
                                  "/console/dashboard/stats.csv"])
def test_regulator_pages_are_closed_to_operators(client, path):
    signed_in_client(client, "operator")
    response = client.get(path)
    assert response.status_code == 403
    assert "当前账号无权访问此页面。" in response.get_data(as_text=True)


# -- township populations -----------------------------------------------------------------

def test_population_form_saves_a_good_value(client):
    signed_in_client(client, "regulator")
    response = client.post("/console/townships/500240002", data={
        "csrf_token": csrf(client, "/console/townships"), "population": "45678"},
        follow_redirects=True)
    assert "人口已更新。" in response.get_data(as_text=True)
    township = db.session.get(Township, "500240002")
    db.session.refresh(township)
    assert (township.population, township.population_estimated) == (45678, False)
    row = [r for r in table_rows(response.get_data(as_text=True), "township-populations")
           if r[1] == "500240002"][0]
    assert row[3] == "已填写"


def _audit_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))


@pytest.mark.parametrize(("value", "message"), [
    ("0", "应在 1 到 5000000 之间。"), ("-3", "应在 1 到 5000000 之间。"),
    ("abc", "应为整数。"), ("", "不能为空。")])
def test_population_form_rejects_bad_input_beside_the_field_and_changes_nothing(
        client, value, message):
    signed_in_client(client, "regulator")
    before = db.session.get(Township, "500240002").population
    audits = _audit_count()
    response = client.post("/console/townships/500240002", data={
        "csrf_token": csrf(client, "/console/townships"), "population": value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "人口已更新。" not in page
    error = re.search(r'<input id="t500240002-population"[^>]*>\s*'
                      r'<p class="error field-error" id="t500240002-population-error">'
                      r"([^<]*)</p>", page)
    assert error, "the problem is not beside the township's field"
    assert error.group(1) == f"常住人口：{message}"
    assert f'value="{value}"' in error.group(0)
    assert 'aria-invalid="true"' in error.group(0)
    assert page.count("field-error") == 1  # only the refused township's field
    assert re.search(r'id="form-error">万安街道的常住人口没有保存：' + re.escape(message)
                     + r' <a href="#t500240002-population">', page)
    db.session.expire_all()
    assert db.session.get(Township, "500240002").population == before
    assert _audit_count() == audits


def test_population_form_for_an_unknown_township_says_so(client):
    signed_in_client(client, "regulator")
    response = client.post("/console/townships/999", data={
        "csrf_token": csrf(client, "/console/townships"), "population": "5"})
    assert response.status_code == 422
    assert re.search('id="form-error">没有这个乡镇', response.get_data(as_text=True))


def test_townships_are_a_table_of_cards_with_a_labelled_field_each(client):
    signed_in_client(client, "regulator")
    page = client.get("/console/townships").get_data(as_text=True)
    assert '<table id="township-populations" class="cards townships">' in page
    assert page.count('<label for="t500240') == 33
    assert '<label for="t500240001-population">常住人口</label>' in page


def test_the_health_figures_stand_with_their_definitions_official_beside_ours(client):
    """One child of 21 months with every 4:2:2 check owed but not the newborn visits: the
    official system rate counts it, the product's stricter own figure does not."""
    born = add_months(today(), -21)
    child = guarded_by(make_user("parent", township=NANBIN),
                       Child(name="孩子", birth_date=born, gender="male", created_at=utcnow()))
    db.session.add(child)
    db.session.flush()
    db.session.add_all(HealthRecord(child_id=child.id, code=f"CHK-{m}M",
                                    done_on=add_months(born, m) + timedelta(days=1))
                       for m in (3, 6, 8, 12, 18))
    db.session.commit()
    signed_in_client(client, "regulator")
    page = _dashboard(client)
    section = page[page.index('id="health-figures"'):]
    section = section[:section.index("</section>")]
    figures = dict(re.findall(r'data-figure="(\w+)">\s*<dt>[^<]*<strong>([^<]*)</strong>',
                              section))
    assert figures["health_management_rate"] == "0.0%"
    assert figures["system_management_rate"] == "100.0%"
    assert "官方口径" in section and "4:2:2" in section and "本系统口径" in section
    assert "系统管理率" in page[page.index('id="township-table"'):]
