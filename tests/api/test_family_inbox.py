"""Each of a child's people reads a notice about it in their own inbox: their own row, read
on its own; a viewer with reminders off has none."""

from datetime import timedelta

from parentapp.models import utcnow
from parentapp.services.classes import organizing
from tests.factories import bearer, make_child, make_class, make_enrollment
from tests.fanout_factories import add_person

URL = "/api/v1/me/notifications"


def test_each_person_reads_their_own_copy_of_a_notice_about_the_child(client, auth):
    guardian, guardian_headers = auth.parent()
    child = make_child(guardian, name="小雨")
    carer, viewer = add_person(child), add_person(child, role="viewer")
    carer_headers, viewer_headers = bearer(carer), bearer(viewer)
    cls = make_class()
    make_enrollment(cls, carer, child_id=child.id)
    organizing.cancel_class(cls.organizer_id, cls.id, "场地维修", utcnow() - timedelta(minutes=1))

    mine = client.get(URL, headers=carer_headers).get_json()["items"]
    theirs = client.get(URL, headers=guardian_headers).get_json()["items"]
    assert [n["kind"] for n in mine] == [n["kind"] for n in theirs] == ["class_cancelled"]
    assert mine[0]["id"] != theirs[0]["id"]
    assert client.get(URL, headers=viewer_headers).get_json()["total"] == 0
    # Reading one's own copy leaves the other's unread; another's copy is not found.
    assert client.post(f"{URL}/{theirs[0]['id']}/read", headers=carer_headers).status_code == 404
    assert client.post(f"{URL}/{mine[0]['id']}/read", headers=carer_headers).status_code == 204
    unread = {"unread": "true"}
    assert client.get(URL, headers=carer_headers, query_string=unread).get_json()["total"] == 0
    assert client.get(URL, headers=guardian_headers,
                      query_string=unread).get_json()["total"] == 1
