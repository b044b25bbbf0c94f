"""The audit page and the filing trail in Chromium, on a phone and on a desktop."""

from __future__ import annotations

from datetime import UTC, datetime

from werkzeug.security import generate_password_hash

from parentapp.services.common import audit
from parentapp.services.nurseries import filings, operator_nurseries
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.factories import make_nursery, make_user

AT = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 2026-03-11 07:30 in Shizhu
LONG = "南宾街道万寿大道一百二十八号附二号" * 4  # a long value must not widen the page


def _people(db):
    regulator = make_user("regulator", username="wjw-audit", name="王科长",
                          password_hash=generate_password_hash("browser-pass-1"))
    operator = make_user("operator", name="李园长")
    return regulator, operator


def test_the_audit_page_filters_by_nursery_and_fits_the_screen(screen, db):
    page = screen
    regulator, operator = _people(db)
    mine, other = make_nursery(operator, name="南宾甲托育园"), make_nursery(name="乙托育园")
    audit.record(operator.id, "nursery.update", mine, now=AT,
                 before={"address": "旧址"}, after={"address": LONG})
    audit.record(regulator.id, "filing.revoke", other, now=AT,
                 before={"filing_status": "approved"}, after={"filing_status": "revoked"})
    other_id = other.id
    db.session.commit()  # SQLite: the live server must not wait for the test's lock

    sign_in(page, "wjw-audit", "browser-pass-1")
    page.click("text=操作记录")
    page.wait_for_selector("#audit-log")
    assert page.locator("#audit-log .entry").count() == 2
    assert "李园长" in page.inner_text("[data-action='nursery.update']")
    assert_fits(page)

    page.select_option("select[name=nursery_id]", str(other_id))
    with page.expect_navigation():
        page.click("#audit-filters button[type=submit]")
    entries = page.locator("#audit-log .entry")
    assert entries.count() == 1
    text = entries.first.inner_text()
    assert "王科长" in text and "撤销备案" in text and "乙托育园" in text
    assert "2026-03-11 07:30" in text
    assert_fits(page)


def test_the_filing_trail_shows_names_and_fits_the_screen(screen, db):
    page = screen
    regulator, operator = _people(db)
    nursery = make_nursery(operator, name="浏览器退回托育园", filing_status="draft",
                           filing_no=None, filed_on=None)
    filings.record_event(nursery, None, actor_id=operator.id, now=AT)
    db.session.commit()
    operator_nurseries.submit_filing(operator.id, nursery.id, AT)
    filings.reject_filing(nursery.id, "材料不全：" + LONG, regulator.id, AT)
    nursery_id = nursery.id
    db.session.commit()  # SQLite: the live server must not wait for the test's lock

    sign_in(page, "wjw-audit", "browser-pass-1")
    page.goto(f"/console/filings/{nursery_id}")
    actors = page.eval_on_selector_all("#audit-trail .actor", "els => els.map(e => e.innerText)")
    assert actors == ["李园长 机构举办者", "李园长 机构举办者", "王科长 卫生健康委"]
    assert_fits(page)
