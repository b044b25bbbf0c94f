"""Calendar months by name ("YYYY-MM"), as rounds of monthly places use them."""

from datetime import date

from parentapp.timeutil import month_of, month_range, next_month


def test_a_month_runs_from_its_first_to_its_last_day():
    assert month_range("2027-02") == (date(2027, 2, 1), date(2027, 2, 28))
    assert month_range("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_range("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))


def test_a_day_names_its_month():
    assert month_of(date(2027, 3, 31)) == "2027-03"
    assert all(month_of(day) == "2027-02" for day in month_range("2027-02"))


def test_the_next_month_follows_the_local_date():
    from datetime import UTC, datetime

    # 2026-12-31 17:00 UTC is already 1 January in Shizhu.
    assert next_month(datetime(2026, 12, 31, 15, 0, tzinfo=UTC)) == "2027-01"
    assert next_month(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == "2027-02"
