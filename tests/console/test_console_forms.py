"""Form problems read as Chinese sentences naming each field by its Chinese label."""

from parentapp.console.forms import app_errors, banner_text, field_errors, problems_text
from parentapp.errors import InvalidState, ValidationFailed


def test_a_string_message_is_one_message_not_one_per_character():
    # The old problems_text joined "2026-12-04" one character at a time.
    assert problems_text({"date": "2026-12-04 不是有效日期。"}) == "日期：2026-12-04 不是有效日期。"


def test_nested_messages_belong_to_the_top_field_under_its_label():
    details = {"windows": {0: {"start": ["时间格式应为 HH:MM。"]}},
               "capacity": ["应在 0 到 1000 之间。"]}
    assert field_errors(details) == {"windows": ["时间格式应为 HH:MM。"],
                                     "capacity": ["应在 0 到 1000 之间。"]}
    assert problems_text(details) == "时间段：时间格式应为 HH:MM。；容量：应在 0 到 1000 之间。"


def test_an_unknown_key_never_leaks_into_the_text():
    assert problems_text({"mystery_key": ["不对。"]}) == "填写内容：不对。"


def test_an_app_error_naming_its_field_is_shown_there_and_in_the_banner():
    exc = InvalidState("出生日期不能晚于已有的健康记录。",
                       details={"field": "birth_date", "health_records": [3]})
    errors = app_errors(exc)
    assert errors == {"_schema": ["出生日期不能晚于已有的健康记录。"],
                      "birth_date": ["出生日期不能晚于已有的健康记录。"]}


def test_a_refusals_data_is_not_shown_as_field_problems():
    # A 409's details say which slots and day, for programs; they are not messages.
    exc = InvalidState("不能为未来的日期签到或签退。", details={"date": "2026-12-04"})
    assert app_errors(exc) == {"_schema": ["不能为未来的日期签到或签退。"]}


def test_the_banner_puts_the_general_problem_first():
    errors = app_errors(ValidationFailed("不能修改。", details={"capacity": ["太小。"]}))
    assert banner_text(errors) == "不能修改。（容量：太小。）"
    assert banner_text({"capacity": ["太小。"]}) == "容量：太小。"
