"""The console's 入托申请 tab: an operator opens a round of monthly places through the form,
sees its held places and seed, is told why a round is refused, and reads a round's
applicants with their line positions after allocation."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from parentapp.extensions import db
from parentapp.models import PlaceRound, Slot, Township, utcnow
from parentapp.timeutil import LOCAL_TZ, add_months, local_today, month_range
from tests.console.console_helpers import csrf, signed_in_client, table_rows
from tests.place_factories import (
    allocate,
    applicant,
    apply_for,
    closes,
    open_round,
    round_nursery,
    target_month,
)

TOWN_A, TOWN_B = "500240001", "500240002"


def _closing(month: str) -> str:
    """Six hours before the factories' closing time, as a datetime-local input types it."""
    return (closes(month) - timedelta(hours=6)).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def _open(client, nursery, **changes):
    url = f"/console/nurseries/{nursery.id}/rounds"
    month = changes.get("month", target_month())
    form = {"csrf_token": csrf(client, url), "month": month, "places": "2",
            "priority_rules": "township,siblings", **changes}
    if "closes_at" not in form:
        form["closes_at"] = _closing(month)
    return client.post(url, data=form)


def test_an_operator_opens_a_round_and_sees_its_held_places_and_seed(client):
    operator = signed_in_client(client)
    nursery = round_nursery(operator, capacity=5)
    month = target_month()
    response = _open(client, nursery, places="3", priority_rules="siblings,township")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"已发起 {month} 的入托申请" in page
    [place_round] = db.session.scalars(select(PlaceRound)).all()
    assert place_round.priority_rules == ["siblings", "township"]
    [header, row] = table_rows(page, "rounds")
    assert header[:3] == ["月份", "名额", "仍留出"]
    closing = (closes(month) - timedelta(hours=6)).astimezone(LOCAL_TZ)
    assert row[:7] == [month, "3", "3", closing.strftime("%Y-%m-%d %H:%M"),
                       "同胞优先→乡镇优先", "接受申请中", place_round.seed]
    held = set(db.session.scalars(select(Slot.round_held).where(Slot.nursery_id == nursery.id)))
    assert held == {3}
    assert 'aria-current="page">入托申请' in page


def test_no_priority_is_the_draw_only(client):
    operator = signed_in_client(client)
    nursery = round_nursery(operator)
    assert _open(client, nursery, priority_rules="none").status_code == 302
    assert db.session.scalar(select(PlaceRound.priority_rules)) == []
    page = client.get(f"/console/nurseries/{nursery.id}/rounds").get_data(as_text=True)
    assert "不设优先（仅抽签）" in table_rows(page, "rounds")[1]


def test_a_round_past_its_closing_time_shows_as_closed_until_allocated(client):
    operator = signed_in_client(client)
    nursery = round_nursery(operator)
    place_round = open_round(nursery, 1)
    place_round.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/console/nurseries/{nursery.id}/rounds").get_data(as_text=True)
    assert table_rows(page, "rounds")[1][5] == "已截止，待分配"
    page = client.get(f"/console/nurseries/{nursery.id}/rounds/{place_round.id}")
    assert '<dd id="round-status">已截止，待分配</dd>' in page.get_data(as_text=True)


def test_a_month_without_full_day_slots_is_refused_in_the_banner(client):
    operator = signed_in_client(client)
    nursery = round_nursery(operator)
    empty = add_months(month_range(target_month())[0], 1).strftime("%Y-%m")
    response = _open(client, nursery, month=empty)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "这个月还没有开放的全日托时段，请先生成时段再发起入托申请。" in page
    assert f'value="{empty}"' in page  # what was typed is kept
    assert db.session.scalar(select(PlaceRound.id)) is None


def test_more_places_than_a_slot_has_left_are_refused(client):
    operator = signed_in_client(client)
    nursery = round_nursery(operator, capacity=5)
    response = _open(client, nursery, places="6")
    assert response.status_code == 422
    assert "部分时段剩余名额不足" in response.get_data(as_text=True)
    assert set(db.session.scalars(select(Slot.round_held))) == {0}


