"""Each role's console menu: the pages it may open, in the order people know."""

import re

import pytest

from tests.console.console_helpers import signed_in_client
from tests.factories import make_nursery

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


NURSERY_TABS = ["机构资料", "服务项目", "生成时段", "托位日历", "每日名单", "员工", "今日配比",
                "入托申请"]


def test_a_nursery_page_shows_its_tabs_in_order(client):
    nursery = make_nursery(signed_in_client(client))
    page = client.get(f"/console/nurseries/{nursery.id}/rounds").get_data(as_text=True)
    tabs = re.search(r'<nav class="tabs"[^>]*>(.*?)</nav>', page, re.S).group(1)
    assert [label for _, label in _links(tabs)] == NURSERY_TABS
    for path, _ in _links(tabs):
        assert client.get(path).status_code == 200
