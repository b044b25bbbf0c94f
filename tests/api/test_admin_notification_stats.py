from datetime import timedelta

from parentapp.models import utcnow
from tests.factories import make_user
from tests.notify_factories import make_notification

URL = "/api/v1/admin/notifications/stats"


def test_regulators_see_counts_by_state_and_kind_and_the_failures(client, auth):
    _, headers = auth.regulator()
    family = make_user("parent")
    now = utcnow()
    make_notification(family, now=now, delivery_state="sent")
    make_notification(family, now=now, delivery_state="sent", kind="booking_reminder",
                      template_kind="booking")
    failed = make_notification(family, now=now, delivery_state="failed", last_error="40003")
    dead = make_notification(family, now=now, delivery_state="dead", last_error="-1",
                             attempts=5)
    make_notification(family, now=now, delivery_state="failed", last_error="timeout",
                      created_at=now - timedelta(days=10))
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["days"] == 7
    assert body["by_state"]["sent"] == 2 and body["by_state"]["failed"] == 1
    assert {"kind": "vaccine", "state": "sent", "count": 1} in body["counts"]
    assert {"kind": "booking_reminder", "state": "sent", "count": 1} in body["counts"]
    assert sorted((e["error"], e["count"]) for e in body["errors"]) == [("-1", 1), ("40003", 1)]
    page = body["failures"]
    assert page["total"] == 2 and [r["id"] for r in page["items"]] == [dead.id, failed.id]
    assert set(page["items"][0]) == {"id", "kind", "template_kind", "delivery_state",
                                     "last_error", "attempts", "planned_at", "created_at"}
    wider = client.get(URL + "?days=30&per_page=1", headers=headers).get_json()
    assert wider["failures"]["total"] == 3 and len(wider["failures"]["items"]) == 1


def test_days_are_limited_to_90(client, auth):
    _, headers = auth.regulator()
    for days in ("0", "91", "x"):
        response = client.get(f"{URL}?days={days}", headers=headers)
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "validation_error"


def test_only_regulators_may_look(client, auth):
    for role in ("parent", "operator"):
        _, headers = getattr(auth, role)()
        response = client.get(URL, headers=headers)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
