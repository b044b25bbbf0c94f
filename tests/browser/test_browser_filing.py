"""The regulator reviews filings in Chromium: approve with a number, reject with a reason."""

from werkzeug.security import generate_password_hash

from parentapp.models import FilingEvent, Nursery
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.factories import make_nursery, make_user


def _regulator():
    make_user("regulator", username="wjw-filing", name="审核员小王",
              password_hash=generate_password_hash("browser-pass-1"))


def test_regulator_approves_a_filing_in_the_browser(screen, client, db):
    page = screen
    _regulator()
    owner = make_user("operator", name="谭园长")
    nursery = make_nursery(owner, name="浏览器待审托育园", filing_status="pending",
                           filing_no=None, filed_on=None)
    db.session.commit()
    assert client.get(f"/api/v1/nurseries/{nursery.id}").status_code == 404
    db.session.commit()

    sign_in(page, "wjw-filing", "browser-pass-1")
    page.click("nav.menu >> text=备案审核")
    row = page.locator("#filing-queue tr[data-nursery]").first
    assert "谭园长" in row.inner_text() and "南宾街道" in row.inner_text()
    assert_fits(page)
    page.click("text=浏览器待审托育园")
    page.fill("input[name=filing_no]", "无编号")
    with page.expect_navigation():
        page.click("#approve")
    assert "备案编号：" in page.inner_text("#approve-filing_no-error")
    assert page.input_value("input[name=filing_no]") == "无编号"
    assert page.inner_text("#filing-status") == "待审核"
    assert_fits(page)

    page.fill("input[name=filing_no]", "石卫托备〔2026〕88号")
    with page.expect_navigation():
        page.click("#approve")
    assert page.inner_text(".flash") == "备案已通过。"
    assert page.inner_text("#filing-status") == "已备案"
    assert "审核员小王" in page.inner_text("#audit-trail")
    assert_fits(page)

    public = client.get(f"/api/v1/nurseries/{nursery.id}")
    assert public.status_code == 200
    assert public.get_json()["filing"]["filing_no"] == "石卫托备〔2026〕88号"


def test_regulator_rejects_a_filing_with_a_reason_after_confirming(screen, db):
    page = screen
    _regulator()
    nursery = make_nursery(name="浏览器退回托育园", filing_status="pending", filing_no=None,
                           filed_on=None)
    nursery_id = nursery.id
    db.session.commit()

    sign_in(page, "wjw-filing", "browser-pass-1")
    page.goto(f"/console/filings/{nursery_id}")
    page.fill("#reject-reason", "缺少消防验收意见书")
    page.check("#reject-confirm")
    with page.expect_navigation():
        page.click("#reject")
    assert page.inner_text(".flash") == "备案已退回。"
    assert "理由：缺少消防验收意见书" in page.inner_text("#audit-trail")
    assert_fits(page)

    db.session.expire_all()
    assert db.session.get(Nursery, nursery_id).filing_status == "rejected"
    assert db.session.scalar(db.select(FilingEvent.reason).where(
        FilingEvent.nursery_id == nursery_id)) == "缺少消防验收意见书"
