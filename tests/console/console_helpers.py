"""Sign a staff member into the console through the real login form."""

import re

from werkzeug.security import generate_password_hash

from tests.factories import make_user

PASSWORD = "console-pass-1"


def csrf(client, path="/console/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def staff(role="operator", **overrides):
    return make_user(role, password_hash=generate_password_hash(PASSWORD), **overrides)


def signed_in_client(client, role="operator", **overrides):
    user = staff(role, **overrides)
    response = client.post("/console/login", data={
        "csrf_token": csrf(client), "username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return user
