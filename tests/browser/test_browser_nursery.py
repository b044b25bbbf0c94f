"""A new operator's first hour in Chromium: register, sign in, create the nursery, set an
offering and submit the filing; every page fits the screen at both widths."""

from werkzeug.security import generate_password_hash

from parentapp.extensions import db
from parentapp.models import Nursery, Offering
from parentapp.services.nurseries.credit_code import with_check
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.factories import make_nursery, make_user

PASSWORD = "browser-pass-1"


def _register(page) -> None:
    page.goto("/console/login")
    page.click("#to-register")
    assert_fits(page)
    page.fill("#f-username", "chengnan-tuoyu")
    page.fill("#f-name", "冉园长")
    page.fill("#f-phone", "13800002345")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-confirm_password", PASSWORD)
    with page.expect_navigation():
        page.click("#register")
    page.wait_for_url("**/console/nurseries/new")
    assert "账号 chengnan-tuoyu 已注册并登录。" in page.inner_text(".flash.success")


def _fill_nursery(page) -> None:
    page.fill("#f-name", "城南托育园")
    page.select_option("#f-kind", "nursery")
    page.select_option("#f-registration_type", "for_profit")
    page.fill("#f-credit_code", with_check("91500240MA5U7X8Y2"))
    page.fill("#f-licensed_places", "30")
    page.select_option("#f-township", "500240001")
    page.fill("#f-address", "南宾街道城南路12号")
    page.fill("#f-lat", "31.5")  # outside the county: refused first
    page.fill("#f-lng", "108.11")
    page.fill("#f-phone", "023-73335678")


def test_a_new_operator_registers_creates_a_nursery_prices_it_and_files_it(screen):
    page = screen
    _register(page)
    assert_fits(page)
    with page.expect_navigation():
        page.click("#logout")
    sign_in(page, "chengnan-tuoyu", PASSWORD)

    with page.expect_navigation():
        page.click("nav.menu >> text=我的机构")
    assert page.wait_for_selector("#no-nurseries").is_visible()
    assert_fits(page)
    page.click("#new-nursery")
    _fill_nursery(page)
    with page.expect_navigation():
        page.click("#save-nursery")
    assert page.inner_text("#f-lat-error").startswith("纬度：位置不在石柱县范围内")
    assert page.input_value("#f-address") == "南宾街道城南路12号"
    assert_fits(page)
    page.fill("#f-lat", "29.99")
    with page.expect_navigation():
        page.click("#save-nursery")
    assert page.inner_text("#filing-status") == "草稿"
    assert_fits(page)

    with page.expect_navigation():
        page.click("nav.tabs >> text=服务项目")
    page.fill("#full_day-price_yuan", "1200.50")
    page.fill("#full_day-age_min_months", "12")
    with page.expect_navigation():
        page.click("#save-full_day")
    assert page.inner_text("#full_day-state") == "已开设：1200.50 元每天"
    assert page.inner_text("#half_day-state") == "未开设"
    assert_fits(page)

    with page.expect_navigation():
        page.click("nav.tabs >> text=机构资料")
    with page.expect_navigation():
        page.click("#submit-filing")
    assert page.inner_text("#filing-status") == "待审核"
    assert "已提交备案" in page.inner_text(".flash.success")
    assert_fits(page)

    db.session.expire_all()
    nursery = db.session.scalar(db.select(Nursery).where(Nursery.name == "城南托育园"))
    assert (nursery.filing_status, nursery.lat, nursery.licensed_places) == ("pending", 29.99, 30)
    offering = db.session.scalar(db.select(Offering).where(Offering.nursery_id == nursery.id))
    assert (offering.care_type, offering.price_fen, offering.age_min_months) == (
        "full_day", 120050, 12)


def test_a_family_care_point_with_too_many_places_is_refused_beside_the_field(screen):
    page = screen
    operator = make_user("operator", username="zhongyi-jiating",
                         password_hash=generate_password_hash(PASSWORD))
    nursery = make_nursery(operator, licensed_places=12, township="500240207")
    sign_in(page, "zhongyi-jiating", PASSWORD)
    page.goto(f"/console/nurseries/{nursery.id}/profile")
    page.select_option("#f-kind", "family")
    with page.expect_navigation():
        page.click("#save-nursery")
    assert page.inner_text("#f-licensed_places-error") == (
        "备案托位数：家庭托育点最多收托 5 名婴幼儿，备案托位数不能超过 5。")
    assert page.input_value("#f-kind") == "family"
    assert_fits(page)
    page.fill("#f-licensed_places", "5")
    with page.expect_navigation():
        page.click("#save-nursery")
    assert page.inner_text("#filing-status") == "待审核"
    db.session.rollback()  # a fresh snapshot: the server wrote since
    stored = db.session.get(Nursery, nursery.id)
    assert (stored.kind, stored.licensed_places) == ("family", 5)
