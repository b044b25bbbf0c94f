"""The roster's pickup list and check-out in Chromium, on a phone and on a desktop."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import delete, select
from werkzeug.security import generate_password_hash

from parentapp.extensions import db
from parentapp.models import BookingSlot, PickupPerson
from parentapp.services.booking import roster
from parentapp.timeutil import local_instant
from tests.booking_factories import book, make_slot, setup_nursery, today
from tests.browser.browser_helpers import sign_in
from tests.factories import make_child, make_user
from tests.pickup_factories import AUNT, GRANDPA, GRANNY, set_pickup

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
REFUSAL = "接送人不在孩子的接送名单上，不能签退。"


def _checked_in(*pickup, name="小禾") -> tuple[int, int]:
    """An operator (op-pickup) whose nursery has today's booking for a checked-in child."""
    operator = make_user("operator", username="op-pickup", name="李园长",
                         password_hash=generate_password_hash("browser-pass-1"))
    nursery, _ = setup_nursery(operator=operator, min_notice_hours=0)
    nursery.name = "南宾街道阳光宝贝托育园（石柱县城北分园）"  # a long name must not widen it
    slot = make_slot(nursery, day=today())
    parent = make_user("parent")
    child = make_child(parent, name=name)
    set_pickup(child, *pickup)
    booking = book(parent, [slot], child=child, now=local_instant(today(), time(6)))
    roster.mark_attendance(operator.id, booking.id, action="check_in", day=today(),
                           now=local_instant(today(), time(8)))
    ids = booking.id, nursery.id
    db.session.commit()  # SQLite: the live server must not wait for the test's lock
    return ids


def _open_roster(page, viewport, nursery_id):
    page.set_viewport_size(viewport)
    sign_in(page, "op-pickup", "browser-pass-1")
    page.goto(f"/console/nurseries/{nursery_id}/roster?date={today()}")
    page.wait_for_selector("#roster")


def _fits(page, viewport, *selectors) -> None:
    """No horizontal scroll, and each named element wholly inside the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    for selector in selectors:
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0, selector
        assert box["x"] + box["width"] <= viewport["width"], selector


def _stored(booking_id):
    db.session.rollback()  # a fresh snapshot, and no read left open while the server writes
    found = db.session.execute(select(BookingSlot.status, BookingSlot.picked_up_by).where(
        BookingSlot.booking_id == booking_id)).one()
    db.session.rollback()
    return tuple(found)


@pytest.mark.parametrize("viewport", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_operator_sees_the_list_and_checks_out_with_a_name_from_it(page, viewport):
    booking_id, nursery_id = _checked_in(GRANNY, GRANDPA, AUNT)
    _open_roster(page, viewport, nursery_id)
    row = f"tr[data-booking='{booking_id}']"
    people = page.locator(f"{row} .pickup-list li")
    assert people.count() == 3
    assert [people.nth(n).inner_text() for n in range(3)] == [
        "王奶奶 祖辈 138****0001", "王爷爷 祖辈 139****0002", "李阿姨 亲属 150****0003"]
    assert "13800000001" not in page.content()
    assert page.locator(f"{row} .pickup-list").is_visible()
    _fits(page, viewport, f"{row} .pickup-list", f"{row} select[name=picked_up_by]",
          f"{row} button.check_out")

    page.select_option(f"{row} select[name=picked_up_by]", "王爷爷")
    with page.expect_navigation():
        page.click(f"{row} button.check_out")
    assert page.inner_text(".flash") == "已签退（王爷爷接走）。"
    assert page.inner_text(f"{row} .picked-up-by").endswith("王爷爷")
    assert page.inner_text(f"{row} .status").endswith("已签退")
    assert page.locator(f"{row} form.check-out").count() == 0
    _fits(page, viewport, f"{row} .picked-up-by")
    assert _stored(booking_id) == ("completed", "王爷爷")


@pytest.mark.parametrize("viewport", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_refusal_is_shown_beside_the_field_and_nothing_changes(page, viewport):
    booking_id, nursery_id = _checked_in(GRANNY, GRANDPA)
    _open_roster(page, viewport, nursery_id)
    row = f"tr[data-booking='{booking_id}']"

    # Nobody chosen.
    with page.expect_navigation():
        page.click(f"{row} button.check_out")
    error = page.locator(f"{row} form.check-out .field-error")
    assert error.inner_text() == REFUSAL
    assert page.locator(".flash").count() == 0
    assert page.get_attribute(f"{row} select[name=picked_up_by]", "aria-invalid") == "true"
    _fits(page, viewport, f"{row} form.check-out .field-error")
    assert _stored(booking_id) == ("checked_in", None)

    # The guardian takes 王爷爷 off the list while the page is open.
    db.session.execute(delete(PickupPerson).where(PickupPerson.name == "王爷爷"))
    db.session.commit()
    page.select_option(f"{row} select[name=picked_up_by]", "王爷爷")
    with page.expect_navigation():
        page.click(f"{row} button.check_out")
    assert page.inner_text(f"{row} form.check-out .field-error") == REFUSAL
    assert page.inner_text(f"{row} .status").endswith("已签到")
    assert page.locator(f"{row} .pickup-list li").count() == 1
    _fits(page, viewport, f"{row} form.check-out .field-error", f"{row} button.check_out")
    assert _stored(booking_id) == ("checked_in", None)

    page.select_option(f"{row} select[name=picked_up_by]", "王奶奶")
    with page.expect_navigation():
        page.click(f"{row} button.check_out")
    assert page.inner_text(".flash") == "已签退（王奶奶接走）。"
    assert page.locator(f"{row} .field-error").count() == 0
    assert _stored(booking_id) == ("completed", "王奶奶")


@pytest.mark.parametrize("viewport", WIDTHS.values(), ids=WIDTHS.keys())
def test_without_a_list_the_operator_types_who_came(page, viewport):
    booking_id, nursery_id = _checked_in()
    _open_roster(page, viewport, nursery_id)
    row = f"tr[data-booking='{booking_id}']"
    assert "未设置" in page.inner_text(f"{row} .pickup")
    _fits(page, viewport, f"{row} input[name=picked_up_by]", f"{row} button.check_out")
    page.fill(f"{row} input[name=picked_up_by]", "邻居张阿姨")
    with page.expect_navigation():
        page.click(f"{row} button.check_out")
    assert page.inner_text(".flash") == "已签退（邻居张阿姨接走）。"
    assert page.inner_text(f"{row} .picked-up-by").endswith("邻居张阿姨")
    _fits(page, viewport)
    assert _stored(booking_id) == ("completed", "邻居张阿姨")
