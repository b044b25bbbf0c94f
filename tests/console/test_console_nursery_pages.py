"""An operator's own pages: registering, creating a nursery, its profile and filing, and
its offerings, through the console's forms; what is stored is read back from the API."""

import pytest

from parentapp.extensions import db
from parentapp.models import Nursery, Offering, User
from parentapp.services.nurseries.credit_code import with_check
from tests.console.console_helpers import csrf, signed_in_client
from tests.factories import bearer, make_nursery, make_user

CREDIT_CODE = with_check("91500240MA5U7X8Y1")
NURSERY_FORM = {
    "name": "玉带河托育园", "kind": "nursery", "registration_type": "nonprofit",
    "credit_code": CREDIT_CODE, "licensed_places": "40", "township": "500240001",
    "address": "南宾街道玉带路8号", "lat": "30.0", "lng": "108.11", "phone": "023-73331234",
    "day_start": "08:00", "day_end": "17:30", "am_start": "08:00", "am_end": "12:00",
    "pm_start": "14:00", "pm_end": "17:30", "inclusive": "1", "open_to_public": "1",
    "description": "有户外活动场地。",
}


def _post(client, path, form, page=None):
    return client.post(path, data={"csrf_token": csrf(client, page or path), **form})


def _api(client, user, path):
    return client.get(f"/api/v1/operator/nurseries{path}", headers=bearer(user))


def _profile(nursery):
    return f"/console/nurseries/{nursery.id}/profile"


def _form_of(nursery, **changes):
    fields = {key: getattr(nursery, key) for key in (
        "name", "kind", "registration_type", "credit_code", "licensed_places", "township",
        "address", "lat", "lng", "phone", "description")}
    hours = {f"{part}_{end}": nursery.opening_hours[part][i]
             for part in ("day", "am", "pm") for i, end in enumerate(("start", "end"))}
    flags = {key: "1" for key in ("inclusive", "open_to_public") if getattr(nursery, key)}
    return {**{k: str(v) for k, v in fields.items()}, **hours, **flags, **changes}


# -- registration ---------------------------------------------------------------------

def test_registering_signs_the_new_operator_in(client):
    response = _post(client, "/console/register", {
        "username": "yudai-he", "name": "谭园长", "phone": "13800001111",
        "password": "register-1", "confirm_password": "register-1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/nurseries/new")
    user = db.session.scalar(db.select(User).where(User.username == "yudai-he"))
    assert (user.role, user.name, user.phone) == ("operator", "谭园长", "13800001111")
    page = client.get("/console/nurseries/new").get_data(as_text=True)
    assert "账号 yudai-he 已注册并登录。" in page
    login = client.post("/api/v1/auth/login", json={"username": "yudai-he",
                                                    "password": "register-1"})
    assert login.status_code == 200


def test_the_login_page_links_to_registration(client):
    page = client.get("/console/login").get_data(as_text=True)
    assert 'href="/console/register"' in page and "注册机构账号" in page


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"username": "ab"}, "username", "用户名：用户名为 3 到 32 个字母"),
    ({"phone": "12345"}, "phone", "手机号：请输入 11 位中国大陆手机号。"),
    ({"password": "short", "confirm_password": "short"}, "password",
     "密码：长度应为 8 到 128 个字符。"),
    ({"confirm_password": "another-1"}, "confirm_password", "再次输入密码：两次输入的密码不一致。"),
    ({"username": "taken-name"}, "username", "用户名：该用户名已被使用。"),
])
def test_a_refused_registration_says_why_beside_the_field(client, form, field, message):
    make_user("operator", username="taken-name")
    typed = {"username": "new-operator", "name": "谭园长", "phone": "13800001111",
             "password": "register-1", "confirm_password": "register-1", **form}
    response = _post(client, "/console/register", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="f-{field}-error">{message}' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(
        User.role == "operator")) == 1
    assert 'value="谭园长"' in page  # what was typed is kept, the password is not
    assert "register-1" not in page


