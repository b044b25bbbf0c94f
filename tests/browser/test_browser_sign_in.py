from werkzeug.security import generate_password_hash

from tests.factories import make_user


def test_operator_signs_in_and_out_in_a_real_browser(page, db):
    make_user("operator", username="op-browser", name="浏览器测试机构",
              password_hash=generate_password_hash("browser-pass-1"))
    db.session.commit()
    page.goto("/console/")
    assert "/console/login" in page.url
    page.fill("input[name=username]", "op-browser")
    page.fill("input[name=password]", "wrong-password")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "用户名或密码错误。"

    page.fill("input[name=password]", "browser-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    assert "您好，浏览器测试机构" in page.inner_text("h1")

    with page.expect_navigation():
        page.click("text=退出")
    page.wait_for_url("**/console/login")
    assert page.locator(".flash").inner_text() == "已退出登录。"
