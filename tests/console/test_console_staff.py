"""The console's staff (员工) and ratio (今日配比) tabs for the nursery's operator."""

from __future__ import annotations

from sqlalchemy import select

from parentapp.extensions import db
from parentapp.models import StaffDuty, StaffMember, utcnow
from tests.booking_factories import fresh
from tests.console.console_helpers import csrf, signed_in_client, table_rows
from tests.factories import make_nursery
from tests.staff_factories import child_present, make_staff, on_duty


def _hire(client, nursery, **changes):
    url = f"/console/nurseries/{nursery.id}/staff"
    form = {"csrf_token": csrf(client, url), "name": "王老师", "phone": "13812345678",
            "role": "carer", "health_certificate_expires_on": "2027-03-01",
            "cert_kind": ["保育员证", ""], "cert_number": ["BY001", ""],
            "cert_expires_on": ["2029-06-30", ""], **changes}
    return client.post(url, data=form)


def test_an_operator_adds_a_carer_and_sees_them_listed(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    response = _hire(client, nursery)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已添加员工 王老师。" in page
    [_, row] = table_rows(page, "staff")
    assert row[:4] == ["王老师", "保育人员", "13812345678", "2027-03-01"]
    assert "保育员证 BY001" in row[4] and row[5] == "未在岗"
    [staff] = db.session.scalars(select(StaffMember)).all()
    assert [(c.kind, c.number) for c in staff.certificates] == [("保育员证", "BY001")]


def test_a_wrong_phone_is_shown_beside_its_field_and_nothing_is_stored(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    response = _hire(client, nursery, phone="12345", role="teacher")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="staff-phone-error"' in page and "手机号：请输入 11 位中国大陆手机号。" in page
    assert 'id="staff-role-error"' in page
    assert 'value="12345"' in page  # what was typed is kept


def test_a_phone_employed_elsewhere_is_refused_in_the_banner(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    make_staff(make_nursery(), phone="13812345678")
    response = _hire(client, nursery)
    assert response.status_code == 422
    assert "该手机号的员工已在一家托育机构在职" in response.get_data(as_text=True)


def test_check_in_check_out_edit_and_leave(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    staff = make_staff(nursery, name="赵阿姨")
    url = f"/console/nurseries/{nursery.id}/staff"

    def act(action):
        return client.post(f"/console/staff/{staff.id}/{action}",
                           data={"csrf_token": csrf(client, url)}, follow_redirects=True
                           ).get_data(as_text=True)

    assert "赵阿姨已签到。" in act("check-in")
    assert "在岗" in table_rows(client.get(url).get_data(as_text=True), "staff")[1][5]
    assert "该员工已签到在岗" in act("check-in")
    assert "赵阿姨已签退。" in act("check-out")
    edit = f"/console/staff/{staff.id}/edit"
    assert 'value="赵阿姨"' in client.get(edit).get_data(as_text=True)
    response = client.post(edit, data={"csrf_token": csrf(client, edit), "name": "赵老师",
                                       "phone": staff.phone, "role": "health",
                                       "health_certificate_expires_on": ""})
    assert response.status_code == 302
    assert (fresh(StaffMember, staff.id).name, fresh(StaffMember, staff.id).role) == (
        "赵老师", "health")
    assert "已办理离职" in act("leave")
    row = table_rows(client.get(url).get_data(as_text=True), "staff")[1]
    assert row[5].startswith("已离职") and "签到" not in row[6]
    assert fresh(StaffDuty, 1).checked_out_at is not None


def test_another_operators_staff_pages_are_not_found(client):
    signed_in_client(client)
    nursery = make_nursery()
    staff = make_staff(nursery)
    assert client.get(f"/console/nurseries/{nursery.id}/staff").status_code == 404
    assert client.get(f"/console/nurseries/{nursery.id}/ratio").status_code == 404
    assert client.get(f"/console/staff/{staff.id}/edit").status_code == 404


def test_the_ratio_tab_shows_each_band_and_whether_it_is_compliant(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    now = utcnow()
    for months in (6, 7, 8, 9, 18, 30):
        child_present(nursery, months, now)
    on_duty(make_staff(nursery), now)
    page = client.get(f"/console/nurseries/{nursery.id}/ratio").get_data(as_text=True)
    rows = table_rows(page, "ratio-bands")[1:]
    assert [(r[0], r[2], r[4]) for r in rows] == [("乳儿", "4", "2"), ("托小", "1", "1"),
                                                ("托大", "1", "1")]
    assert "不符合" in page and "还差 3 人" in page
    assert 'aria-current="page">今日配比' in page