# -- creating a nursery -----------------------------------------------------------------

def test_creating_a_nursery_stores_a_draft_the_api_shows(client):
    operator = signed_in_client(client)
    response = _post(client, "/console/nurseries/new", NURSERY_FORM)
    assert response.status_code == 302
    listed = _api(client, operator, "").get_json()["items"]
    assert len(listed) == 1
    stored = listed[0]
    assert response.headers["Location"].endswith(f"/console/nurseries/{stored['id']}/profile")
    assert stored["status"] == "draft"
    assert (stored["name"], stored["credit_code"], stored["licensed_places"]) == (
        "玉带河托育园", CREDIT_CODE, 40)
    assert stored["opening_hours"] == {"day": ["08:00", "17:30"], "am": ["08:00", "12:00"],
                                       "pm": ["14:00", "17:30"]}
    assert (stored["lat"], stored["inclusive"], stored["phone"]) == (30.0, True, "023-73331234")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"credit_code": "91500240MA5U7X8Y10"}, "credit_code", "统一社会信用代码：统一社会信用代码"),
    ({"lat": "31.5"}, "lat", "纬度：位置不在石柱县范围内"),
    ({"lng": "东经"}, "lng", "经度：应为数字。"),
    ({"licensed_places": "0"}, "licensed_places", "备案托位数：应在 1 到 1000 之间。"),
    ({"licensed_places": "四十"}, "licensed_places", "备案托位数：应为整数。"),
    ({"kind": "family", "licensed_places": "6"}, "licensed_places",
     "备案托位数：家庭托育点最多收托 5 名婴幼儿，备案托位数不能超过 5。"),
    ({"name": ""}, "name", "机构名称：必填。"),
    ({"phone": "110"}, "phone", "联系电话：应为大陆手机号"),
    ({"am_end": "15:00"}, "hours_am", "上午时段：上午时段应在下午时段开始前结束。"),
    ({"day_start": "8点"}, "hours_day", "全天开放时间：时间应为 HH:MM 格式"),
])
def test_a_bad_field_refuses_the_nursery_beside_that_field(client, changes, field, message):
    operator = signed_in_client(client)
    response = _post(client, "/console/nurseries/new", {**NURSERY_FORM, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="f-{field}-error">{message}' in page
    assert 'value="南宾街道玉带路8号"' in page
    assert _api(client, operator, "").get_json()["items"] == []


# -- the profile and the filing ----------------------------------------------------------

def test_editing_a_draft_changes_it_in_place(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator, filing_status="draft", filing_no=None, filed_on=None)
    response = _post(client, _profile(nursery), _form_of(nursery, phone="13900002222",
                                                         licensed_places="55", day_end="18:00"))
    assert response.status_code == 302
    shown = _api(client, operator, f"/{nursery.id}").get_json()
    assert (shown["phone"], shown["licensed_places"], shown["status"]) == (
        "13900002222", 55, "draft")
    assert shown["opening_hours"]["day"] == ["08:00", "18:00"]
    assert "资料已保存。" in client.get(_profile(nursery)).get_data(as_text=True)


def test_a_changed_registration_fact_sends_a_filed_nursery_back_to_review(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    _post(client, _profile(nursery), _form_of(nursery, name="玉带河托育园（新址）"))
    shown = _api(client, operator, f"/{nursery.id}").get_json()
    assert (shown["name"], shown["status"]) == ("玉带河托育园（新址）", "pending")
    page = client.get(_profile(nursery)).get_data(as_text=True)
    assert "备案已转为“待审核”" in page
    assert "变更登记信息：名称" in page  # the trail


def test_a_descriptive_change_keeps_a_filed_nursery_filed(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    _post(client, _profile(nursery), _form_of(nursery, description="新增绘本室。"))
    shown = _api(client, operator, f"/{nursery.id}").get_json()
    assert (shown["description"], shown["status"]) == ("新增绘本室。", "approved")


def test_a_bad_edit_is_refused_and_changes_nothing(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    response = _post(client, _profile(nursery), _form_of(nursery, name="", licensed_places="0"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-name-error">机构名称：不能为空。' in page
    assert 'id="f-licensed_places-error">备案托位数：应在 1 到 1000 之间。' in page
    shown = _api(client, operator, f"/{nursery.id}").get_json()
    assert (shown["name"], shown["status"]) == (nursery.name, "approved")


def test_turning_a_nursery_into_a_family_point_with_too_many_places_is_refused(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator, licensed_places=40)
    response = _post(client, _profile(nursery), _form_of(nursery, kind="family"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ('id="f-licensed_places-error">备案托位数：家庭托育点最多收托 5 名婴幼儿，'
            '备案托位数不能超过 5。') in page
    assert '<option value="family" selected' in page
    shown = _api(client, operator, f"/{nursery.id}").get_json()
    assert (shown["kind"], shown["status"]) == ("nursery", "approved")


def test_a_revoked_nursery_cannot_be_edited_and_says_why(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator, filing_status="revoked")
    response = _post(client, _profile(nursery), _form_of(nursery, phone="13900002222"))
    assert response.status_code == 422
    assert "备案已撤销的机构不能再修改。" in response.get_data(as_text=True)
    assert _api(client, operator, f"/{nursery.id}").get_json()["phone"] == nursery.phone


def test_submitting_a_draft_puts_it_in_the_regulators_queue(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator, filing_status="draft", filing_no=None, filed_on=None)
    assert 'id="submit-filing"' in client.get(_profile(nursery)).get_data(as_text=True)
    response = _post(client, f"/console/nurseries/{nursery.id}/filing", {}, _profile(nursery))
    assert response.status_code == 302
    assert _api(client, operator, f"/{nursery.id}").get_json()["status"] == "pending"
    page = client.get(_profile(nursery)).get_data(as_text=True)
    assert '<span class="status-pending" id="filing-status">待审核</span>' in page
    assert 'id="submit-filing"' not in page


def test_submitting_twice_is_refused_by_the_filing_rules(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator, filing_status="pending", filing_no=None, filed_on=None)
    response = _post(client, f"/console/nurseries/{nursery.id}/filing", {}, _profile(nursery))
    assert response.status_code == 409
    assert "备案状态为“待审核”，不能进行此操作。" in response.get_data(as_text=True)
    assert _api(client, operator, f"/{nursery.id}").get_json()["status"] == "pending"


def test_a_rejected_nursery_shows_the_reason_and_can_be_resubmitted(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator, filing_status="draft", filing_no=None, filed_on=None)
    _post(client, f"/console/nurseries/{nursery.id}/filing", {}, _profile(nursery))
    refused = client.post(f"/api/v1/admin/filings/{nursery.id}/reject",
                          headers=bearer(make_user("regulator")),
                          json={"reason": "缺少消防验收意见书"})
    assert refused.status_code == 200
    page = client.get(_profile(nursery)).get_data(as_text=True)
    assert 'id="filing-reason">退回理由：缺少消防验收意见书' in page
    assert "重新提交备案" in page
    _post(client, f"/console/nurseries/{nursery.id}/filing", {}, _profile(nursery))
    assert _api(client, operator, f"/{nursery.id}").get_json()["status"] == "pending"


# -- offerings ---------------------------------------------------------------------------

def _offerings(nursery):
    return f"/console/nurseries/{nursery.id}/offerings"


def test_an_offering_priced_in_yuan_is_stored_in_fen(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    response = _post(client, _offerings(nursery), {
        "care_type": "full_day", "price_yuan": "1200.50", "age_min_months": "12",
        "age_max_months": "36", "book_ahead_days": "30", "min_notice_hours": "",
        "cancel_cutoff_hours": "48"})
    assert response.status_code == 302
    items = _api(client, operator, f"/{nursery.id}/offerings").get_json()["items"]
    assert items == [{"care_type": "full_day", "price_fen": 120050, "age_min_months": 12,
                      "age_max_months": 36, "book_ahead_days": 30, "min_notice_hours": 12,
                      "cancel_cutoff_hours": 48}]
    page = client.get(_offerings(nursery)).get_data(as_text=True)
    assert "已开设：1200.50 元每天" in page
    assert 'id="half_day-state">未开设' in page


def test_changing_an_offering_replaces_it_whole(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    form = {"care_type": "hourly", "price_yuan": "25", "book_ahead_days": "7"}
    _post(client, _offerings(nursery), form)
    _post(client, _offerings(nursery), {**form, "price_yuan": "30.5", "book_ahead_days": ""})
    [item] = _api(client, operator, f"/{nursery.id}/offerings").get_json()["items"]
    assert (item["price_fen"], item["book_ahead_days"]) == (3050, 14)  # 14: the default


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"price_yuan": ""}, "price_yuan", "价格（元）：必填。"),
    ({"price_yuan": "12.345"}, "price_yuan", "价格（元）：应为金额（元），最多两位小数"),
    ({"price_yuan": "一千"}, "price_yuan", "价格（元）：应为金额（元）"),
    ({"price_yuan": "-1"}, "price_yuan", "价格（元）：应在 0 到 100000.00 元之间。"),
    ({"price_yuan": "100000.01"}, "price_yuan", "价格（元）：应在 0 到 100000.00 元之间。"),
    ({"age_max_months": "40"}, "age_max_months", "最大月龄：应在 0 到 36 之间。"),
    ({"age_min_months": "30", "age_max_months": "12"}, "age_min_months",
     "最小月龄：最小月龄不能大于最大月龄。"),
    ({"book_ahead_days": "两周"}, "book_ahead_days", "可提前预约天数：应为整数。"),
])
def test_a_bad_offering_is_refused_beside_its_field(client, form, field, message):
    operator = signed_in_client(client)
    nursery = make_nursery(operator)
    response = _post(client, _offerings(nursery),
                     {"care_type": "half_day", "price_yuan": "600", **form})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="half_day-{field}-error">{message}' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Offering)) == 0


# -- another operator's nursery ----------------------------------------------------------

def test_another_operators_nursery_is_not_found_and_unchanged(client):
    signed_in_client(client)
    nursery = make_nursery(filing_status="draft", filing_no=None, filed_on=None)
    for path in (_profile(nursery), _offerings(nursery)):
        response = client.get(path)
        assert response.status_code == 404
        assert "没有找到这家托育机构。" in response.get_data(as_text=True)
    token = csrf(client, "/console/nurseries")
    for path, form in ((_profile(nursery), _form_of(nursery, name="改名托育园")),
                       (f"/console/nurseries/{nursery.id}/filing", {}),
                       (_offerings(nursery), {"care_type": "full_day", "price_yuan": "1"})):
        assert client.post(path, data={"csrf_token": token, **form}).status_code == 404
    db.session.expire_all()
    stored = db.session.get(Nursery, nursery.id)
    assert (stored.name, stored.filing_status) == (nursery.name, "draft")
    assert db.session.scalar(db.select(db.func.count()).select_from(Offering)) == 0


def test_my_nurseries_lists_state_names_and_each_nurserys_pages(client):
    operator = signed_in_client(client)
    nursery = make_nursery(operator, filing_status="rejected", filing_no=None, filed_on=None)
    page = client.get("/console/nurseries").get_data(as_text=True)
    assert 'href="/console/nurseries/new"' in page
    assert '<td data-label="备案状态" class="status-rejected">已退回' in page
    for path in ("profile", "offerings", "slots/new", "calendar", "roster"):
        assert f'href="/console/nurseries/{nursery.id}/{path}"' in page
