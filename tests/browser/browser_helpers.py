"""Steps shared by the browser tests."""


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the console's login form and land on the console home."""
    page.goto("/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
