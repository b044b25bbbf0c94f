from datetime import timedelta

from parentapp.extensions import db
from parentapp.models import utcnow
from parentapp.services.reminders.inbox import notify
from tests.asserts import assert_error


def _add(user, title="标题", **kwargs):
    row = notify(user.id, "test", title=title, body="内容", now=utcnow(), **kwargs)
    db.session.commit()
    return row


def test_inbox_lists_messages_newest_first_and_marks_them_read(client, auth):
    user, headers = auth.parent()
    older = _add(user, "旧", planned_at=utcnow() - timedelta(hours=1))
    newer = _add(user, "新", link="/pages/bookings/1")
    body = client.get("/api/v1/me/notifications", headers=headers).get_json()
    assert [n["id"] for n in body["items"]] == [newer.id, older.id]
    item = body["items"][0]
    assert set(item) == {"id", "kind", "title", "body", "created_at", "read_at", "link"}
    assert item["created_at"].endswith("+08:00") and item["read_at"] is None

    url = f"/api/v1/me/notifications/{older.id}/read"
    assert client.post(url, headers=headers).status_code == 204
    assert client.post(url, headers=headers).status_code == 204
    unread = client.get("/api/v1/me/notifications?unread=true", headers=headers).get_json()
    assert [n["id"] for n in unread["items"]] == [newer.id]


def test_planned_messages_appear_only_when_their_time_comes(client, auth):
    user, headers = auth.parent()
    future = _add(user, planned_at=utcnow() + timedelta(days=1))
    assert client.get("/api/v1/me/notifications", headers=headers).get_json()["total"] == 0
    response = client.post(f"/api/v1/me/notifications/{future.id}/read", headers=headers)
    assert_error(response, 404, "not_found")


def test_another_accounts_message_is_not_found(client, auth):
    owner, _ = auth.parent()
    _, stranger = auth.operator()
    row = _add(owner)
    response = client.post(f"/api/v1/me/notifications/{row.id}/read", headers=stranger)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_inbox_works_for_staff_roles(client, auth):
    for role in ("operator", "regulator"):
        user, headers = getattr(auth, role)()
        _add(user)
        assert client.get("/api/v1/me/notifications", headers=headers).get_json()["total"] == 1


def test_a_message_without_wechat_data_is_inbox_only(auth):
    user, _ = auth.parent()
    assert _add(user).delivery_state == "inbox_only"
    assert _add(user, template_kind="booking", wechat_data={"thing1": "x"}).delivery_state == \
        "pending"


def test_every_family_message_links_to_a_mini_program_page():
    """WeChat takes the link as the message's page; one form for every kind."""
    import pathlib
    import re

    services = pathlib.Path(__file__).resolve().parents[2] / "parentapp" / "services"
    links = re.findall(r'link=f?"([^"]+)"', "".join(
        p.read_text(encoding="utf-8") for p in services.rglob("*.py")))
    family_links = [link for link in links if not link.startswith("/console")
                    and "operator" not in link]
    assert family_links and all(link.startswith("/pages/") for link in family_links)
