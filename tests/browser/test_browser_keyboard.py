"""The console works from the keyboard alone: sign in, skip to the content, open a page
from the menu, with a visible focus ring on every stop."""

from werkzeug.security import generate_password_hash

from tests.factories import make_user


def _focused(page) -> dict:
    return page.evaluate("""() => { const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), name: el.name || '', text: el.innerText || '',
                outline: getComputedStyle(el).outlineStyle}; }""")


def test_staff_sign_in_and_move_around_by_keyboard(screen, db):
    make_user("regulator", username="wjw-keys", name="县卫健委",
              password_hash=generate_password_hash("browser-pass-1"))
    db.session.commit()
    page = screen
    page.goto("/console/login")

    stops = []
    for _ in range(6):
        page.keyboard.press("Tab")
        stops.append(_focused(page))
        if stops[-1]["name"] == "username":
            break
    assert stops[0]["text"] == "跳到正文"  # the first stop skips the header
    assert stops[-1]["name"] == "username" and stops[-1]["outline"] != "none"
    page.keyboard.type("wjw-keys")
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "password"
    page.keyboard.type("browser-pass-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/console/")

    # Through the header to the menu's "修改密码", opened with Enter.
    for _ in range(15):
        page.keyboard.press("Tab")
        if _focused(page)["text"] == "修改密码":
            break
    assert _focused(page)["outline"] != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/console/password")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link moves focus past the header
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "old_password"
