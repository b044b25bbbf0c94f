"""Slot generation and the calendar's batch close in Chromium, on a phone and a desktop:
generate a week through the form, find it on the calendar, tick one day and close it;
the families' API then shows that day closed and the others open."""

from __future__ import annotations

from datetime import timedelta

from werkzeug.security import generate_password_hash

from parentapp.extensions import db
from tests.booking_factories import in_days, setup_nursery
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.factories import make_user


def _monday_ahead():
    """The first Monday at least eight days ahead."""
    day = in_days(8)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _listed(client, nursery_id, day_from, day_to) -> dict[str, list[str]]:
    """The API's slots by day; the test client shares the test's session, so a fresh
    snapshot first (and no read left open while the live server writes)."""
    db.session.rollback()
    items = client.get(f"/api/v1/nurseries/{nursery_id}/slots", query_string={
        "from": day_from.isoformat(), "to": day_to.isoformat(), "care_type": "half_day",
    }).get_json()["items"]
    db.session.rollback()
    by_day: dict[str, list[str]] = {}
    for item in items:
        by_day.setdefault(item["date"], []).append(f'{item["start"]} {item["status"]} '
                                                   f'{item["capacity"]}')
    return by_day


def test_operator_generates_a_week_and_batch_closes_one_day(screen, client):
    operator = make_user("operator", username="op-slots",
                         password_hash=generate_password_hash("browser-pass-1"))
    nursery, _ = setup_nursery("half_day", operator=operator)
    nursery.name = "南宾街道阳光宝贝托育园（石柱县城北分园）"  # a long name must not widen it
    nursery_id = nursery.id
    db.session.commit()  # hold no SQLite lock while the live server works
    monday = _monday_ahead()
    sunday = monday + timedelta(days=6)

    page = screen
    sign_in(page, "op-slots", "browser-pass-1")
    page.goto(f"/console/nurseries/{nursery_id}/slots/new")
    assert_fits(page)
    page.select_option("#f-care_type", "half_day")
    page.fill("#f-capacity", "6")
    page.fill("#f-from", monday.isoformat())
    page.fill("#f-to", sunday.isoformat())
    page.uncheck("#f-weekdays-5")  # Monday to Thursday
    page.check("#f-parts-am")
    page.uncheck("#f-parts-pm")
    with page.expect_navigation():
        page.click("#generate button[type=submit]")
    assert page.inner_text(".flash") == "已生成 4 个时段，0 个已存在未变。"
    assert_fits(page)
    expected = {(monday + timedelta(days=n)).isoformat(): ["08:00 open 6"] for n in range(4)}
    assert _listed(client, nursery_id, monday, sunday) == expected

    with page.expect_navigation():
        page.click("#see-calendar")
    tuesday = (monday + timedelta(days=1)).isoformat()
    if page.locator(f"li.day[data-date='{tuesday}'] [data-slot]").count() == 0:
        page.click("text=下月 →")  # the week began last month
        page.wait_for_selector(f"li.day[data-date='{tuesday}'] [data-slot]")
    day = page.locator(f"li.day[data-date='{tuesday}']")
    assert day.locator(".slot .count").all_inner_texts() == ["0/6"]
    assert_fits(page)

    page.check(f"#day-{tuesday}")
    assert day.locator("input[name=slot_ids]").is_checked()  # the day ticks its slots
    page.check("#batch-action-close")
    page.fill("#batch-reason", "园内消毒")
    with page.expect_navigation():
        page.click("#apply-batch")
    assert page.inner_text(".flash") == "已修改 1 个时段。"
    day = page.locator(f"li.day[data-date='{tuesday}']")
    assert day.locator(".badge.closed").inner_text() == "已关闭"
    assert day.locator(".reason").inner_text() == "园内消毒"
    assert_fits(page)
    expected[tuesday] = ["08:00 closed 6"]
    assert _listed(client, nursery_id, monday, sunday) == expected
