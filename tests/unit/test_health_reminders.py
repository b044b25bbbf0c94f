from datetime import date, datetime, time, timedelta

from parentapp.services.health.schedule_files import load_schedule
from parentapp.services.reminders.health_timing import plan_child
from parentapp.timeutil import local_instant

SCHEDULE = load_schedule("cn-nip-2025")
BORN = date(2025, 6, 1)


def at(day: date, clock: time = time(10)) -> datetime:
    return local_instant(day, clock)


def plan(now, records=None, catch_up=False, birth=BORN, **facts):
    return plan_child(SCHEDULE, birth, choices={}, records=records or {}, now=now,
                      catch_up=catch_up, **facts)


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
        # The newborn visit's window ended at 28 days (2025-06-29): not reminded.
        "checkup": ["CHK-1M"], "vaccine": ["BCG", "HepB-1", "HepB-2"]}
    assert all(r.planned_at == now for r in catch_up)
    assert all(i.stage == "overdue" for r in catch_up for i in r.items)
    # What is still ahead keeps its own reminder.
    assert [r.day for r in result.reminders if r not in catch_up] == [date(2025, 7, 29)]


def test_a_catch_up_in_quiet_hours_waits_for_8():
    result = plan(at(date(2025, 7, 25), time(22)), catch_up=True)
    moments = {r.planned_at for r in result.reminders if r.day == date(2025, 7, 26)}
    assert moments == {at(date(2025, 7, 26), time(8))}


def test_a_child_added_at_10_months_is_not_reminded_of_visits_that_have_passed():
    result = plan(at(date(2026, 4, 1)), catch_up=True)  # 10 months on 2026-04-01
    codes = {item.code for reminder in result.reminders for item in reminder.items}
    assert codes.isdisjoint({"NB-VISIT", "CHK-1M", "CHK-3M", "CHK-6M"})
    assert "CHK-8M" in codes and "HepB-2" in codes


def test_a_dose_held_by_a_live_vaccine_is_reminded_from_the_day_it_may_be_given():
    # MMR-1 on 2026-02-02 (8 months on 2026-02-01): JE-L-1 may follow from 2026-03-02.
    records = {"MMR-1": date(2026, 2, 2), "BCG": BORN}
    result = plan(at(date(2026, 2, 24)), records=records)
    [reminder] = [r for r in result.reminders if "JE-L-1" in {i.code for i in r.items}]
    assert reminder.day == date(2026, 2, 27)  # 3 days before 03-02, not before 02-01
    assert [(i.code, i.due) for i in reminder.items] == [("JE-L-1", date(2026, 3, 2))]
    assert plan(at(date(2026, 2, 3)), records=records).open_items["JE-L-1"] == date(2026, 3, 2)


def test_mpsv_a_is_not_reminded_once_mpsv_ac_replaces_it():
    result = plan(at(date(2027, 6, 2)), catch_up=True)  # 24 months on 2027-06-01
    codes = {item.code for reminder in result.reminders for item in reminder.items}
    assert codes.isdisjoint({"MPSV-A-1", "MPSV-A-2"})
    assert "MPSV-A-1" not in plan(at(date(2027, 6, 2))).open_items


def test_the_clinics_advice_travels_with_the_reminder():
    result = plan(at(date(2025, 6, 1), time(7)), catch_up=True, hbsag_mother="positive",
                  birth=date(2025, 6, 1))
    [hepb] = [i for r in result.reminders for i in r.items if i.code == "HepB-1"]
    assert "HBIG" in hepb.note and "咨询接种门诊" in hepb.note
