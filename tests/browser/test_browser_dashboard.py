"""The regulator's dashboard in a browser at both widths: ECharts draws each chart from the
statistics figures, the text tables beside the charts hold the same numbers, the CSV
downloads, and township populations are edited with problems shown beside the field."""

from datetime import time, timedelta
from pathlib import Path

from werkzeug.security import generate_password_hash

from parentapp import jobs
from parentapp.models import Township, utcnow
from parentapp.timeutil import local_instant, local_today
from tests.booking_factories import make_slot, today
from tests.browser.browser_helpers import WIDTHS, assert_fits, sign_in
from tests.browser.test_browser_every_page import CHECKS
from tests.factories import bearer, make_nursery, make_user
from tests.staff_factories import make_staff

PASSWORD = "browser-pass-1"
# 02:00 in Shizhu yesterday (the alerts' clock is passed in; only their dates matter).
ALERT_DAY = local_today(utcnow()) - timedelta(days=1)
ALERT_NOW = local_instant(ALERT_DAY, time(2, 0))
EXPIRING_ON = ALERT_DAY + timedelta(days=17)  # within the 30 days
EXPIRED_ON = ALERT_DAY - timedelta(days=32)
LONG_NAME = "南宾街道万寿大道一百二十八号附二号托育园" * 3  # must not widen the page

CHART = """(id) => {
  const el = document.getElementById(id);
  const chart = window.echarts && window.echarts.getInstanceByDom(el);
  const canvas = el.querySelector("canvas");
  const box = canvas ? canvas.getBoundingClientRect() : null;
  return {
    drawn: Boolean(chart),
    values: chart ? chart.getOption().series.map(s => s.data.map(d =>
      d !== null && typeof d === "object" ? d.value : d)) : null,
    box: box && {left: box.left, right: box.right, width: box.width, height: box.height},
  };
}"""


def _regulator_with_figures(db):
    regulator = make_user("regulator", username="wjw-browser",
                          password_hash=generate_password_hash(PASSWORD))
    nursery = make_nursery(licensed_places=300, inclusive=True)
    make_nursery(licensed_places=50, township="500240100")
    make_nursery(kind="family", licensed_places=5, township="500240100")
    make_slot(nursery, day=today(), capacity=4, booked=3)
    db.session.execute(db.update(Township).where(Township.code == "500240001")
                       .values(population=100000))
    db.session.commit()
    return regulator


def _api(client, db, regulator, path="/api/v1/admin/stats"):
    db.session.rollback()  # a fresh snapshot: the server may have written since
    response = client.get(path, headers=bearer(regulator))
    db.session.commit()
    return response


def _assert_drawn_within(page, chart_id):
    chart = page.evaluate(CHART, chart_id)
    assert chart["drawn"], f"no ECharts instance on #{chart_id}"
    box, width = chart["box"], page.viewport_size["width"]
    assert box and box["width"] > 0 and box["height"] > 0, f"#{chart_id} canvas is empty"
    assert box["left"] >= 0 and box["right"] <= width, f"#{chart_id} canvas leaves the screen"
    return chart


def test_dashboard_charts_are_drawn_from_the_apis_figures_beside_their_tables(
        screen, client, db):
    regulator = _regulator_with_figures(db)
    api = _api(client, db, regulator).get_json()

    sign_in(screen, "wjw-browser", PASSWORD)
    screen.click("nav.menu >> text=指标看板")
    screen.wait_for_selector("#places-chart canvas")
    places = _assert_drawn_within(screen, "places-chart")
    assert places["values"] == [[row["places_per_1000"] for row in api["townships"]]]
    occupancy = _assert_drawn_within(screen, "occupancy-chart")
    assert occupancy["values"] == [[0.75]]

    rows = screen.eval_on_selector_all("#places-table tbody tr", """rows => rows.map(r =>
        [r.dataset.code, r.cells[1].innerText.trim()])""")
    assert rows == [[row["code"], "—" if row["places_per_1000"] is None
                     else str(row["places_per_1000"])] for row in api["townships"]]
    assert screen.inner_text("#places-table caption").startswith("各乡镇（街道）每千人托位数")
    assert screen.inner_text("#occupancy-table tbody td") == "75.0%"
    assert screen.get_attribute("[data-figure=kindergarten_classes]", "data-met") == "false"
    assert screen.inner_text("[data-figure=places_per_1000] .value") == str(
        api["county"]["places_per_1000"])
    assert screen.is_visible("[data-figure=family_care_points]")
    assert screen.inner_text("[data-figure=family_care_points] .value") == "1"
    assert screen.inner_text("[data-figure=family_care_places]") == "5"
    assert_fits(screen)


