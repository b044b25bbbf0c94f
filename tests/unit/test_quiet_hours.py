from datetime import date, time

import pytest

from parentapp.services.reminders.quiet_hours import in_quiet_hours, next_morning, next_send_moment
from parentapp.timeutil import local_instant

DAY = date(2026, 12, 1)


@pytest.mark.parametrize(("clock", "quiet"), [
    (time(7, 59), True), (time(8, 0), False), (time(12, 0), False), (time(20, 59), False),
    (time(21, 0), True), (time(23, 30), True), (time(0, 0), True),
])
def test_quiet_hours_run_from_21_to_8_local(clock, quiet):
    assert in_quiet_hours(local_instant(DAY, clock)) is quiet


@pytest.mark.parametrize(("clock", "expected"), [
    (time(9, 0), local_instant(DAY, time(9, 0))),
    (time(22, 15), local_instant(date(2026, 12, 2), time(8, 0))),
    (time(3, 0), local_instant(DAY, time(8, 0))),
])
def test_a_send_in_quiet_hours_waits_for_8(clock, expected):
    assert next_send_moment(local_instant(DAY, clock)) == expected


def test_the_next_morning_after_a_day_time_is_tomorrow():
    assert next_morning(local_instant(DAY, time(10))) == local_instant(date(2026, 12, 2), time(8))
    assert next_morning(local_instant(DAY, time(1))) == local_instant(DAY, time(8))
