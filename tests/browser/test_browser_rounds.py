"""入托申请 in Chromium, on a phone and a desktop: an operator is refused too many places,
opens a round, reads its applicants after allocation; a regulator reads the month's
unmet demand on the dashboard. Nothing scrolls sideways; labels, targets, contrast."""

from __future__ import annotations

from datetime import timedelta

from werkzeug.security import generate_password_hash

from parentapp.extensions import db
from parentapp.models import Nursery, PlaceRound
from parentapp.timeutil import LOCAL_TZ
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.browser.test_browser_every_page import CHECKS
from tests.factories import make_user
from tests.place_factories import (
    allocate,
    applicant,
    apply_for,
    closes,
    open_round,
    round_nursery,
    target_month,
)

LONG = "南宾街道阳光宝贝托育园（石柱县城北分园）"
TOWN_A, TOWN_B = "500240001", "500240002"


def test_an_operator_opens_a_round_and_reads_its_applicants(screen):
    operator = make_user("operator", username="op-rounds",
                         password_hash=generate_password_hash("browser-pass-1"))
    nursery = round_nursery(operator, capacity=4, name=LONG, township=TOWN_A)
    nursery_id, month = nursery.id, target_month()
    closing = (closes(month) - timedelta(hours=2)).astimezone(LOCAL_TZ)
    db.session.commit()  # hold no SQLite lock while the live server works

    page = screen
    sign_in(page, "op-rounds", "browser-pass-1")
    page.goto(f"/console/nurseries/{nursery_id}/profile")
    page.get_by_role("link", name="入托申请").click()
    page.wait_for_selector("#open-round")
    assert_fits(page)
    assert page.evaluate(CHECKS) == []
    page.fill("#round-month", month)
    page.fill("#round-places", "5")
    page.fill("#round-closes_at", closing.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#round-priority_rules", "siblings,township")
    with page.expect_navigation():
        page.click("#open-round-submit")
    assert "部分时段剩余名额不足" in page.inner_text("#form-error")
    assert_fits(page)
    page.fill("#round-places", "1")
    with page.expect_navigation():
        page.click("#open-round-submit")
    assert f"已发起 {month} 的入托申请" in page.inner_text(".flash")
    row = page.locator("#rounds tbody tr").first
    seed = db.session.scalar(db.select(PlaceRound.seed))
    assert row.locator(".held").inner_text() == "1"
    assert row.locator(".seed").inner_text() == seed
    assert row.locator(".rules").inner_text() == "同胞优先→乡镇优先"
    assert_fits(page)
    assert page.evaluate(CHECKS) == []

    for town in (TOWN_A, TOWN_B, TOWN_B):
        apply_for(*applicant(town), [db.session.get(Nursery, nursery_id)])
    allocate()
    db.session.commit()
    row.get_by_role("link", name="查看申请人").click()
    page.wait_for_selector("#applicants")
    assert page.inner_text("#round-seed") == seed
    results = page.locator("#applicants tbody .result").all_inner_texts()
    assert sorted(results) == sorted(["已录取待确认", "未分到", "未分到"])
    assert page.locator("#applicants tbody .position").all_inner_texts() == ["1", "2", "3"]
    assert_fits(page)
    assert page.evaluate(CHECKS) == []


def test_a_regulator_reads_the_months_unmet_demand(screen):
    make_user("regulator", username="wjw-demand",
              password_hash=generate_password_hash("browser-pass-1"))
    nursery = round_nursery(township=TOWN_A)
    open_round(nursery, 1)
    for _ in range(3):
        apply_for(*applicant(TOWN_A), [nursery])
    allocate()
    month = target_month()
    db.session.commit()

    page = screen
    sign_in(page, "wjw-demand", "browser-pass-1")
    page.click("a:text-is('指标看板')")
    page.wait_for_selector("#demand")
    assert_fits(page)
    assert page.evaluate(CHECKS) == []
    page.fill("#demand-month", month)
    with page.expect_navigation():
        page.click("#demand-submit")
    assert page.inner_text("#demand-unmet") == "2"
    county = page.locator("#demand-table tr[data-code='county'] td").all_inner_texts()
    assert county == ["3", "1", "2", "1"]
    assert page.locator(f"#demand-table tr[data-code='{TOWN_A}'] .unplaced strong").is_visible()
    assert_fits(page)
    assert page.evaluate(CHECKS) == []
