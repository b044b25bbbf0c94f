"""A child's pickup list: guardians set it, guardians and carers read it (phones in full)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import PickupPerson
from tests.asserts import assert_error
from tests.factories import make_child
from tests.family_factories import add_person
from tests.pickup_factories import AUNT, GRANDPA, GRANNY, set_pickup


def put_list(client, headers, child_id, people):
    return client.put(f"/api/v1/children/{child_id}/pickup", json={"people": people},
                      headers=headers)


def get_list(client, headers, child_id):
    return client.get(f"/api/v1/children/{child_id}/pickup", headers=headers)


def stored(child_id) -> list[tuple]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        select(PickupPerson.position, PickupPerson.name, PickupPerson.relation,
               PickupPerson.phone).where(PickupPerson.child_id == child_id)
        .order_by(PickupPerson.position))]


def test_a_guardian_sets_the_list_and_reads_it_back_in_order(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent)
    response = put_list(client, headers, child.id, [AUNT, GRANNY, GRANDPA])
    assert response.status_code == 200
    assert response.get_json() == {"people": [AUNT, GRANNY, GRANDPA]}
    assert get_list(client, headers, child.id).get_json() == {"people": [AUNT, GRANNY, GRANDPA]}
    assert stored(child.id) == [(0, "李阿姨", "relative", "15000000003"),
                                (1, "王奶奶", "grandparent", "13800000001"),
                                (2, "王爷爷", "grandparent", "13900000002")]


def test_a_new_list_replaces_the_whole_old_one_and_an_empty_one_clears_it(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent)
    set_pickup(child, GRANNY, GRANDPA, AUNT)
    assert put_list(client, headers, child.id, [GRANDPA]).get_json() == {"people": [GRANDPA]}
    assert stored(child.id) == [(0, "王爷爷", "grandparent", "13900000002")]
    assert put_list(client, headers, child.id, []).get_json() == {"people": []}
    assert get_list(client, headers, child.id).get_json() == {"people": []}
    assert stored(child.id) == []


def test_names_and_phones_are_stored_trimmed(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent)
    response = put_list(client, headers, child.id,
                        [{**GRANNY, "name": "\u3000王奶奶 ", "phone": " 13800000001\u200b"}])
    assert response.get_json() == {"people": [GRANNY]}
    assert stored(child.id) == [(0, "王奶奶", "grandparent", "13800000001")]


def test_a_carer_reads_the_list_with_full_phones_but_cannot_change_it(client, auth):
    guardian, _ = auth.parent()
    child = make_child(guardian)
    set_pickup(child, GRANNY)
    carer, headers = auth.parent()
    add_person(child, carer, "carer")
    assert get_list(client, headers, child.id).get_json() == {"people": [GRANNY]}
    error = assert_error(put_list(client, headers, child.id, [AUNT]), 403, "forbidden")
    assert error["details"] == {"my_role": "carer"}
    assert stored(child.id) == [(0, "王奶奶", "grandparent", "13800000001")]


def test_a_viewer_may_neither_read_nor_change_the_list(client, auth):
    guardian, _ = auth.parent()
    child = make_child(guardian)
    set_pickup(child, GRANNY)
    viewer, headers = auth.parent()
    add_person(child, viewer, "viewer")
    assert_error(get_list(client, headers, child.id), 403, "forbidden")
    assert_error(put_list(client, headers, child.id, [AUNT]), 403, "forbidden")
    assert stored(child.id) == [(0, "王奶奶", "grandparent", "13800000001")]


def test_someone_elses_child_or_no_child_is_not_found(client, auth):
    child = make_child(auth.parent()[0])
    set_pickup(child, GRANNY)
    _, stranger = auth.parent()
    for child_id in (child.id, 999_999, 2**63):
        assert_error(get_list(client, stranger, child_id), 404, "not_found")
        assert_error(put_list(client, stranger, child_id, [AUNT]), 404, "not_found")
    assert stored(child.id) == [(0, "王奶奶", "grandparent", "13800000001")]


@pytest.mark.parametrize("role", ["operator", "regulator"])
def test_other_roles_are_forbidden(client, auth, role):
    child = make_child(auth.parent()[0])
    _, headers = getattr(auth, role)()
    assert_error(get_list(client, headers, child.id), 403, "forbidden")
    assert_error(put_list(client, headers, child.id, [AUNT]), 403, "forbidden")


SEVEN = [{**GRANNY, "name": f"接送人{n}"} for n in range(7)]


@pytest.mark.parametrize(("people", "details"), [
    (SEVEN, {"people": ["接送名单最多 6 人。"]}),
    ([{**GRANNY, "phone": "12800000001"}], {"people": {"0": {"phone": [
        "请输入 11 位中国大陆手机号。"]}}}),
    ([{**GRANNY, "phone": "+8613800000001"}], {"people": {"0": {"phone": [
        "请输入 11 位中国大陆手机号。"]}}}),
    ([{**GRANNY, "phone": "023-7333 1234"}], {"people": {"0": {"phone": [
        "请输入 11 位中国大陆手机号。"]}}}),
    ([GRANNY, {**AUNT, "relation": "nanny"}], {"people": {"1": {"relation": [
        "应为以下之一：mother、father、grandparent、relative、other。"]}}}),
    ([{**GRANNY, "name": "王" * 21}], {"people": {"0": {"name": ["长度应为 1 到 20 个字符。"]}}}),
    ([{**GRANNY, "name": " \u200b "}], {"people": {"0": {"name": ["不能只有空白或不可见字符。"]}}}),
    ([{"name": "王奶奶", "relation": "grandparent"}], {"people": {"0": {"phone": ["必填。"]}}}),
    ([{**GRANNY, "id_card": "x"}], {"people": {"0": {"id_card": ["不支持的字段。"]}}}),
    ([GRANNY, AUNT, {**GRANDPA, "name": " 王奶奶\u3000"}], {"people": {"2": {"name": [
        "与第 1 位重名，请加以区分。"]}}}),
])
def test_a_bad_list_is_refused_on_its_field_and_nothing_changes(client, auth, people, details):
    parent, headers = auth.parent()
    child = make_child(parent)
    set_pickup(child, AUNT)
    error = assert_error(put_list(client, headers, child.id, people), 422, "validation_error")
    assert error["details"] == details
    assert stored(child.id) == [(0, "李阿姨", "relative", "15000000003")]


def test_six_people_are_accepted(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent)
    response = put_list(client, headers, child.id, SEVEN[:6])
    assert response.status_code == 200
    assert [p["name"] for p in response.get_json()["people"]] == [f"接送人{n}" for n in range(6)]


@pytest.mark.parametrize("body", [{}, {"people": None}, {"people": "王奶奶"}, []])
def test_the_body_must_hold_a_list_of_people(client, auth, body):
    parent, headers = auth.parent()
    child = make_child(parent)
    response = client.put(f"/api/v1/children/{child.id}/pickup", json=body, headers=headers)
    assert response.status_code in (400, 422), response.get_json()
    assert stored(child.id) == []


def test_a_second_guardian_sets_the_list_the_first_reads(client, auth):
    first, first_headers = auth.parent()
    child = make_child(first)
    second, second_headers = auth.parent()
    add_person(child, second, "guardian", relation="father")
    assert put_list(client, second_headers, child.id, [GRANDPA]).status_code == 200
    assert get_list(client, first_headers, child.id).get_json() == {"people": [GRANDPA]}


def test_deleting_the_child_deletes_its_list(client, auth):
    parent, headers = auth.parent()
    child = make_child(parent)
    set_pickup(child, GRANNY, AUNT)
    assert client.delete(f"/api/v1/children/{child.id}", headers=headers).status_code == 204
    assert stored(child.id) == []
