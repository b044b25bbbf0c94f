"""Running a parenting class in Chromium, on a phone and on a desktop: publish it through
the form, edit it, see a family's enrolment, mark attendance, cancel a class. Each step
is checked by what the API then answers, and every page fits the screen."""

from __future__ import annotations

from datetime import time, timedelta

from werkzeug.security import generate_password_hash

from parentapp.extensions import db
from parentapp.models import ParentingClass, User, utcnow
from parentapp.timeutil import LOCAL_TZ, local_instant
from tests.booking_factories import in_days
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.factories import bearer, make_child, make_class, make_nursery, make_user

PASSWORD = "browser-pass-1"


def _local(instant) -> str:
    return instant.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def _api(client, user_id, path):
    db.session.rollback()  # a fresh snapshot, and no read left open while the server writes
    response = client.get(f"/api/v1{path}", headers=bearer(db.session.get(User, user_id)))
    db.session.commit()
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _enroll(client, class_id, name, phone):
    parent = make_user("parent", nickname=f"{name}妈妈", phone=phone)
    child = make_child(parent, name=name)
    response = client.post(f"/api/v1/classes/{class_id}/enrollments", headers=bearer(parent),
                           json={"child_id": child.id})
    assert response.status_code == 201, response.get_json()
    ids = parent.id, response.get_json()["id"]
    db.session.commit()
    return ids


def _submit(page):
    with page.expect_navigation():
        page.click("#save-class")


def test_an_operator_runs_a_class_from_publishing_to_attendance(screen, client):
    page = screen
    operator = make_user("operator", username="op-classes", name="李园长",
                         password_hash=generate_password_hash(PASSWORD))
    operator_id = operator.id
    nursery = make_nursery(operator, name="南宾街道阳光宝贝托育园（石柱县城北分园）")
    nursery_id = nursery.id
    db.session.commit()  # hold no SQLite lock while the live server works

    sign_in(page, "op-classes", PASSWORD)
    page.click("nav.menu >> text=育儿课程")
    page.wait_for_selector("#classes")
    assert_fits(page)

    # Publish: a refused capacity first, shown beside its field, then the class.
    page.click("#new-class")
    page.wait_for_selector("#class-form")
    assert page.input_value("#f-nursery_id") == str(nursery_id)
    assert page.input_value("#f-venue") == "南宾街道阳光宝贝托育园（石柱县城北分园）"
    assert_fits(page)
    starts = local_instant(in_days(9), time(15))
    page.fill("#f-title", "幼儿营养与辅食")
    page.select_option("#f-kind", "parent_child")
    page.fill("#f-starts_at", _local(starts))
    page.fill("#f-ends_at", _local(starts + timedelta(hours=1, minutes=30)))
    page.fill("#f-enroll_deadline", _local(starts - timedelta(days=1)))
    page.fill("#f-capacity", "0")
    _submit(page)
    assert page.inner_text("#f-capacity-error").startswith("容量：")
    assert page.get_attribute("#f-capacity", "aria-invalid") == "true"
    assert page.input_value("#f-title") == "幼儿营养与辅食"
    assert_fits(page)
    assert _api(client, operator_id, "/organizer/classes")["total"] == 0
    page.fill("#f-capacity", "3")
    _submit(page)
    assert "课程“幼儿营养与辅食”已发布" in page.inner_text(".flash")
    [listed] = _api(client, operator_id, "/organizer/classes")["items"]
    class_id = listed["id"]
    assert (listed["nursery_id"], listed["capacity"], listed["kind"]) == (
        nursery_id, 3, "parent_child")
    assert listed["starts_at"] == f"{_local(starts)}:00+08:00"
    row = f"tr[data-class='{class_id}']"
    assert page.inner_text(f"{row} .seats") == "0/3"
    assert_fits(page)

    # Edit: fewer seats and a new title.
    page.click(f"{row} >> text=修改")
    page.wait_for_selector("#class-form")
    assert page.input_value("#f-starts_at") == _local(starts)
    assert_fits(page)
    page.fill("#f-title", "幼儿营养与辅食（第二期）")
    page.fill("#f-capacity", "1")
    _submit(page)
    assert page.inner_text(".flash") == "课程已更新。"
    shown = _api(client, operator_id, f"/organizer/classes/{class_id}")
    assert (shown["title"], shown["capacity"]) == ("幼儿营养与辅食（第二期）", 1)
    assert page.inner_text(f"{row} .title") == "幼儿营养与辅食（第二期）"

    # Two families enrol through the API: a seat, then the waitlist.
    seated_id, seat = _enroll(client, class_id, "小禾", "13812345678")
    _, place = _enroll(client, class_id, "小米", "13987654321")
    page.reload()
    assert page.inner_text(f"{row} .seats") == "1/1（候补 1）"
    page.click(f"{row} >> text=报名名单")
    page.wait_for_selector("#enrollments")
    seat_row, place_row = f"tr[data-enrollment='{seat}']", f"tr[data-enrollment='{place}']"
    assert page.inner_text(f"{seat_row} .child").endswith("小禾")
    assert page.inner_text(f"{seat_row} .phone").endswith("138****5678")
    assert page.inner_text(f"{seat_row} .status").endswith("已报名")
    assert page.inner_text(f"{place_row} .status").endswith("候补（第 1 位）")
    assert page.inner_text("#attendance-closed") == "课程开始后才能登记出勤。"
    assert page.locator("#mark-attended").count() == 0
    assert_fits(page)

    # The class day comes: mark 小禾 present.
    cls = db.session.get(ParentingClass, class_id)
    began = utcnow() - timedelta(minutes=30)
    cls.starts_at, cls.ends_at = began, began + timedelta(hours=2)
    cls.enroll_deadline = began - timedelta(days=1)
    db.session.commit()
    page.reload()
    page.click(f"{seat_row} label")
    assert page.is_checked(f"#pick-{seat}")
    assert page.locator(f"#pick-{place}").count() == 0  # only seats can be marked
    with page.expect_navigation():
        page.click("#mark-attended")
    assert page.inner_text(".flash") == "已将 1 个家庭标记为出勤；目前共 1 个家庭出勤。"
    assert page.inner_text(f"{seat_row} .attended").endswith("已出勤")
    assert_fits(page)
    roster = _api(client, operator_id, f"/organizer/classes/{class_id}/enrollments")["items"]
    assert {item["id"]: item["attended"] for item in roster} == {seat: True, place: False}

    # Cancel another class; the family enrolled in it sees it cancelled.
    other = make_class(operator, title="亲子阅读", nursery_id=nursery_id)
    other_id = other.id
    db.session.commit()
    told_id, _ = _enroll(client, other_id, "小豆", "13700000000")
    page.click("text=← 返回课程列表")
    page.wait_for_selector("#classes")
    page.click(f"tr[data-class='{other_id}'] >> text=取消课程")
    page.wait_for_selector("#cancel-form")
    assert "系统会通知已报名的 1 个家庭" in page.inner_text("#cancel-notice")
    assert_fits(page)
    page.fill("#f-reason", "场地维修")
    with page.expect_navigation():
        page.click("#confirm-cancel")
    assert page.inner_text(".flash") == "课程“亲子阅读”已取消，已通知 1 个报名或候补的家庭。"
    assert page.inner_text(f"tr[data-class='{other_id}'] .status").startswith("已取消")
    assert_fits(page)
    shown = _api(client, operator_id, f"/organizer/classes/{other_id}")
    assert (shown["status"], shown["cancel_reason"]) == ("cancelled", "场地维修")
    assert _api(client, told_id, "/me/enrollments")["items"][0]["status"] == "cancelled"
    # The first class and its seat are untouched.
    assert _api(client, seated_id, "/me/enrollments")["items"][0]["status"] == "enrolled"