def test_bad_fields_are_shown_beside_them_by_their_chinese_labels(client):
    operator = signed_in_client(client)
    nursery = round_nursery(operator)
    response = _open(client, nursery, month="2027-13", places="501", closes_at="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="round-month-error"' in page and "月份：应为 YYYY-MM 格式的月份。" in page
    assert 'id="round-places-error"' in page and 'id="round-closes_at-error"' in page


def test_a_second_round_for_the_month_is_refused(client):
    operator = signed_in_client(client)
    nursery = round_nursery(operator)
    open_round(nursery, 1)
    response = _open(client, nursery)
    assert response.status_code == 422
    assert "这个月已经发起过入托申请。" in response.get_data(as_text=True)


def test_applicants_are_listed_with_their_positions_and_results(client):
    operator = signed_in_client(client)
    nursery = round_nursery(operator, township=TOWN_A)
    other = round_nursery(township=TOWN_B)
    place_round = open_round(nursery, 1)
    open_round(other, 1)
    parent, local_child = applicant(TOWN_A, name="本镇宝宝")
    local = apply_for(parent, local_child, [nursery])
    far = apply_for(*applicant(TOWN_B, name="外镇宝宝"), [other, nursery])
    third = apply_for(*applicant(TOWN_B, name="第三宝宝"), [nursery])
    url = f"/console/nurseries/{nursery.id}/rounds/{place_round.id}"
    before = table_rows(client.get(url).get_data(as_text=True), "applicants")
    assert [row[7] for row in before[1:]] == ["已提交"] * 3
    allocate()
    page = client.get(url).get_data(as_text=True)
    assert '<dd id="round-status">已分配</dd>' in page
    rows = {row[1]: row for row in table_rows(page, "applicants")[1:]}
    assert rows["本镇宝宝"][:6] == ["1", "本镇宝宝", "第 1 志愿", "南宾街道", "是", "否"]
    assert rows["本镇宝宝"][7] == "已录取待确认"
    assert rows["外镇宝宝"][2] == "第 2 志愿" and rows["外镇宝宝"][7] == "已去其他机构"
    assert rows["第三宝宝"][7] == "未分到" and rows["第三宝宝"][4] == "否"
    assert sorted(int(row[0]) for row in rows.values()) == [1, 2, 3]
    assert {len(row[6]) for row in rows.values()} == {8}  # the draw's prefix
    assert set(map(int, re.findall(r'data-application="(\d+)"', page))) == {
        local.id, far.id, third.id}
    assert 'aria-current="page">入托申请' in page


def test_another_operators_round_is_not_found(client):
    signed_in_client(client)
    nursery = round_nursery()
    place_round = open_round(nursery, 1)
    assert client.get(f"/console/nurseries/{nursery.id}/rounds").status_code == 404
    assert client.get(
        f"/console/nurseries/{nursery.id}/rounds/{place_round.id}").status_code == 404


def test_the_dashboard_shows_demand_by_township_with_the_unmet_emphasised(client):
    month = target_month()
    near, far = round_nursery(township=TOWN_A), round_nursery(township=TOWN_A)
    open_round(near, 1)
    open_round(far, 1)
    for _ in range(3):
        apply_for(*applicant(TOWN_A), [near, far])
    apply_for(*applicant(TOWN_B), [near])
    allocate()
    signed_in_client(client, "regulator")
    page = client.get(f"/console/dashboard?demand_month={month}").get_data(as_text=True)
    rows = {row[0]: row[1:] for row in table_rows(page, "demand-table")[1:]}
    assert rows["南宾街道"] == ["3", "2", "1", "2"]
    assert rows["全县合计"] == ["4", "2", "2", "2"]
    assert rows[db.session.get(Township, TOWN_B).name] == ["1", "0", "1", "0"]
    assert len(rows) == db.session.scalar(select(func.count()).select_from(Township)) + 1
    assert f"入托需求 · {month}" in page
    assert '<span id="demand-unmet">2</span>' in page
    assert '<td class="num unplaced"><strong class="error">1</strong></td>' in page


def test_the_demand_block_defaults_to_next_month_and_answers_a_bad_month(client):
    signed_in_client(client, "regulator")
    next_month = add_months(local_today(utcnow()).replace(day=1), 1).strftime("%Y-%m")
    page = client.get("/console/dashboard").get_data(as_text=True)
    assert f"入托需求 · {next_month}" in page and f'value="{next_month}"' in page
    assert table_rows(page, "demand-table")[-1] == ["全县合计", "0", "0", "0", "0"]
    response = client.get("/console/dashboard?demand_month=2027-3")
    assert response.status_code == 200  # the rest of the dashboard still shows
    page = response.get_data(as_text=True)
    assert 'id="demand-month-error"' in page and "应为 YYYY-MM 格式的月份。" in page
    assert 'id="demand-table"' not in page and 'id="tiles"' in page
