"""Steps shared by the browser tests."""


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the console's login form and land on the console home."""
    page.goto("/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")


WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def assert_fits(page) -> None:
    """Nothing on the page scrolls sideways: wide content scrolls inside its own box."""
    width = page.viewport_size["width"]
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url} is {overflow} px wide on a {width} px screen"
