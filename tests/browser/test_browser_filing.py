from werkzeug.security import generate_password_hash

from tests.browser.browser_helpers import sign_in
from tests.factories import make_nursery, make_user


def test_regulator_approves_a_filing_in_the_browser(page, client, db):
    make_user("regulator", username="wjw-filing",
              password_hash=generate_password_hash("browser-pass-1"))
    nursery = make_nursery(name="浏览器待审托育园", filing_status="pending", filing_no=None,
                           filed_on=None)
    db.session.commit()
    assert client.get(f"/api/v1/nurseries/{nursery.id}").status_code == 404
    db.session.commit()

    sign_in(page, "wjw-filing", "browser-pass-1")
    page.click("text=备案审核")
    page.click("text=浏览器待审托育园")
    with page.expect_navigation():
        page.click("#approve")
    assert "备案编号：" in page.inner_text(".flash.error")
    assert page.inner_text("#filing-status") == "待审核"

    page.fill("input[name=filing_no]", "石卫托备〔2026〕88号")
    with page.expect_navigation():
        page.click("#approve")
    assert page.inner_text(".flash") == "备案已通过。"
    assert page.inner_text("#filing-status") == "已备案"
    assert "石卫托备〔2026〕88号" in page.inner_text("#audit-trail")

    public = client.get(f"/api/v1/nurseries/{nursery.id}")
    assert public.status_code == 200
    assert public.get_json()["filing"]["filing_no"] == "石卫托备〔2026〕88号"
