from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mini_program_api import fit_value, format_date, format_time, validate_value


@pytest.mark.parametrize(
    ("key", "value", "fitted"),
    [
        ("thing1", "百白破疫苗 第3剂", "百白破疫苗 第3剂"),
        (
            "thing1",
            "一二三四五六七八九十一二三四五六七八九十一",
            "一二三四五六七八九十一二三四五六七八九…",
        ),
        ("thing4", "  请携带\n接种证\t ", "请携带 接种证"),
        ("name3", "王小明", "王小明"),
        ("name3", "欧阳一二三四五六七八九", "欧阳一二三四五六七…"),
        ("name3", "Alexandra Catherine Smith", "Alexandra Catherine…"),
        ("phrase3", "已确认", "已确认"),
        ("phrase3", "已取消 (nursery)", "已取消"),
        ("phrase3", "候补名额已释放", "候补名额已"),
        ("character_string1", "BK-2026-0001", "BK-2026-0001"),
        ("character_string1", "编号 BK 7", "BK7"),
        ("character_string1", "x" * 40, "x" * 32),
        ("number2", 42, "42"),
        ("number2", "1,234.5", "1234.5"),
        ("number2", "1." + "5" * 40, "1." + "5" * 30),
        ("amount3", "¥12.50", "¥12.50"),
        ("amount3", Decimal("99.9"), "99.9"),
        ("date2", date(2026, 12, 3), "2026年12月3日"),
        ("date2", "2026-12-03", "2026年12月3日"),
        ("date2", "2026年12月3日 08:00", "2026年12月3日 08:00"),
        ("date2", datetime(2026, 12, 3, 0, 30, tzinfo=UTC), "2026年12月3日 08:30"),
        ("time2", datetime(2026, 12, 3, 8, 0), "2026年12月3日 08:00"),
        ("time2", "2026-12-03T18:00:00+08:00", "2026年12月3日 18:00"),
        ("time2", "08:00", "08:00"),
        ("phone_number4", "023-7333 1234", "023-7333 1234"),
        ("phone_number4", "+86 138 1234 5678", "+86 138 1234 5678"),
    ],
)
def test_fit_value_fits_each_key_type(key, value, fitted):
    assert fit_value(key, value) == fitted
    assert validate_value(key, fitted) is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("thing1", "   "),
        ("thing1", "\n\t"),
        ("phrase3", "OK"),
        ("character_string1", "中文"),
        ("number2", "abc"),
        ("number2", "9" * 33),
        ("amount3", "十元"),
        ("date2", "next week"),
        ("date2", "2026-02-30"),
        ("time2", "2026-12-03"),
        ("time2", "25:00"),
        ("phone_number4", "1" * 18),
        ("phone_number4", "call me"),
        ("unknown1", "x"),
        ("thing", "x"),
    ],
)
def test_fit_value_refuses_what_cannot_be_fitted(key, value):
    with pytest.raises(ValueError):
        fit_value(key, value)


def test_fit_value_errors_do_not_show_the_value():
    with pytest.raises(ValueError) as caught:
        fit_value("phone_number1", "13812345678" * 2)

    assert "13812345678" not in str(caught.value)


@pytest.mark.parametrize(
    ("key", "value", "broken"),
    [
        ("thing1", "一" * 20, None),
        ("thing1", "一" * 21, "more than 20 characters"),
        ("thing1", "", "empty"),
        ("thing1", "a\nb", "contains control characters"),
        ("thing1", 5, "not a string"),
        ("name3", "王" * 10, None),
        ("name3", "王" * 11, "more than 10 characters in a Chinese name"),
        ("name3", "a" * 20, None),
        ("name3", "a" * 21, "more than 20 letters"),
        ("phrase3", "已确认", None),
        ("phrase3", "OK了", "not Chinese characters only"),
        ("phrase3", "一二三四五六", "more than 5 Chinese characters"),
        ("character_string1", "A-1", None),
        ("character_string1", "a b", "not at most 32 letters, digits or symbols"),
        ("number1", "3.5", None),
        ("number1", "-3", "not a number of at most 32 digits"),
        ("amount1", "100元", None),
        ("date2", "2026年12月3日", None),
        ("date2", "2026年13月3日", "not a date such as 2026年12月3日 or 2026年12月3日 08:00"),
        ("time2", "2026年12月3日 23:59", None),
        ("time2", "2026年12月3日", "not a 24-hour time such as 08:00 or 2026年12月3日 08:00"),
        ("phone_number1", "+86 13812345678", None),
        ("letter1", "abc", "unknown key type"),
    ],
)
def test_validate_value_names_the_broken_rule(key, value, broken):
    assert validate_value(key, value) == broken


def test_dates_and_times_are_written_the_chinese_way():
    assert format_date(date(2026, 1, 5)) == "2026年1月5日"
    assert format_time(datetime(2026, 1, 5, 7, 5)) == "2026年1月5日 07:05"
    assert format_time(datetime(2026, 1, 4, 23, 5, tzinfo=UTC)) == "2026年1月5日 07:05"


@settings(max_examples=300, deadline=None, database=None)
@given(
    key=st.sampled_from(["thing1", "name2", "phrase3", "character_string4"]),
    value=st.text(min_size=1, max_size=60),
)
def test_whatever_fit_value_returns_is_valid(key, value):
    try:
        fitted = fit_value(key, value)
    except ValueError:
        return
    assert validate_value(key, fitted) is None
