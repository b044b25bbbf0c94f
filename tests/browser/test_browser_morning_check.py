"""The roster's morning-check form in Chromium, on a phone and a desktop: recorded on a
checked-in line and shown there, and the page never scrolls sideways."""

from __future__ import annotations

from datetime import time

from werkzeug.security import generate_password_hash

from parentapp.console import roster_pages
from parentapp.extensions import db
from parentapp.services.booking import roster
from parentapp.timeutil import local_instant
from tests.alert_factories import booked_child
from tests.booking_factories import make_slot, setup_nursery, today
from tests.browser.browser_helpers import assert_fits, sign_in
from tests.browser.test_browser_every_page import CHECKS
from tests.factories import make_user


def test_operator_records_a_morning_check_and_the_roster_fits(screen, monkeypatch):
    operator = make_user("operator", username="op-check",
                         password_hash=generate_password_hash("browser-pass-1"))
    nursery, _ = setup_nursery(operator=operator, min_notice_hours=0)
    nursery.name = "南宾街道阳光宝贝托育园（石柱县城北分园）"
    make_slot(nursery, day=today(), capacity=20)
    booking = booked_child(nursery, today())
    now = local_instant(today(), time(8, 30))
    monkeypatch.setattr(roster_pages, "utcnow", lambda: now)
    roster.mark_attendance(operator.id, booking.id, action="check_in", day=today(), now=now)
    nursery_id, booking_id = nursery.id, booking.id
    db.session.commit()  # hold no SQLite lock while the live server works

    page = screen
    sign_in(page, "op-check", "browser-pass-1")
    page.goto(f"/console/nurseries/{nursery_id}/roster")
    row = page.locator(f"tr[data-booking='{booking_id}']")
    assert row.locator("form.morning-check").is_visible()
    assert_fits(page)
    assert page.evaluate(CHECKS) == []  # labels, 44 px targets, contrast

    page.fill(f"#check-{booking_id}-temperature_c", "37.9")
    page.check(f"#check-{booking_id}-symptoms-fever")
    page.select_option(f"#check-{booking_id}-result", "sent_home")
    with page.expect_navigation():
        row.locator("button.morning-check-submit").click()
    assert "晨检已记录。" in page.inner_text("body")
    done = page.inner_text(f"#check-{booking_id}")
    assert "37.9℃" in done and "发热" in done and "劝离回家" in done
    assert_fits(page)
