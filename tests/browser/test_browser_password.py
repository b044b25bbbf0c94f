import pytest
from werkzeug.security import generate_password_hash

from tests.browser.browser_helpers import sign_in
from tests.factories import make_user

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.mark.parametrize("viewport", WIDTHS.values(), ids=WIDTHS.keys())
def test_staff_change_their_password_in_the_browser_and_sign_in_with_it(page, db, viewport):
    page.set_viewport_size(viewport)
    make_user("regulator", username="wjw-password", name="县卫健委",
              password_hash=generate_password_hash("browser-pass-1"))
    db.session.commit()

    sign_in(page, "wjw-password", "browser-pass-1")
    link = page.locator("header.top >> text=修改密码").bounding_box()
    # One line, a 44 px target inside the screen, not squeezed into a column of characters.
    assert link["x"] + link["width"] <= viewport["width"] and 44 <= link["height"] < 60
    page.click("header.top >> text=修改密码")
    page.wait_for_url("**/console/password")
    # Nothing on the form sticks out of a phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.fill("input[name=old_password]", "wrong-password")
    page.fill("input[name=new_password]", "browser-pass-2")
    page.fill("input[name=confirm_password]", "browser-pass-2")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.inner_text("#old_password-error") == "原密码不正确。"

    page.fill("input[name=old_password]", "browser-pass-1")
    page.fill("input[name=new_password]", "browser-pass-2")
    page.fill("input[name=confirm_password]", "browser-pass-2")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_url("**/console/")
    assert page.inner_text(".flash") == "密码已修改，其他设备上的登录已退出。"

    with page.expect_navigation():
        page.click("text=退出")
    page.wait_for_url("**/console/login")
    page.fill("input[name=username]", "wjw-password")
    page.fill("input[name=password]", "browser-pass-1")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "用户名或密码错误。"
    sign_in(page, "wjw-password", "browser-pass-2")
    assert "您好，县卫健委" in page.inner_text("h1")