def test_dashboard_charts_follow_the_window_width(page, client, db):
    _regulator_with_figures(db)
    page.set_viewport_size(WIDTHS["desktop"])
    sign_in(page, "wjw-browser", PASSWORD)
    page.goto("/console/dashboard")
    page.wait_for_selector("#places-chart canvas")
    wide = _assert_drawn_within(page, "places-chart")["box"]["width"]
    page.set_viewport_size(WIDTHS["phone"])
    page.wait_for_function("""() => document.querySelector('#places-chart canvas')
        .getBoundingClientRect().width < 390""")
    narrow = _assert_drawn_within(page, "places-chart")["box"]["width"]
    assert narrow < wide
    assert_fits(page)


def test_the_csv_downloads_as_the_apis_file(screen, client, db, tmp_path):
    regulator = _regulator_with_figures(db)
    api = _api(client, db, regulator, f"/api/v1/admin/stats.csv?year={today().year}")

    sign_in(screen, "wjw-browser", PASSWORD)
    screen.goto("/console/dashboard")
    screen.select_option("#csv-year", str(today().year))
    with screen.expect_download() as info:
        screen.click("#download-csv")
    download = info.value
    assert download.suggested_filename == f"shizhu-childcare-{today().year}.csv"
    saved = tmp_path / "stats.csv"
    download.save_as(saved)
    assert Path(saved).read_bytes() == api.get_data()
    assert_fits(screen)


def test_township_population_is_edited_and_a_bad_value_is_refused_beside_it(
        screen, client, db):
    regulator = _regulator_with_figures(db)
    before = db.session.get(Township, "500240002").population

    sign_in(screen, "wjw-browser", PASSWORD)
    screen.click("nav.menu >> text=乡镇人口")
    screen.fill("#t500240002-population", "0")
    screen.click("tr[data-code='500240002'] button[type=submit]")
    error = screen.wait_for_selector("#t500240002-population-error")
    assert error.inner_text() == "常住人口：应在 1 到 5000000 之间。"
    assert screen.input_value("#t500240002-population") == "0"
    assert screen.get_attribute("#t500240002-population", "aria-invalid") == "true"
    field = screen.locator("#t500240002-population").bounding_box()
    below = error.bounding_box()
    assert abs(below["x"] - field["x"]) < 2 and below["y"] >= field["y"] + field["height"] - 1
    assert_fits(screen)
    db.session.rollback()
    assert db.session.get(Township, "500240002").population == before
    db.session.rollback()  # never hold a snapshot while the server writes

    screen.fill("#t500240002-population", "45678")
    screen.click("tr[data-code='500240002'] button[type=submit]")
    screen.wait_for_selector("text=人口已更新。")
    assert screen.input_value("#t500240002-population") == "45678"
    assert screen.locator("#t500240002-population-error").count() == 0
    assert_fits(screen)
    api = _api(client, db, regulator).get_json()
    wanan = next(row for row in api["townships"] if row["code"] == "500240002")
    assert (wanan["population"], wanan["population_estimated"]) == (45678, False)


def test_without_javascript_the_tables_carry_every_number(browser, live_server, client, db):
    regulator = _regulator_with_figures(db)
    api = _api(client, db, regulator).get_json()
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  java_script_enabled=False, viewport=WIDTHS["phone"])
    try:
        page = context.new_page()
        sign_in(page, "wjw-browser", PASSWORD)
        page.goto("/console/dashboard")
        assert page.locator("#places-chart canvas").count() == 0
        cells = page.eval_on_selector_all("#places-table tbody td.num",
                                          "cells => cells.map(c => c.innerText.trim())")
        assert cells == ["—" if row["places_per_1000"] is None else str(row["places_per_1000"])
                         for row in api["townships"]]
        assert page.inner_text("#occupancy-table tbody td") == "75.0%"
        assert_fits(page)
    finally:
        context.close()
        db.session.rollback()


def test_open_alerts_stand_first_on_the_dashboard_and_lead_to_the_alerts_page(screen, db):
    _regulator_with_figures(db)
    nursery = make_nursery(name=LONG_NAME)
    make_staff(nursery, name="谭老师", health_certificate_expires_on=EXPIRING_ON)
    assert jobs.run_job("staff-certificates", ALERT_NOW).endswith("1 alerts opened")
    db.session.commit()  # SQLite: the live server must not wait for the test's lock

    sign_in(screen, "wjw-browser", PASSWORD)
    screen.goto("/console/dashboard")
    block = screen.locator("#open-alerts")
    assert block.is_visible()
    assert screen.inner_text("#open-alert-counts [data-kind=certificate_expiring] .count") == "1"
    assert screen.inner_text("#open-alert-counts [data-kind=illness_cluster] .count") == "0"
    row = screen.locator("#latest-alerts tbody tr").first
    text = row.inner_text()
    assert "证件即将到期" in text and f"{ALERT_DAY.isoformat()} 02:00" in text and "谭老师" in text
    box, width = block.bounding_box(), screen.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert_fits(screen)
    assert screen.evaluate(CHECKS) == []  # labels, 44 px targets, contrast

    with screen.expect_navigation():
        screen.click("#all-open-alerts")
    assert screen.url.endswith("/console/alerts?status=open")
    assert screen.locator("#alerts tr[data-status=open]").count() == 1
    assert_fits(screen)
