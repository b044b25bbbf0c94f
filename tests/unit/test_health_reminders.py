from datetime import date, datetime, time, timedelta

from parentapp.services.health.schedule_files import load_schedule
from parentapp.services.reminders.health_timing import plan_child
from parentapp.timeutil import local_instant

SCHEDULE = load_schedule("cn-nip-2025")
BORN = date(2025, 6, 1)


def at(day: date, clock: time = time(10)) -> datetime:
    return local_instant(day, clock)


def plan(now, records=None, catch_up=False, birth=BORN):
    return plan_child(SCHEDULE, birth, choices={}, records=records or {}, now=now,
                      catch_up=catch_up)


def test_items_due_the_same_day_travel_as_one_message_3_days_before_at_9():
    result = plan(at(date(2025, 7, 25)))
    [reminder] = result.reminders
    assert reminder.kind == "vaccine" and reminder.day == date(2025, 7, 29)
    assert reminder.planned_at == at(date(2025, 7, 29), time(9))
    assert [item.code for item in reminder.items] == ["DTaP-1", "IPV-1"]
    assert {item.stage for item in reminder.items} == {"due"}


def test_vaccines_and_checkups_due_the_same_day_are_separate_messages():
    result = plan(at(date(2025, 8, 27)), records={"IPV-1": date(2025, 8, 1),
                                                   "DTaP-1": date(2025, 8, 1)})
    by_kind = {r.kind: [i.code for i in r.items] for r in result.reminders}
    assert by_kind == {"checkup": ["CHK-3M"], "vaccine": ["IPV-2"]}
    assert {r.day for r in result.reminders} == {date(2025, 8, 29)}


def test_an_item_still_not_recorded_gets_one_overdue_reminder_14_days_after_due():
    result = plan(at(date(2025, 8, 12)), records={"DTaP-1": date(2025, 8, 2)})
    [reminder] = result.reminders
    assert reminder.day == date(2025, 8, 15)
    assert [(i.code, i.stage) for i in reminder.items] == [("IPV-1", "overdue")]


def test_recorded_items_get_no_reminder():
    done = {"IPV-1": date(2025, 8, 1), "DTaP-1": date(2025, 8, 1)}
    assert plan(at(date(2025, 7, 25)), records=done).reminders == []


def test_moments_more_than_3_days_past_are_not_planned():
    # The reminder of 29 July 09:00 is 2 days past on the 31st, 4 days past on 2 August.
    assert plan(at(date(2025, 7, 31))).reminders[0].day == date(2025, 7, 29)
    assert all(r.day != date(2025, 7, 29) for r in plan(at(date(2025, 8, 2))).reminders)


def test_next_plan_on_is_when_the_next_reminder_enters_the_horizon():
    result = plan(at(date(2025, 7, 25)))
    # Next moment beyond the 7-day horizon: IPV-1/DTaP-1 overdue on 15 August.
    assert result.next_plan_on == date(2025, 8, 15) - timedelta(days=7)


def test_nothing_left_to_remind_means_no_next_plan_date():
    born = date(2019, 1, 1)
    records = {code: born for code in SCHEDULE.by_code}
    assert plan(at(date(2025, 7, 25)), records=records, birth=born).next_plan_on is None


def test_a_new_child_gets_one_catch_up_message_per_kind_now():
    now = at(date(2025, 7, 25))
    result = plan(now, catch_up=True)
    catch_up = [r for r in result.reminders if r.day == date(2025, 7, 25)]
    assert {r.kind: [i.code for i in r.items] for r in catch_up} == {
        "checkup": ["NB-VISIT", "CHK-1M"], "vaccine": ["BCG", "HepB-1", "HepB-2"]}
    assert all(r.planned_at == now for r in catch_up)
    assert all(i.stage == "overdue" for r in catch_up for i in r.items)
    # What is still ahead keeps its own reminder.
    assert [r.day for r in result.reminders if r not in catch_up] == [date(2025, 7, 29)]


def test_a_catch_up_in_quiet_hours_waits_for_8():
    result = plan(at(date(2025, 7, 25), time(22)), catch_up=True)
    moments = {r.planned_at for r in result.reminders if r.day == date(2025, 7, 26)}
    assert moments == {at(date(2025, 7, 26), time(8))}
