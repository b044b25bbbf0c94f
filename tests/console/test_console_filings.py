import re

import pytest

from parentapp.extensions import db
from parentapp.models import FilingEvent, Notification, Nursery, utcnow
from tests.console.console_helpers import csrf, signed_in_client, staff
from tests.factories import make_nursery


def _pending(**overrides) -> Nursery:
    return make_nursery(filing_status="pending", filing_no=None, filed_on=None, **overrides)


def _status(nursery_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Nursery, nursery_id).filing_status


def _post(client, nursery_id, action, **form):
    token = csrf(client, f"/console/filings/{nursery_id}")
    return client.post(f"/console/filings/{nursery_id}/{action}",
                       data={"csrf_token": token, **form}, follow_redirects=True)


def test_queue_lists_pending_filings_and_links_to_each(client):
    signed_in_client(client, "regulator")
    waiting = _pending(name="待审核托育园")
    make_nursery(name="已备案托育园")
    page = client.get("/console/filings").get_data(as_text=True)
    assert "待审核托育园" in page and "已备案托育园" not in page
    assert f"/console/filings/{waiting.id}" in page
    approved = client.get("/console/filings?status=approved").get_data(as_text=True)
    assert "已备案托育园" in approved


def test_approving_records_the_decision_the_trail_and_tells_the_operator(client):
    regulator = signed_in_client(client, "regulator")
    nursery = _pending()
    page = _post(client, nursery.id, "approve", filing_no="石卫托备〔2026〕7号")
    text = page.get_data(as_text=True)
    assert "备案已通过。" in text and "石卫托备〔2026〕7号" in text
    assert _status(nursery.id) == "approved"
    event = db.session.scalars(db.select(FilingEvent).order_by(FilingEvent.id.desc())).first()
    assert (event.to_status, event.actor_id) == ("approved", regulator.id)
    assert db.session.scalar(db.select(Notification.kind).where(
        Notification.user_id == nursery.operator_id)) == "filing_approved"


@pytest.mark.parametrize(("action", "form", "message"), [
    ("approve", {"filing_no": ""}, "备案编号：备案编号应为"),
    ("approve", {"filing_no": "无编号"}, "备案编号：备案编号应为 4 到 40 个字符，且含有数字。"),
    ("reject", {"reason": ""}, "退回理由："),
    ("reject", {"reason": "x"}, "退回理由：长度应为 2 到 500 个字符。"),
])
def test_bad_decisions_show_the_rule_beside_the_field_and_change_nothing(
        client, action, form, message):
    signed_in_client(client, "regulator")
    nursery = _pending()
    response = _post(client, nursery.id, action, **form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    field = next(iter(form))
    beside = re.search(rf'<p class="error field-error" id="{action}-{field}-error">([^<]*)</p>',
                       text).group(1)
    assert message.split("：")[0] in beside and "reason" not in beside
    if "：" in message and message.split("：")[1]:
        assert message.split("：")[1].split("；")[0] in beside
    assert f'value="{form[field]}"' in text or form[field] in text
    assert _status(nursery.id) == "pending"


def test_a_filing_number_of_another_nursery_is_refused_beside_the_field(client):
    signed_in_client(client, "regulator")
    make_nursery(filing_no="石卫托备〔2026〕1号")
    nursery = _pending()
    response = _post(client, nursery.id, "approve", filing_no="石卫托备〔2026〕1号")
    assert response.status_code == 422
    assert "备案编号：该备案编号已用于另一家机构。" in response.get_data(as_text=True)
    assert _status(nursery.id) == "pending"


def test_the_queue_names_the_operator_and_township_and_counts_each_status(client):
    signed_in_client(client, "regulator")
    owner = staff("operator", name="谭举办")
    _pending(operator=owner, name="待审核托育园")
    make_nursery()
    text = client.get("/console/filings").get_data(as_text=True)
    assert "谭举办" in text and "南宾街道" in text
    assert re.search(r'data-status="pending">待审核（1）', text)
    assert re.search(r'data-status="approved">已备案（1）', text)


def test_the_queue_pages_through_many_filings(client):
    signed_in_client(client, "regulator")
    for _ in range(21):
        _pending()
    first = client.get("/console/filings").get_data(as_text=True)
    assert first.count("data-nursery=") == 20 and 'rel="next"' in first
    second = client.get("/console/filings?page=2").get_data(as_text=True)
    assert second.count("data-nursery=") == 1 and 'rel="prev"' in second


def test_the_trail_names_people_and_roles_with_reasons_and_changes(client):
    regulator = signed_in_client(client, "regulator", name="卫健委审核员")
    owner = staff("operator", name="谭举办")
    nursery = _pending(operator=owner)
    db.session.add_all([
        FilingEvent(nursery_id=nursery.id, from_status="draft", to_status="pending",
                    actor_id=owner.id, created_at=utcnow()),
        FilingEvent(nursery_id=nursery.id, from_status="pending", to_status="rejected",
                    actor_id=regulator.id, reason="消防验收材料缺失", created_at=utcnow()),
        FilingEvent(nursery_id=nursery.id, from_status="rejected", to_status="pending",
                    actor_id=owner.id, changes={"licensed_places": [60, 40]},
                    created_at=utcnow())])
    db.session.commit()
    trail = client.get(f"/console/filings/{nursery.id}").get_data(as_text=True)
    trail = trail[trail.index('id="audit-trail"'):]
    assert "账号 " not in trail
    assert "谭举办" in trail and "机构举办者" in trail
    assert "卫健委审核员" in trail and "卫生健康委" in trail
    assert "理由：消防验收材料缺失" in trail
    assert "备案托位数" in trail and "60" in trail and "40" in trail


def test_a_nursery_filed_before_is_approved_again_under_its_number(client):
    signed_in_client(client, "regulator")
    nursery = make_nursery(filing_no="石卫托备〔2025〕3号")
    _post(client, nursery.id, "revoke", reason="停业整改")
    db.session.get(Nursery, nursery.id).filing_status = "pending"
    db.session.commit()
    page = client.get(f"/console/filings/{nursery.id}").get_data(as_text=True)
    assert 'name="filing_no" type="text" value="石卫托备〔2025〕3号"' in page
    assert "格式如" in page


def test_a_decision_the_state_does_not_allow_is_explained(client):
    signed_in_client(client, "regulator")
    nursery = make_nursery()
    text = _post(client, nursery.id, "reject", reason="资料不全").get_data(as_text=True)
    assert "不能进行此操作" in text
    assert _status(nursery.id) == "approved"


def test_revoking_an_approved_filing_hides_it(client):
    signed_in_client(client, "regulator")
    nursery = make_nursery()
    text = _post(client, nursery.id, "revoke", reason="年检不合格").get_data(as_text=True)
    assert "备案已撤销。" in text and "年检不合格" in text
    assert _status(nursery.id) == "revoked"


def test_operators_cannot_reach_the_filing_pages(client):
    signed_in_client(client, "operator")
    nursery = _pending()
    for path in ("/console/filings", f"/console/filings/{nursery.id}"):
        response = client.get(path)
        assert response.status_code == 403
        assert "当前账号无权访问此页面。" in response.get_data(as_text=True)


def test_an_unknown_filing_is_a_not_found_page(client):
    signed_in_client(client, "regulator")
    response = client.get("/console/filings/999999")
    assert response.status_code == 404
    assert "没有找到" in response.get_data(as_text=True)
