"""Console classes: publishing, editing, cancelling, the roster and attendance, each
checked by what the API then answers; refusals are 422 beside the field, nothing stored."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from parentapp.extensions import db
from parentapp.models import ClassEnrollment, Notification, ParentingClass, utcnow
from parentapp.timeutil import LOCAL_TZ, local_instant
from tests.booking_factories import fresh, in_days
from tests.console.console_helpers import csrf, signed_in_client
from tests.factories import (
    bearer,
    make_child,
    make_class,
    make_enrollment,
    make_nursery,
    make_user,
)

NEW = "/console/classes/new"


def _local(instant) -> str:
    return instant.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def _form(**overrides) -> dict:
    starts = local_instant(in_days(10), time(9, 30))
    return {"title": "婴幼儿睡眠指导", "kind": "parent_child", "township": "500240001",
            "venue": "南宾街道文化站二楼", "lat": "29.998", "lng": "108.113",
            "starts_at": _local(starts), "ends_at": _local(starts + timedelta(hours=2)),
            "enroll_deadline": _local(starts - timedelta(days=1)), "capacity": "12",
            "child_age_min_months": "6", "child_age_max_months": "36",
            "description": "请带上孩子的水杯。", **overrides}


def _post(client, path, form, back=None):
    return client.post(path, data={"csrf_token": csrf(client, back or path), **form})


def _edit_form(cls, **overrides) -> dict:
    return {"title": cls.title, "kind": cls.kind, "township": cls.township, "venue": cls.venue,
            "lat": str(cls.lat), "lng": str(cls.lng), "starts_at": _local(cls.starts_at),
            "ends_at": _local(cls.ends_at), "enroll_deadline": _local(cls.enroll_deadline),
            "capacity": str(cls.capacity), "child_age_min_months": "",
            "child_age_max_months": "", "description": cls.description, **overrides}


def _api(client, user, path):
    response = client.get(f"/api/v1{path}", headers=bearer(user))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _class_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ParentingClass))


def _field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="error field-error" id="f-{name}-error">([^<]*)</p>', page)
    assert found, f"no error beside {name}"
    return found.group(1)


def _enroll(client, cls, name="小禾"):
    parent = make_user("parent", nickname=f"{name}妈妈", phone="13812345678")
    child = make_child(parent, name=name)
    response = client.post(f"/api/v1/classes/{cls.id}/enrollments", headers=bearer(parent),
                           json={"child_id": child.id})
    assert response.status_code == 201, response.get_json()
    return parent, response.get_json()


def _under_way(organizer, **overrides):
    starts = utcnow() - timedelta(hours=1)
    return make_class(organizer, starts_at=starts, ends_at=starts + timedelta(hours=3),
                      enroll_deadline=starts - timedelta(days=1), **overrides)


# Publishing

def test_a_regulator_publishes_a_class_and_the_api_lists_it(client):
    regulator = signed_in_client(client, "regulator")
    form = _form()
    response = _post(client, NEW, form)
    assert response.status_code == 302 and response.location.endswith("/console/classes")
    [listed] = _api(client, regulator, "/organizer/classes")["items"]
    assert {key: listed[key] for key in ("title", "kind", "township", "venue", "capacity",
                                         "child_age_min_months", "child_age_max_months",
                                         "description", "organizer_id", "nursery_id")} == {
        "title": "婴幼儿睡眠指导", "kind": "parent_child", "township": "500240001",
        "venue": "南宾街道文化站二楼", "capacity": 12, "child_age_min_months": 6,
        "child_age_max_months": 36, "description": "请带上孩子的水杯。",
        "organizer_id": regulator.id, "nursery_id": None}
    assert (listed["lat"], listed["lng"]) == (29.998, 108.113)
    assert listed["starts_at"] == f"{form['starts_at']}:00+08:00"
    assert listed["enroll_deadline"] == f"{form['enroll_deadline']}:00+08:00"
    public = client.get(f"/api/v1/classes/{listed['id']}").get_json()
    assert public["status"] == "scheduled" and public["remaining"] == 12
    page = client.get("/console/classes").get_data(as_text=True)
    assert "课程“婴幼儿睡眠指导”已发布" in page and f'data-class="{listed["id"]}"' in page


def test_an_operator_publishes_at_their_approved_nursery_prefilled(client):
    operator = signed_in_client(client, "operator")
    make_nursery(operator, filing_status="draft", name="还没备案的园")
    nursery = make_nursery(operator, name="阳光宝贝托育园")
    page = client.get(NEW).get_data(as_text=True)
    assert f'<option value="{nursery.id}" selected>阳光宝贝托育园</option>' in page
    assert "还没备案的园" not in page
    assert 'value="阳光宝贝托育园"' in page  # the venue starts as the nursery
    response = _post(client, NEW, _form(nursery_id=str(nursery.id), child_age_min_months="",
                                        child_age_max_months=""))
    assert response.status_code == 302
    [listed] = _api(client, operator, "/organizer/classes")["items"]
    assert (listed["nursery_id"], listed["organizer_id"]) == (nursery.id, operator.id)
    assert (listed["child_age_min_months"], listed["child_age_max_months"]) == (None, None)


def test_an_operator_without_an_approved_nursery_is_told_and_nothing_is_stored(client):
    operator = signed_in_client(client, "operator")
    make_nursery(operator, filing_status="pending")
    page = client.get(NEW).get_data(as_text=True)
    assert "机构备案通过后才能发布课程。" in page and 'id="class-form"' not in page
    response = _post(client, NEW, _form())
    assert response.status_code == 422
    assert "机构备案通过后才能发布课程。" in response.get_data(as_text=True)
    assert _class_count() == 0


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("title", "", "课程名称："),
    ("title", "课" * 41, "课程名称："),
    ("kind", "lecture", "类型："),
    ("township", "", "乡镇（街道）："),
    ("lat", "31.5", "纬度："),
    ("lng", "东经", "经度："),
    ("capacity", "0", "容量："),
    ("capacity", "501", "容量："),
    ("child_age_max_months", "80", "儿童最大月龄："),
    ("child_age_max_months", "3", "儿童最大月龄：最大月龄不能小于最小月龄。"),
    ("ends_at", "PAST_START", "结束时间：结束时间需要晚于开始时间。"),
    ("enroll_deadline", "AFTER_START", "报名截止时间：报名截止时间不能晚于开始时间。"),
    ("starts_at", "YESTERDAY", "开始时间：开始时间需要晚于现在。"),
    ("starts_at", "", "开始时间："),
])
def test_a_bad_field_is_refused_beside_it_and_nothing_is_stored(client, field, value, expected):
    signed_in_client(client, "regulator")
    form = _form()
    value = {"PAST_START": form["starts_at"],
             "AFTER_START": _local(local_instant(in_days(10), time(10))),
             "YESTERDAY": _local(utcnow() - timedelta(days=1))}.get(value, value)
    form[field] = value
    response = _post(client, NEW, form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _field_error(page, field).startswith(expected)
    assert 'id="form-error"' in page
    assert 'value="南宾街道文化站二楼"' in page  # what was typed stays
    assert _class_count() == 0


# Editing

def test_editing_changes_what_the_api_shows_and_tells_the_families(client):
    regulator = signed_in_client(client, "regulator")
    cls = make_class(regulator, capacity=1)
    parent, _ = _enroll(client, cls)
    _, waiting = _enroll(client, cls, name="小米")
    later = cls.starts_at + timedelta(hours=2)
    path = f"/console/classes/{cls.id}/edit"
    response = _post(client, path, _edit_form(
        cls, title="辅食添加家长课堂", venue="下路街道社区活动室", capacity="3",
        starts_at=_local(later), ends_at=_local(later + timedelta(hours=1))))
    assert response.status_code == 302
    shown = _api(client, regulator, f"/organizer/classes/{cls.id}")
    assert (shown["title"], shown["venue"], shown["capacity"]) == (
        "辅食添加家长课堂", "下路街道社区活动室", 3)
    assert shown["starts_at"] == f"{_local(later)}:00+08:00"
    assert (shown["enrolled"], shown["waitlist_length"]) == (2, 0)  # the waitlist moved up
    assert _api(client, parent, "/me/enrollments")["items"][0]["status"] == "enrolled"
    told = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == parent.id)).all()
    assert "class_changed" in told
    page = client.get("/console/classes").get_data(as_text=True)
    assert "时间或地点有变，已通知 2 个报名或候补的家庭。" in page
    assert waiting["status"] == "waitlisted"


def test_an_unchanged_form_stores_nothing_and_says_so(client):
    regulator = signed_in_client(client, "regulator")
    cls = make_class(regulator)
    before = fresh(ParentingClass, cls.id).updated_at
    response = _post(client, f"/console/classes/{cls.id}/edit", _edit_form(cls))
    assert response.status_code == 302
    assert "没有修改任何内容。" in client.get("/console/classes").get_data(as_text=True)
    assert fresh(ParentingClass, cls.id).updated_at == before


def test_a_class_under_way_can_still_be_renamed(client):
    regulator = signed_in_client(client, "regulator")
    cls = _under_way(regulator)
    response = _post(client, f"/console/classes/{cls.id}/edit", _edit_form(cls, title="改名了"))
    assert response.status_code == 302
    assert _api(client, regulator, f"/organizer/classes/{cls.id}")["title"] == "改名了"


def test_capacity_below_the_enrolled_families_is_refused_beside_capacity(client):
    regulator = signed_in_client(client, "regulator")
    cls = make_class(regulator, capacity=5)
    make_enrollment(cls)
    make_enrollment(cls)
    response = _post(client, f"/console/classes/{cls.id}/edit",
                     _edit_form(cls, capacity="1", title="新名称"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _field_error(page, "capacity") == "容量：名额不能少于已报名的家庭数。已有 2 个家庭报名。"
    assert 'value="新名称"' in page
    stored = fresh(ParentingClass, cls.id)
    assert (stored.capacity, stored.title) == (5, "科学喂养家长课堂")


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("venue", "", "地点："), ("starts_at", "", "开始时间："), ("capacity", "很多", "容量："),
    ("enroll_deadline", "2020-01-01T09:00", "报名截止时间：报名截止时间不能早于现在。")])
def test_a_bad_edit_is_refused_beside_the_field_and_changes_nothing(client, field, value,
                                                                    expected):
    regulator = signed_in_client(client, "regulator")
    cls = make_class(regulator)
    response = _post(client, f"/console/classes/{cls.id}/edit",
                     _edit_form(cls, title="不该保存", **{field: value}))
    assert response.status_code == 422
    assert _field_error(response.get_data(as_text=True), field).startswith(expected)
    assert _api(client, regulator, f"/organizer/classes/{cls.id}")["title"] == "科学喂养家长课堂"


def test_a_cancelled_class_cannot_be_edited(client):
    regulator = signed_in_client(client, "regulator")
    cls = make_class(regulator, cancelled_at=utcnow())
    page = client.get(f"/console/classes/{cls.id}/edit").get_data(as_text=True)
    assert "该课程已取消，不能再修改。" in page and 'id="class-form"' not in page
    response = _post(client, f"/console/classes/{cls.id}/edit", _edit_form(cls),
                     back="/console/classes")
    assert response.status_code == 422
    assert "已取消或已结束的课程不能修改。" in response.get_data(as_text=True)


# Cancelling

def test_cancelling_tells_every_family_and_the_api_shows_it(client):
    regulator = signed_in_client(client, "regulator")
    cls = make_class(regulator, capacity=1)
    seated, _ = _enroll(client, cls)
    waiting, _ = _enroll(client, cls, name="小米")
    page = client.get(f"/console/classes/{cls.id}/cancel").get_data(as_text=True)
    assert "系统会通知已报名的 1 个家庭和候补的 1 个家庭" in page
    assert 'id="under-way"' not in page
    response = _post(client, f"/console/classes/{cls.id}/cancel", {"reason": "场地维修"})
    assert response.status_code == 302
    shown = _api(client, regulator, f"/organizer/classes/{cls.id}")
    assert (shown["status"], shown["cancel_reason"]) == ("cancelled", "场地维修")
    for family in (seated, waiting):
        assert _api(client, family, "/me/enrollments")["items"][0]["status"] == "cancelled"
        assert db.session.scalar(select(Notification.body).where(
            Notification.user_id == family.id, Notification.kind == "class_cancelled")
        ).endswith("原因：场地维修。")
    listed = client.get("/console/classes").get_data(as_text=True)
    assert "已通知 2 个报名或候补的家庭" in listed and "原因：场地维修" in listed


def test_a_class_under_way_can_be_cancelled_as_the_api_allows(client):
    regulator = signed_in_client(client, "regulator")
    cls = _under_way(regulator)
    page = client.get(f"/console/classes/{cls.id}/cancel").get_data(as_text=True)
    assert "课程已经开始，结束前仍可取消" in page
    assert _post(client, f"/console/classes/{cls.id}/cancel", {"reason": ""}).status_code == 302
    shown = _api(client, regulator, f"/organizer/classes/{cls.id}")
    assert (shown["status"], shown["cancel_reason"]) == ("cancelled", None)


def test_a_long_reason_is_refused_beside_it_and_the_class_stays(client):
    regulator = signed_in_client(client, "regulator")
    cls = make_class(regulator)
    response = _post(client, f"/console/classes/{cls.id}/cancel", {"reason": "因" * 101})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _field_error(page, "reason").startswith("理由：")
    assert "因" * 101 in page
    assert _api(client, regulator, f"/organizer/classes/{cls.id}")["status"] == "scheduled"


def test_an_ended_class_cannot_be_cancelled(client):
    regulator = signed_in_client(client, "regulator")
    starts = utcnow() - timedelta(days=1)
    cls = make_class(regulator, starts_at=starts, ends_at=starts + timedelta(hours=1),
                     enroll_deadline=starts)
    page = client.get(f"/console/classes/{cls.id}/cancel").get_data(as_text=True)
    assert "该课程已结束，不能再取消。" in page and 'id="cancel-form"' not in page
    response = _post(client, f"/console/classes/{cls.id}/cancel", {}, back="/console/classes")
    assert response.status_code == 422
    assert "课程已取消或已结束。" in response.get_data(as_text=True)
    assert _api(client, regulator, f"/organizer/classes/{cls.id}")["status"] == "completed"


# Roster and attendance

def test_the_roster_shows_seats_then_the_waitlist_with_masked_phones(client):
    operator = signed_in_client(client, "operator")
    cls = make_class(operator, capacity=1)
    _, seat = _enroll(client, cls)
    _, place = _enroll(client, cls, name="小米")
    page = client.get(f"/console/classes/{cls.id}/enrollments").get_data(as_text=True)
    rows = re.findall(r'<tr data-enrollment="(\d+)">(.*?)</tr>', page, re.S)
    assert [int(ident) for ident, _ in rows] == [seat["id"], place["id"]]
    assert "小禾" in rows[0][1] and "已报名" in rows[0][1] and "138****5678" in rows[0][1]
    assert "小米" in rows[1][1] and "候补（第 1 位）" in rows[1][1]
    assert "13812345678" not in page
    assert "课程开始后才能登记出勤。" in page and 'name="enrollment_ids"' not in page


def _roster_ids(client, user, cls):
    items = _api(client, user, f"/organizer/classes/{cls.id}/enrollments")["items"]
    return {item["id"]: item["attended"] for item in items}


def test_marking_attendance_is_what_the_api_then_shows(client):
    operator = signed_in_client(client, "operator")
    cls = _under_way(operator)
    first, second = make_enrollment(cls), make_enrollment(cls)
    path = f"/console/classes/{cls.id}/attendance"
    back = f"/console/classes/{cls.id}/enrollments"
    response = _post(client, path, {"enrollment_ids": [str(first.id), str(second.id)],
                                    "attended": "1"}, back=back)
    assert response.status_code == 302
    assert _roster_ids(client, operator, cls) == {first.id: True, second.id: True}
    assert "已将 2 个家庭标记为出勤；目前共 2 个家庭出勤。" in client.get(back).get_data(
        as_text=True)
    _post(client, path, {"enrollment_ids": [str(second.id)], "attended": "0"}, back=back)
    assert _roster_ids(client, operator, cls) == {first.id: True, second.id: False}
    assert _api(client, operator, f"/organizer/classes/{cls.id}")["attended"] == 1


def _attended_count(cls) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ClassEnrollment).where(
        ClassEnrollment.class_id == cls.id, ClassEnrollment.attended_at.is_not(None)))


def test_attendance_refusals_are_422_beside_the_roster_and_mark_nobody(client):
    operator = signed_in_client(client, "operator")
    cls = _under_way(operator)
    seat = make_enrollment(cls)
    waiting = make_enrollment(cls, status="waitlisted")
    path = f"/console/classes/{cls.id}/attendance"
    back = f"/console/classes/{cls.id}/enrollments"
    nobody = _post(client, path, {"attended": "1"}, back=back)
    assert nobody.status_code == 422
    assert "报名记录：应包含 1 到 500 个报名记录。" in nobody.get_data(as_text=True)
    wrong = _post(client, path, {"enrollment_ids": [str(seat.id), str(waiting.id)],
                                 "attended": "1"}, back=back)
    assert wrong.status_code == 422
    page = wrong.get_data(as_text=True)
    assert f"报名记录：以下记录不是本课程已报名的家庭：{waiting.id}" in page
    assert f'id="pick-{seat.id}" name="enrollment_ids" value="{seat.id}" checked' in page
    assert _attended_count(cls) == 0


def test_attendance_before_the_start_is_refused(client):
    operator = signed_in_client(client, "operator")
    cls = make_class(operator)
    seat = make_enrollment(cls)
    response = _post(client, f"/console/classes/{cls.id}/attendance",
                     {"enrollment_ids": [str(seat.id)]},
                     back=f"/console/classes/{cls.id}/enrollments")
    assert response.status_code == 422
    assert "课程开始后才能登记出勤。" in response.get_data(as_text=True)
    assert _attended_count(cls) == 0


# Who may organise what

def test_operators_see_only_their_classes_in_order_regulators_see_all(client):
    operator = signed_in_client(client, "operator")
    soon = make_class(operator, title="下周的课")
    later_start = soon.starts_at + timedelta(days=7)
    later = make_class(operator, title="两周后的课", starts_at=later_start,
                       ends_at=later_start + timedelta(hours=1))
    ended = make_class(operator, title="上周的课", starts_at=utcnow() - timedelta(days=7),
                       ends_at=utcnow() - timedelta(days=7, hours=-1),
                       enroll_deadline=utcnow() - timedelta(days=8))
    other = make_class(make_user("regulator"), title="别人的课")
    page = client.get("/console/classes").get_data(as_text=True)
    assert [int(n) for n in re.findall(r'data-class="(\d+)"', page)] == [
        soon.id, later.id, ended.id]
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/classes")})
    signed_in_client(client, "regulator")
    page = client.get("/console/classes").get_data(as_text=True)
    assert set(map(int, re.findall(r'data-class="(\d+)"', page))) == {
        soon.id, later.id, ended.id, other.id}


def test_another_organisers_class_is_not_found_and_unchanged(client):
    signed_in_client(client, "operator")
    cls = make_class(make_user("operator"))
    seat = make_enrollment(cls)
    base = f"/console/classes/{cls.id}"
    for path in (f"{base}/edit", f"{base}/cancel", f"{base}/enrollments"):
        assert client.get(path).status_code == 404, path
    token = csrf(client, "/console/classes")
    for path, form in ((f"{base}/edit", _edit_form(cls, title="偷改")),
                       (f"{base}/cancel", {"reason": "偷偷取消"}),
                       (f"{base}/attendance", {"enrollment_ids": [str(seat.id)]})):
        assert client.post(path, data={"csrf_token": token, **form}).status_code == 404, path
    stored = fresh(ParentingClass, cls.id)
    assert (stored.title, stored.cancelled_at) == ("科学喂养家长课堂", None)
    assert _attended_count(cls) == 0


def test_a_regulator_manages_an_operators_class(client):
    operator = make_user("operator")
    cls = make_class(operator)
    regulator = signed_in_client(client, "regulator")
    response = _post(client, f"/console/classes/{cls.id}/edit", _edit_form(cls, title="县里改的"))
    assert response.status_code == 302
    assert _post(client, f"/console/classes/{cls.id}/cancel", {}).status_code == 302
    shown = _api(client, regulator, f"/organizer/classes/{cls.id}")
    assert (shown["title"], shown["status"], shown["organizer_id"]) == (
        "县里改的", "cancelled", operator.id)


def test_parents_and_signed_out_visitors_do_not_reach_the_class_pages(client):
    for path in ("/console/classes", NEW):
        response = client.get(path)
        assert response.status_code == 302 and "/console/login" in response.location