def test_a_regulator_publishes_a_class_without_a_nursery(screen, client):
    page = screen
    regulator = make_user("regulator", username="reg-classes", name="王科长",
                          password_hash=generate_password_hash(PASSWORD))
    regulator_id = regulator.id
    db.session.commit()

    sign_in(page, "reg-classes", PASSWORD)
    page.click("nav.menu >> text=育儿课程")
    page.click("#new-class")
    page.wait_for_selector("#class-form")
    assert page.locator("#f-nursery_id").count() == 0
    starts = local_instant(in_days(20), time(9))
    page.fill("#f-title", "入户指导日")
    page.select_option("#f-kind", "home_visit_day")
    page.select_option("#f-township", "500240001")
    page.fill("#f-venue", "下路街道社区卫生服务中心")
    page.fill("#f-lat", "29.95")
    page.fill("#f-lng", "108.2")
    page.fill("#f-starts_at", _local(starts))
    page.fill("#f-ends_at", _local(starts - timedelta(hours=1)))
    page.fill("#f-enroll_deadline", _local(starts - timedelta(days=2)))
    _submit(page)
    assert page.inner_text("#f-ends_at-error") == "结束时间：结束时间需要晚于开始时间。"
    assert_fits(page)
    assert _api(client, regulator_id, "/organizer/classes")["total"] == 0
    page.fill("#f-ends_at", _local(starts + timedelta(hours=4)))
    _submit(page)
    [listed] = _api(client, regulator_id, "/organizer/classes")["items"]
    assert (listed["title"], listed["nursery_id"], listed["organizer_id"]) == (
        "入户指导日", None, regulator_id)
    assert page.locator(f"tr[data-class='{listed['id']}']").is_visible()
    assert_fits(page)
