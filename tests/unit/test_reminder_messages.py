from datetime import UTC, date, datetime

import pytest

from mini_program_api.values import validate_value
from parentapp.services.reminders.messages import (
    HealthItem,
    booking_reminder,
    class_reminder,
    health_message,
)

ITEMS = [HealthItem("DTaP-1", "百白破疫苗 第1剂", date(2026, 12, 3), "due"),
         HealthItem("IPV-1", "脊灰灭活疫苗 第1剂", date(2026, 12, 3), "due"),
         HealthItem("HepB-2", "乙肝疫苗 第2剂", date(2026, 11, 1), "overdue")]
START = datetime(2026, 12, 3, 0, 30, tzinfo=UTC)


def assert_valid(data):
    assert all(validate_value(key, value) is None for key, value in data.items()), data


@pytest.mark.parametrize("kind", ["vaccine", "checkup"])
def test_health_messages_use_the_contract_keys_with_valid_values(kind):
    message = health_message(kind, 7, "欧阳小明明明明明明明明明明明", ITEMS)
    assert list(message.wechat_data) == ["thing1", "date2", "name3", "thing4"]
    assert_valid(message.wechat_data)
    assert message.wechat_data["thing1"] == "乙肝疫苗 第2剂等3项"
    assert message.wechat_data["date2"] == "2026年11月1日"
    assert message.link == "/pages/children/health-plan?child_id=7"


def test_an_overdue_item_changes_the_wording():
    due_only = health_message("vaccine", 1, "小明", ITEMS[:2])
    late = health_message("vaccine", 1, "小明", ITEMS)
    assert due_only.title == "疫苗接种提醒" and "即将到期" in due_only.body
    assert late.title == "疫苗补种提醒" and "尽快补种" in late.body


def test_a_reminder_names_the_day_from_which_the_item_may_be_done():
    message = health_message("vaccine", 1, "小明", [HealthItem("JE-L-1", "乙脑减毒活疫苗 第1剂",
                                                             date(2026, 3, 2), "due")])
    assert "乙脑减毒活疫苗 第1剂（3月2日起可接种）" in message.body


def test_advice_that_needs_a_doctor_is_worded_in_the_reminder():
    advice = ("母亲乙肝表面抗原阳性：接种第1剂乙肝疫苗的同时需注射乙肝免疫球蛋白（HBIG），"
              "请咨询接种门诊。")
    message = health_message("vaccine", 1, "小明", [
        HealthItem("HepB-1", "乙肝疫苗 第1剂", date(2026, 3, 2), "overdue", advice)])
    assert advice in message.body
    assert message.wechat_data["thing4"] == "请先咨询接种门诊"


def test_booking_and_class_reminders_use_the_contract_keys():
    booking = booking_reminder(3, nursery_name="石柱县南宾街道阳光托育中心第一分园",
                               care_type="full_day",
                               child_name="小雨", starts_at=START)
    assert list(booking.wechat_data) == ["thing1", "time2", "phrase3", "name4", "thing5"]
    assert booking.wechat_data["time2"] == "2026年12月3日 08:30"
    assert_valid(booking.wechat_data)
    lesson = class_reminder(4, "科学喂养家长课堂", "南宾街道社区卫生服务中心二楼多功能厅", START)
    assert list(lesson.wechat_data) == ["thing1", "time2", "thing3", "thing4"]
    assert_valid(lesson.wechat_data)
