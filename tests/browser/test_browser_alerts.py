"""The alerts page in Chromium, on a phone and on a desktop: a regulator closes an alert
with a note (a missing note is refused beside the field) and nothing scrolls sideways."""

from __future__ import annotations

from datetime import UTC, datetime

from werkzeug.security import generate_password_hash

from parentapp.models import Alert
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.browser.test_browser_every_page import CHECKS
from tests.factories import make_nursery, make_user

AT = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 2026-03-11 07:30 in Shizhu
LONG = "南宾街道万寿大道一百二十八号附二号托育园" * 3  # a long name must not widen the page


def test_a_regulator_closes_an_alert_and_the_page_fits(screen, db):
    page = screen
    make_user("regulator", username="wjw-alerts", name="王科长",
              password_hash=generate_password_hash("browser-pass-1"))
    nursery = make_nursery(name=LONG)
    alert = Alert(kind="certificate_expiring", nursery_id=nursery.id, cause_key="c:browser",
                  opened_at=AT, details={"staff_id": 1, "staff_name": "张老师",
                                         "certificate": "保育员证", "number": "BY-2026-0001",
                                         "expires_on": "2026-03-30"})
    db.session.add(alert)
    db.session.commit()  # SQLite: the live server must not wait for the test's lock
    alert_id = alert.id

    sign_in(page, "wjw-alerts", "browser-pass-1")
    page.click("a:text-is('预警')")
    page.wait_for_selector("#alerts")
    row = page.locator(f"tr[data-alert='{alert_id}']")
    text = row.inner_text()
    assert "证件即将到期" in text and "2026-03-11 07:30" in text and "张老师" in text
    assert_fits(page)
    assert page.evaluate(CHECKS) == []  # labels, 44 px targets, contrast

    page.fill(f"#alert-{alert_id}-note", "   ")  # blank: the browser's "required" lets it by
    with page.expect_navigation():
        row.locator("button.close").click()
    assert page.locator(f"#alert-{alert_id}-note-error").is_visible()  # required, beside it
    assert_fits(page)

    page.fill(f"#alert-{alert_id}-note", "已通知机构按期换证")
    with page.expect_navigation():
        page.locator(f"tr[data-alert='{alert_id}'] button.close").click()
    assert "预警已关闭。" in page.inner_text("body")
    text = page.locator(f"tr[data-alert='{alert_id}']").inner_text()
    assert "已关闭" in text and "王科长" in text and "已通知机构按期换证" in text
    assert_fits(page)
