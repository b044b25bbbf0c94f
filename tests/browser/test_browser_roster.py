"""The day roster in Chromium, on a phone and a desktop: the family's note, check-in on
today's roster (the API then shows it), and no check-in offered on the next day."""

from __future__ import annotations

from datetime import time

from werkzeug.security import generate_password_hash

from parentapp.extensions import db
from parentapp.service_settings import limit, offer_minutes
from parentapp.services.booking import bookings as booking_service
from parentapp.timeutil import local_instant
from tests.booking_factories import in_days, make_slot, setup_nursery, today
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.factories import bearer, make_child, make_user

NOTE = "孩子对牛奶过敏，午睡前要抱一会儿；下午由奶奶接。"


def test_operator_checks_a_child_in_today_and_the_api_shows_it(screen, client):
    operator = make_user("operator", username="op-roster",
                         password_hash=generate_password_hash("browser-pass-1"))
    nursery, _ = setup_nursery(operator=operator, min_notice_hours=0)
    nursery.name = "南宾街道阳光宝贝托育园（石柱县城北分园）"  # a long name must not widen it
    ids = {"nursery": nursery.id}
    for day in (today(), in_days(1)):
        slot = make_slot(nursery, day=day)
        parent = make_user("parent")
        child = make_child(parent, name="小禾")
        booking = booking_service.book_slots(
            parent.id, child.id, [slot.id], note=NOTE, now=local_instant(day, time(6)),
            offer_minutes=offer_minutes(),
            future_slots_per_child=limit("future_slots_per_child"))
        ids[day] = booking.id
    headers = bearer(operator)
    db.session.commit()  # hold no SQLite lock while the live server works

    page = screen
    sign_in(page, "op-roster", "browser-pass-1")
    page.click("text=我的机构")
    page.locator(f"tr[data-nursery='{nursery.id}']").get_by_role("link", name="每日名单").click()
    page.wait_for_selector("#roster")
    row = page.locator(f"tr[data-booking='{ids[today()]}']")
    assert row.locator(".note").inner_text().endswith(NOTE)
    assert row.locator(".note").is_visible()
    assert_fits(page)

    with page.expect_navigation():
        row.locator("button.check_in").click()
    assert page.inner_text(".flash") == "已签到。"
    row = page.locator(f"tr[data-booking='{ids[today()]}']")
    assert row.locator(".status").inner_text().endswith("已签到")
    assert row.locator("button.check_out").is_visible()
    assert_fits(page)
    db.session.rollback()  # a fresh snapshot: the test client shares the test's session
    listed = client.get(f"/api/v1/operator/nurseries/{ids['nursery']}/roster",
                        query_string={"date": today().isoformat()}, headers=headers)
    assert [(i["booking_id"], i["status"]) for i in listed.get_json()["items"]] == [
        (ids[today()], "checked_in")]
    db.session.rollback()

    with page.expect_navigation():
        page.click("#next-day")
    assert page.locator("#not-today").is_visible()
    tomorrow = page.locator(f"tr[data-booking='{ids[in_days(1)]}']")
    assert tomorrow.locator(".status").inner_text().endswith("已确认")
    assert tomorrow.locator("button").count() == 0
    assert_fits(page)
