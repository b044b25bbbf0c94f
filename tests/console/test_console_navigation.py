"""Each role's console menu: the pages it may open, in the order people know."""

import re

import pytest

from tests.console.console_helpers import signed_in_client

EVERY_ROLE = [("/console/password", "修改密码")]
MENUS = {
    "operator": [("/console/nurseries", "我的机构"), ("/console/classes", "育儿课程"),
                 ("/console/alerts", "预警"), *EVERY_ROLE],
    "regulator": [("/console/filings", "备案审核"), ("/console/alerts", "预警"),
                  ("/console/dashboard", "指标看板"),
                  ("/console/townships", "乡镇人口"), ("/console/classes", "育儿课程"),
                  ("/console/audit", "操作记录"),
                  *EVERY_ROLE],
}


def _links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)


@pytest.mark.parametrize("role", list(MENUS))
def test_every_page_shows_the_roles_menu_in_order(client, role):
    signed_in_client(client, role)
    page = client.get("/console/").get_data(as_text=True)
    menu = re.search(r'<nav class="menu"[^>]*>(.*?)</nav>', page, re.S).group(1)
    content = page.split("</header>", 1)[1]
    assert _links(menu) == MENUS[role]
    assert _links(content) == MENUS[role]  # the landing page lists the same pages
    for path, _ in MENUS[role]:
        assert client.get(path).status_code == 200
