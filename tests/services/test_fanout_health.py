"""Vaccine and checkup reminders reach each of a child's people with reminders on, once each:
planning, recording, re-planning, people joining, leaving and turning reminders off."""

from datetime import date, time, timedelta

from parentapp.extensions import db
from parentapp.models import Notification
from parentapp.service_settings import health_schedule
from parentapp.services.accounts import children
from parentapp.services.family import fanout
from parentapp.services.health import records
from parentapp.services.reminders.health_planning import mark_child_changed, plan_health_reminders
from parentapp.timeutil import local_instant
from tests.factories import make_child
from tests.fanout_factories import add_person, notes, per_user, remove_person, set_reminders
from tests.fanout_factories import family as any_family
from tests.sqlcount import count_statements

BORN = date(2025, 6, 1)
NOW = local_instant(date(2025, 7, 25), time(10))


def family(carers=1, viewers=1):
    """A child 8 weeks old on NOW (added a month ago): its guardian, carers and viewers."""
    return any_family(carers, viewers, name="小明", birth_date=BORN,
                      created_at=NOW - timedelta(days=30))


def plan(at=NOW):
    return plan_health_reminders(at, schedule=health_schedule())


def codes(row):
    return [item["code"] for item in row.covered_items]


def health_rows(child):
    return notes(Notification.child_id == child.id, Notification.kind.in_(("vaccine", "checkup")))


def test_each_person_with_reminders_on_gets_their_own_row_once():
    child, hearing, [viewer] = family(carers=2)
    totals = plan()
    assert totals["created"] == 3
    rows = health_rows(child)
    assert per_user(rows) == {person.id: 1 for person in hearing}
    assert viewer.id not in per_user(rows)
    base = f"health:{child.id}:vaccine:2025-07-29"
    assert sorted(r.dedupe_key for r in rows) == sorted(
        fanout.keyed_for(base, person.id) for person in hearing)
    assert {(r.title, r.body, str(r.wechat_data), r.send_after) for r in rows} == {
        (rows[0].title, rows[0].body, str(rows[0].wechat_data), rows[0].send_after)}
    mark_child_changed(child.id)
    db.session.commit()
    again = plan(NOW + timedelta(minutes=5))
    assert again["created"] == 0 and len(health_rows(child)) == 3


def test_recording_an_item_rewrites_every_persons_row_then_withdraws_them():
    child, hearing, _ = family(carers=2)
    plan()
    carer = hearing[1]
    records.record_item(carer.id, child.id, code="IPV-1", done_on=date(2025, 7, 25), now=NOW,
                        schedule=health_schedule())
    rows = health_rows(child)
    assert len(rows) == 3 and all(codes(r) == ["DTaP-1"] for r in rows)
    assert all(r.delivery_state == "pending" and "脊灰" not in r.body for r in rows)
    records.record_item(hearing[0].id, child.id, code="DTaP-1", done_on=date(2025, 7, 25),
                        now=NOW, schedule=health_schedule())
    assert {r.delivery_state for r in health_rows(child)} == {"withdrawn"}
    plan(NOW + timedelta(minutes=5))
    assert [r.delivery_state for r in health_rows(child)] == ["withdrawn"] * 3


def test_a_new_birth_date_moves_every_persons_reminder():
    child, hearing, _ = family(carers=1)
    plan()
    children.update_child(hearing[0].id, child.id, {"birth_date": date(2025, 6, 3)}, NOW)
    totals = plan(NOW + timedelta(minutes=5))
    assert totals["withdrawn"] == 2 and totals["created"] == 2
    rows = health_rows(child)
    states = {(r.user_id, r.dedupe_key.split(":")[3]): r.delivery_state for r in rows}
    assert states == {key: state for person in hearing
                      for key, state in (((person.id, "2025-07-29"), "withdrawn"),
                                         ((person.id, "2025-07-31"), "pending"))}


def test_a_person_who_joins_gets_the_pending_reminders_and_nobody_a_second():
    child, hearing, _ = family(carers=1, viewers=0)
    plan()
    before = {r.user_id: r.id for r in health_rows(child)}
    newcomer = add_person(child)
    mark_child_changed(child.id)
    db.session.commit()
    totals = plan(NOW + timedelta(minutes=5))
    assert totals["created"] == 1
    rows = health_rows(child)
    assert per_user(rows) == {person.id: 1 for person in [*hearing, newcomer]}
    assert {r.user_id: r.id for r in rows if r.user_id != newcomer.id} == before
    [mine] = [r for r in rows if r.user_id == newcomer.id]
    assert mine.delivery_state == "pending" and codes(mine) == ["DTaP-1", "IPV-1"]
    assert plan(NOW + timedelta(minutes=10))["created"] == 0


def test_withdraw_for_takes_only_that_persons_pending_rows_about_that_child():
    child, [guardian, carer], _ = family(carers=1, viewers=0)
    sibling = make_child(guardian, birth_date=BORN, created_at=NOW - timedelta(days=30))
    add_person(sibling, carer)
    plan()
    assert fanout.withdraw_for(carer.id, child.id) == 1
    db.session.commit()
    states = {(r.child_id, r.user_id): r.delivery_state
              for r in notes(Notification.kind == "vaccine")}
    assert states == {(child.id, guardian.id): "pending", (child.id, carer.id): "withdrawn",
                      (sibling.id, guardian.id): "pending", (sibling.id, carer.id): "pending"}
    assert fanout.withdraw_for(carer.id, child.id) == 0


def test_turning_reminders_off_and_planning_again_brings_nothing_back_until_turned_on():
    child, [guardian, carer], _ = family(carers=1, viewers=0)
    plan()
    set_reminders(child, carer, False)
    fanout.withdraw_for(carer.id, child.id)
    mark_child_changed(child.id)
    db.session.commit()
    totals = plan(NOW + timedelta(minutes=5))
    assert totals["created"] == 0 and totals["updated"] == 0
    assert per_user(health_rows(child), "pending") == {guardian.id: 1}
    assert len(health_rows(child)) == 2
    # On again: the same row comes back (one row per person and reminder, ever).
    set_reminders(child, carer, True)
    mark_child_changed(child.id)
    db.session.commit()
    totals = plan(NOW + timedelta(minutes=10))
    assert totals["created"] == 0 and totals["updated"] == 1
    assert per_user(health_rows(child), "pending") == {guardian.id: 1, carer.id: 1}
    assert len(health_rows(child)) == 2


def test_a_changed_childs_replanning_withdraws_rows_of_people_who_no_longer_hear():
    child, [guardian, carer, gone], _ = family(carers=2, viewers=0)
    plan()
    set_reminders(child, carer, False)  # without withdraw_for: planning still catches it
    remove_person(child, gone)
    mark_child_changed(child.id)
    db.session.commit()
    totals = plan(NOW + timedelta(minutes=5))
    assert totals["withdrawn"] == 2 and totals["created"] == 0
    assert per_user(health_rows(child), "pending") == {guardian.id: 1}


def test_planning_many_people_takes_a_fixed_number_of_statements():
    for _ in range(7):
        family(carers=2, viewers=1)
    with count_statements() as statements:
        totals = plan_health_reminders(NOW, batch_size=3, schedule=health_schedule())
    assert totals["children"] == 7 and totals["created"] == 7 * 3
    # Per batch: candidates, records, recipients, insert, plan upsert; then one empty
    # candidates query (as for children with one person each).
    assert len([s for s in statements if s.lstrip().upper().startswith(
        ("SELECT", "INSERT"))]) <= 3 * 5 + 1
