"""Sign a staff member into the console through the real login form; read its pages."""

import json
import re
from html.parser import HTMLParser

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


class _TableReader(HTMLParser):
    """The text of each body row's cells (th and td) of the table with ``id``."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """Every row of the table (header row first) as its cells' text."""
    reader = _TableReader(table_id)
    reader.feed(page)
    return reader.rows


def json_script(page: str, script_id: str):
    """The data of ``<script type="application/json" id=...>``."""
    found = re.search(rf'<script type="application/json" id="{script_id}">(.*?)</script>',
                      page, re.S)
    assert found, f"no JSON script #{script_id} on the page"
    return json.loads(found.group(1))
