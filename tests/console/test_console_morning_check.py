"""The roster's morning-check form: offered on today's checked-in lines, recorded by the
API's service and shown on the line; problems beside the fields (422); another
operator's booking is 404."""

from __future__ import annotations

import re
from datetime import time

from parentapp.console import roster_pages
from parentapp.extensions import db
from parentapp.models import HealthCheck
from parentapp.services.booking import roster
from parentapp.timeutil import local_instant
from tests.alert_factories import booked_child
from tests.booking_factories import make_slot, setup_nursery, today
from tests.console.console_helpers import csrf, signed_in_client
from tests.factories import make_user


def _checked_in(client, monkeypatch, operator=None):
    """A checked-in child on today's roster of the (signed-in) operator's nursery, with
    the console's clock at 08:30 today; returns (nursery, booking, roster url)."""
    operator = operator or signed_in_client(client, "operator")
    nursery, _ = setup_nursery(operator=operator, min_notice_hours=0)
    make_slot(nursery, day=today(), capacity=20)
    booking = booked_child(nursery, today())
    now = local_instant(today(), time(8, 30))
    monkeypatch.setattr(roster_pages, "utcnow", lambda: now)
    roster.mark_attendance(operator.id, booking.id, action="check_in", day=today(), now=now)
    db.session.commit()
    return nursery, booking, f"/console/nurseries/{nursery.id}/roster"


def _row(page: str, booking_id: int) -> str:
    return re.search(rf'<tr data-booking="{booking_id}">(.*?)</tr>', page, re.S).group(1)


def _post(client, booking, url, **form):
    return client.post(f"/console/bookings/{booking.id}/morning-check",
                       data={"csrf_token": csrf(client, url), "back": url, **form})


def test_a_morning_check_is_recorded_and_shown_on_the_line(client, monkeypatch):
    _, booking, url = _checked_in(client, monkeypatch)
    row = _row(client.get(url).get_data(as_text=True), booking.id)
    assert 'class="morning-check"' in row and "记录晨检" in row
    response = _post(client, booking, url, temperature_c="37.8", symptoms=["cough", "fever"],
                     result="sent_home")
    assert response.status_code == 302
    check = db.session.scalar(db.select(HealthCheck).where(HealthCheck.booking_id == booking.id))
    assert (check.temperature_c, check.symptoms, check.result) == (
        37.8, ["fever", "cough"], "sent_home")
    page = client.get(url).get_data(as_text=True)
    assert "晨检已记录。" in page
    row = _row(page, booking.id)
    done = re.search(r'<span class="check-done"[^>]*>(.*?)</span>', row, re.S).group(1)
    assert "37.8℃" in done and "发热、咳嗽" in done and "劝离回家" in done
    assert "更新晨检" in row


def test_problems_are_shown_beside_the_fields_and_nothing_is_stored(client, monkeypatch):
    _, booking, url = _checked_in(client, monkeypatch)
    response = _post(client, booking, url, temperature_c="45", result="maybe")
    assert response.status_code == 422
    row = _row(response.get_data(as_text=True), booking.id)
    prefix = f"check-{booking.id}"
    assert f'id="{prefix}-temperature_c-error"' in row
    assert f'id="{prefix}-result-error"' in row
    assert 'value="45"' in row  # what was typed is kept
    missing = _post(client, booking, url, result="ok")
    assert missing.status_code == 422
    assert f'id="{prefix}-temperature_c-error"' in _row(missing.get_data(as_text=True),
                                                        booking.id)
    assert db.session.scalars(db.select(HealthCheck)).all() == []


def test_another_operators_booking_is_not_found(client, monkeypatch):
    other = make_user("operator")
    _, booking, _ = _checked_in(client, monkeypatch, operator=other)
    signed_in_client(client, "operator")
    response = _post(client, booking, "/console/", temperature_c="36.6", result="ok")
    assert response.status_code == 404
    assert db.session.scalars(db.select(HealthCheck)).all() == []
