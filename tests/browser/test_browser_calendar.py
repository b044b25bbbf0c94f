from werkzeug.security import generate_password_hash

from tests.booking_factories import in_days, make_slot, setup_nursery
from tests.browser.browser_helpers import sign_in
from tests.factories import make_user


def test_operator_changes_a_slots_capacity_and_the_api_shows_it(page, client, db):
    operator = make_user("operator", username="op-calendar",
                         password_hash=generate_password_hash("browser-pass-1"))
    nursery, _ = setup_nursery(operator=operator)
    day = in_days(4)
    slot_id, nursery_id = make_slot(nursery, day=day, capacity=5).id, nursery.id
    db.session.commit()  # hold no SQLite lock while the live server works

    sign_in(page, "op-calendar", "browser-pass-1")
    page.click("text=我的机构")
    page.click("text=托位日历")
    page.wait_for_selector("#calendar")
    if page.locator(f"[data-slot='{slot_id}']").count() == 0:  # the slot is next month
        page.click("text=下月 →")
        page.wait_for_url("**month=*")
    cell = page.locator(f"[data-slot='{slot_id}']")
    assert cell.locator(".count").inner_text() == "0/5"

    cell.locator("input[name=capacity]").fill("-2")
    with page.expect_navigation():
        cell.locator("button.save").click()
    assert "应在 0 到 1000 之间。" in page.inner_text(".flash")

    cell = page.locator(f"[data-slot='{slot_id}']")
    cell.locator("input[name=capacity]").fill("8")
    with page.expect_navigation():
        cell.locator("button.save").click()
    assert page.inner_text(".flash") == "时段已更新。"
    assert page.locator(f"[data-slot='{slot_id}'] .count").inner_text() == "0/8"

    listed = client.get(f"/api/v1/nurseries/{nursery_id}/slots?from={day}&to={day}"
                        "&care_type=full_day").get_json()["items"]
    assert [(s["id"], s["capacity"], s["remaining"]) for s in listed] == [(slot_id, 8, 8)]
