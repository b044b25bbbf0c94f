"""The regulator's 操作记录 page and the filing trail show people by name."""

from __future__ import annotations

from datetime import UTC, datetime

from parentapp.extensions import db
from parentapp.services.common import audit
from parentapp.services.nurseries import filings, operator_nurseries
from parentapp.services.staff import employment
from tests.console.console_helpers import signed_in_client
from tests.factories import make_nursery, make_user

AT = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 2026-03-11 07:30 in Shizhu


def _entries(operator, nursery, other):
    audit.record(operator.id, "nursery.update", nursery, now=AT,
                 before={"phone": "13800000000"}, after={"phone": "13900000000"})
    audit.record(operator.id, "slots.generate", other, now=AT, after={"created": 3})
    db.session.commit()


def test_the_audit_page_lists_entries_with_names_and_changes(client):
    signed_in_client(client, "regulator")
    operator = make_user("operator", name="李园长")
    nursery, other = make_nursery(operator, name="南宾甲托育园"), make_nursery(name="乙托育园")
    _entries(operator, nursery, other)
    page = client.get("/console/audit").get_data(as_text=True)
    assert "李园长" in page and "修改机构信息" in page and "南宾甲托育园" in page
    assert "13800000000" in page and "13900000000" in page
    assert "2026-03-11 07:30" in page


def test_the_audit_page_filters_like_the_api(client):
    signed_in_client(client, "regulator")
    operator = make_user("operator", name="李园长")
    nursery, other = make_nursery(operator, name="南宾甲托育园"), make_nursery(name="乙托育园")
    _entries(operator, nursery, other)
    page = client.get(f"/console/audit?nursery_id={other.id}&actor=&from=&to=").get_data(
        as_text=True)
    assert 'data-action="slots.generate"' in page and 'data-action="nursery.update"' not in page
    empty = client.get("/console/audit?from=2026-03-12").get_data(as_text=True)
    assert "没有符合条件的记录。" in empty


def test_bad_filters_are_explained_and_list_nothing(client):
    signed_in_client(client, "regulator")
    response = client.get("/console/audit?from=2026-03-02&to=2026-03-01")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "筛选条件有误" in text and "结束日期不能早于开始日期" in text
    assert "date_to" not in text and "_schema" not in text
    assert 'id="audit-log"' not in text


def test_operators_cannot_open_the_audit_page(client):
    signed_in_client(client, "operator")
    assert client.get("/console/audit").status_code == 403


def test_the_regulator_menu_links_the_audit_page(client):
    signed_in_client(client, "regulator")
    assert 'href="/console/audit"' in client.get("/console/").get_data(as_text=True)


def test_the_filing_trail_names_the_people_not_their_ids(client):
    regulator = signed_in_client(client, "regulator", name="王科长")
    operator = make_user("operator", name="李园长")
    nursery = make_nursery(operator, filing_status="draft", filing_no=None, filed_on=None)
    filings.record_event(nursery, None, actor_id=operator.id, now=AT)
    db.session.commit()
    operator_nurseries.submit_filing(operator.id, nursery.id, AT)
    filings.reject_filing(nursery.id, "材料不全", regulator.id, AT)
    page = client.get(f"/console/filings/{nursery.id}").get_data(as_text=True)
    trail = page[page.index('id="audit-trail"'):]
    assert trail.count("李园长") == 2 and trail.count("王科长") == 1
    assert f'class="actor">{regulator.id}' not in trail and "账号 " not in trail


def test_a_bad_date_filter_is_shown_beside_its_field_in_chinese(client):
    signed_in_client(client, "regulator")
    text = client.get("/console/audit?from=not-a-date").get_data(as_text=True)
    assert 'id="audit-from-error"' in text and "开始日期：" in text
    assert 'id="audit-log"' not in text


def test_changed_fields_are_named_by_their_chinese_label(client):
    signed_in_client(client, "regulator")
    operator = make_user("operator", name="李园长")
    nursery = make_nursery(operator)
    audit.record(operator.id, "nursery.update", nursery, now=AT,
                 before={"phone": "13800000000"}, after={"phone": "13900000000"})
    db.session.commit()
    text = client.get("/console/audit").get_data(as_text=True)
    assert "<dt>联系电话</dt>" in text and "<dt>phone</dt>" not in text


def test_staff_changes_are_named_on_the_audit_page_with_the_phone_masked(client):
    signed_in_client(client, "regulator")
    operator = make_user("operator", name="李园长")
    nursery = make_nursery(operator, name="南宾甲托育园")
    staff = employment.hire_staff(operator.id, nursery.id, name="谭老师", phone="13812345678",
                                  role="carer", certificates=[],
                                  health_certificate_expires_on=None, now=AT)
    employment.change_staff(operator.id, staff.id, {"role": "health"}, AT)
    employment.staff_leaves(operator.id, staff.id, AT)
    page = client.get("/console/audit").get_data(as_text=True)
    assert all(f'data-action="staff.{a}"' in page for a in ("hire", "update", "leave"))
    assert "新增员工" in page and "修改员工信息" in page and "员工离职" in page
    assert f"员工 {staff.id}" in page and "南宾甲托育园" in page and "李园长" in page
    assert "138****5678" in page and "13812345678" not in page
    assert "离职时间" in page and "岗位" in page
