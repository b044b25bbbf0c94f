"""Staff and the ratio in Chromium, on a phone and a desktop: add a carer, check them in,
see the ratio tab count them, check out and leave; nothing scrolls sideways."""

from __future__ import annotations

from werkzeug.security import generate_password_hash

from parentapp.extensions import db
from parentapp.models import utcnow
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.factories import make_nursery, make_user
from tests.staff_factories import child_present


def test_operator_hires_checks_in_and_sees_the_ratio(screen):
    operator = make_user("operator", username="op-staff",
                         password_hash=generate_password_hash("browser-pass-1"))
    nursery = make_nursery(operator, name="南宾街道阳光宝贝托育园（石柱县城北分园）")
    for months in (6, 8, 20):
        child_present(nursery, months, utcnow())
    nursery_id = nursery.id
    db.session.commit()  # hold no SQLite lock while the live server works

    page = screen
    sign_in(page, "op-staff", "browser-pass-1")
    page.goto(f"/console/nurseries/{nursery_id}/staff")
    assert_fits(page)
    page.fill("#staff-name", "王老师")
    page.fill("#staff-phone", "138123")
    page.select_option("#staff-role", "carer")
    page.click("#hire-submit")
    assert page.locator("#staff-phone-error").is_visible()
    assert_fits(page)
    page.fill("#staff-phone", "13812345678")
    page.fill("#cert-kind-1", "保育员证")
    page.fill("#cert-number-1", "BY2024001")
    with page.expect_navigation():
        page.click("#hire-submit")
    assert page.inner_text(".flash") == "已添加员工 王老师。"
    row = page.locator("#staff tbody tr").first
    assert row.locator(".phone").inner_text().endswith("13812345678")
    with page.expect_navigation():
        row.locator("button.check-in").click()
    assert page.inner_text(".flash") == "王老师已签到。"
    assert_fits(page)

    page.get_by_role("link", name="今日配比").click()
    page.wait_for_selector("#ratio-bands")
    assert page.inner_text("tr[data-band='infant'] .children") == "2"
    assert page.inner_text("#carers-on-duty") == "1"
    assert page.inner_text("#carers-required") == "2"
    assert "不符合" in page.inner_text("#ratio-verdict")
    assert_fits(page)

    page.get_by_role("link", name="员工").click()
    row = page.locator("#staff tbody tr").first
    with page.expect_navigation():
        row.locator("button.check-out").click()
    with page.expect_navigation():
        page.locator("#staff tbody tr").first.locator("button.leave").click()
    assert "已离职" in page.locator("#staff tbody tr").first.locator(".status").inner_text()
    assert_fits(page)
