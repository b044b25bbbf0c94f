import re

import pytest

from parentapp.extensions import db
from parentapp.models import FilingEvent, Notification, Nursery
from tests.console.console_helpers import csrf, signed_in_client
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
    ("approve", {"filing_no": ""}, "备案编号应为 4 到 40 个字符，且含有数字。"),
    ("approve", {"filing_no": "无编号"}, "备案编号应为 4 到 40 个字符，且含有数字。"),
    ("reject", {"reason": ""}, "理由："),
    ("reject", {"reason": "x"}, "长度应为 2 到 500 个字符。"),
])
def test_bad_decisions_show_the_rule_and_change_nothing(client, action, form, message):
    signed_in_client(client, "regulator")
    nursery = _pending()
    text = _post(client, nursery.id, action, **form).get_data(as_text=True)
    banner = re.search(r'<p class="flash error" role="alert">([^<]*)</p>', text).group(1)
    assert message in banner and "reason" not in banner and "filing_no" not in banner
    assert _status(nursery.id) == "pending"


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
