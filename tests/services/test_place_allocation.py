"""Allocating monthly places: held places, priorities and the draw, deferred acceptance,
offers that expire and pass on, places back on sale, idempotent runs."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from parentapp import jobs
from parentapp.extensions import db
from parentapp.models import (
    Application,
    Booking,
    Notification,
    PlaceRound,
    Slot,
    WaitlistEntry,
)
from parentapp.services.places import allocation, matching, offers
from parentapp.timeutil import month_range
from tests.booking_factories import book, fresh
from tests.factories import make_child, make_user
from tests.place_factories import (
    allocate,
    applicant,
    apply_for,
    closes,
    open_round,
    round_nursery,
    target_month,
)

TOWN_A, TOWN_B = "500240001", "500240002"


def slots_of(nursery) -> list[Slot]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Slot).where(Slot.nursery_id == nursery.id)))


def app(application_id) -> Application:
    return fresh(Application, application_id)


def after_close(minutes=1):
    return closes(target_month()) + timedelta(minutes=minutes)


def test_opening_a_round_holds_its_places_out_of_every_slot_of_the_month(db):
    nursery = round_nursery(capacity=5)
    open_round(nursery, 2)
    slots = slots_of(nursery)
    assert len(slots) >= 20
    assert {s.round_held for s in slots} == {2}
    parent = make_user("parent")
    # Only 3 places of each slot are left for first-come booking.
    for _ in range(3):
        book(make_user("parent"), [slots[0]])
    with pytest.raises(Exception) as refused:
        book(parent, [slots[0]])
    assert getattr(refused.value, "code", None) == "slot_full"


def test_township_first_then_the_draw_decides_and_the_seed_reproduces_it(db):
    nursery = round_nursery(township=TOWN_A)
    place_round = open_round(nursery, 1)
    outsider = apply_for(*applicant(TOWN_B), [nursery])
    local = apply_for(*applicant(TOWN_A), [nursery])
    others = [apply_for(*applicant(TOWN_B), [nursery]) for _ in range(3)]
    allocate()
    assert app(local.id).status == "offered"
    assert app(local.id).round_id == place_round.id
    losers = [app(a.id) for a in [outsider, *others]]
    assert {a.status for a in losers} == {"unplaced"}
    # The line after the local family is the published draw: sha256(seed + id) ascending.
    seed = fresh(PlaceRound, place_round.id).seed
    expected = sorted(losers, key=lambda a: hashlib.sha256(f"{seed}{a.id}".encode()).hexdigest())
    positions = {a.id: a.choices[0].position for a in losers}
    assert [a.id for a in expected] == sorted(positions, key=positions.get)
    assert app(local.id).choices[0].position == 1
    assert all(a.choices[0].draw == matching.draw_key(seed, a.id) for a in losers)


def test_siblings_come_first_when_the_round_says_so(db):
    nursery = round_nursery(township=TOWN_A)
    open_round(nursery, 1, priority_rules=["siblings", "township"])
    parent, _ = applicant(TOWN_B)
    older = make_child(parent, name="哥哥")
    first_day = month_range(target_month())[0]
    book(parent, [s for s in slots_of(nursery) if s.date == first_day], child=older)
    sibling_app = apply_for(parent, make_child(parent, name="弟弟"), [nursery])
    local = apply_for(*applicant(TOWN_A), [nursery])
    allocate()
    assert app(sibling_app.id).status == "offered"
    assert app(sibling_app.id).choices[0].sibling is True
    assert app(local.id).status == "unplaced"
    assert app(local.id).choices[0].township_first is True


def test_no_family_is_passed_over_for_one_who_ranked_the_nursery_lower(db):
    """Deferred acceptance: A's second choice is B's first; A has priority there."""
    first = round_nursery(township=TOWN_A)
    second = round_nursery(township=TOWN_B)
    open_round(first, 1)
    open_round(second, 1)
    rival = apply_for(*applicant(TOWN_A), [first])  # priority at the first nursery
    family = apply_for(*applicant(TOWN_B), [first, second])  # priority at the second
    other = apply_for(*applicant(TOWN_A), [second])
    allocate()
    assert app(rival.id).nursery_id == first.id
    assert app(family.id).nursery_id == second.id  # kept ahead of `other` at its second choice
    assert app(other.id).status == "unplaced"


def test_places_nobody_is_offered_go_back_on_sale_and_to_the_waitlists(db):
    nursery = round_nursery(capacity=3)
    place_round = open_round(nursery, 2)
    slot = slots_of(nursery)[0]
    book(make_user("parent"), [slot])  # the one place left for sale: now full
    waiting_parent = make_user("parent")
    waiting_child = make_child(waiting_parent)
    db.session.add(WaitlistEntry(slot_id=slot.id, parent_id=waiting_parent.id,
                                 child_id=waiting_child.id, created_at=after_close()))
    db.session.commit()
    apply_for(*applicant(), [nursery])
    allocate(now=after_close())
    round_now = fresh(PlaceRound, place_round.id)
    assert round_now.status == "allocated" and round_now.held == 1
    assert {s.round_held for s in slots_of(nursery)} == {1}
    # The place nobody was offered went to the slot's waitlist at once.
    entry = db.session.scalar(db.select(WaitlistEntry).where(
        WaitlistEntry.child_id == waiting_child.id))
    assert entry.status == "offered"
    assert fresh(Slot, slot.id).held == 1


def test_allocating_twice_changes_nothing(db):
    nursery = round_nursery()
    open_round(nursery, 1)
    apps = [apply_for(*applicant(), [nursery]) for _ in range(3)]
    first = allocate()
    before = [(a.status, a.round_id, a.offer_expires_at) for a in map(app, [a.id for a in apps])]
    messages = db.session.scalar(db.select(db.func.count()).select_from(Notification))
    second = allocate(now=after_close(30))
    assert first["rounds"] == 1 and second["rounds"] == 0
    after = [(a.status, a.round_id, a.offer_expires_at) for a in map(app, [a.id for a in apps])]
    assert before == after
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == messages
    assert jobs.run_job("allocate-places", after_close(60)) == "no month to allocate"


def test_a_month_waits_until_every_round_has_closed(db):
    early = round_nursery()
    late = round_nursery()
    open_round(early, 1)
    late_round = open_round(late, 1)
    late_round.closes_at = closes(target_month()) + timedelta(days=2)
    db.session.commit()
    apply_for(*applicant(), [early])
    assert allocation.months_ready(after_close()) == []
    assert allocation.months_ready(after_close(60 * 24 * 3)) == [target_month()]


def accept(application, now=None):
    child = db.session.get(Application, application.id).child_id
    parent_id = db.session.execute(db.text(
        "SELECT user_id FROM child_people WHERE child_id = :c"), {"c": child}).scalar()
    return offers.accept_offer(parent_id, application.id, now or after_close(2),
                               future_slots_per_child=100)


def test_accepting_books_every_slot_of_the_month_out_of_the_hold(db):
    nursery = round_nursery(capacity=3)
    place_round = open_round(nursery, 1)
    application = apply_for(*applicant(), [nursery])
    allocate()
    booking, created = accept(application)
    assert created
    month_slots = slots_of(nursery)
    assert len(booking.slots) == len(month_slots)
    assert {s.booked for s in month_slots} == {1} and {s.round_held for s in month_slots} == {0}
    assert app(application.id).status == "accepted"
    assert app(application.id).booking_id == booking.id
    assert fresh(PlaceRound, place_round.id).status == "ended"
    again, created_again = accept(application)
    assert again.id == booking.id and not created_again
    kinds = set(db.session.scalars(db.select(Notification.kind).where(
        Notification.subject_id == application.id)))
    assert {"application_submitted", "place_offered", "place_accepted"} <= kinds


def test_accepting_is_all_or_nothing(db):
    nursery = round_nursery(capacity=3)
    open_round(nursery, 1)
    parent, child = applicant()
    application = apply_for(parent, child, [nursery])
    allocate()
    # The child already holds a booking elsewhere on one day of the month.
    other = round_nursery()
    book(parent, [slots_of(other)[3]], child=child)
    with pytest.raises(Exception) as refused:
        accept(application)
    assert refused.value.code == "already_booked"
    assert {s.booked for s in slots_of(nursery)} == {0}
    assert {s.round_held for s in slots_of(nursery)} == {1}
    assert app(application.id).status == "offered"


def test_a_declined_offer_passes_to_the_next_family_in_line(db):
    nursery = round_nursery()
    place_round = open_round(nursery, 1)
    apps = [apply_for(*applicant(), [nursery]) for _ in range(3)]
    allocate()
    offered = next(a for a in map(app, [a.id for a in apps]) if a.status == "offered")
    line = sorted((app(a.id) for a in apps if a.id != offered.id),
                  key=lambda a: a.choices[0].position)
    parent_id = db.session.execute(db.text(
        "SELECT user_id FROM child_people WHERE child_id = :c"), {"c": offered.child_id}).scalar()
    offers.decline_offer(parent_id, offered.id, after_close(5), offer_minutes=120)
    assert app(offered.id).status == "declined"
    assert app(line[0].id).status == "offered" and app(line[1].id).status == "unplaced"
    assert fresh(PlaceRound, place_round.id).held == 1


def test_an_expired_offer_passes_on_and_the_last_goes_back_on_sale(db):
    nursery = round_nursery()
    place_round = open_round(nursery, 1)
    apps = [apply_for(*applicant(), [nursery]) for _ in range(2)]
    allocate()
    start = after_close()
    # 12 hours before the end the family is reminded, once.
    soon = start + timedelta(hours=37)
    assert jobs.run_job("expire-place-offers", soon).startswith("1 reminded")
    assert jobs.run_job("expire-place-offers", soon + timedelta(minutes=5)).startswith(
        "0 reminded")
    assert jobs.run_job("expire-place-offers", start + timedelta(hours=48, minutes=1)) == (
        "0 reminded, 1 expired, 0 rounds ended")
    statuses = sorted(app(a.id).status for a in apps)
    assert statuses == ["expired", "offered"]
    assert jobs.run_job("expire-place-offers", start + timedelta(hours=85)).startswith(
        "1 reminded")  # the second family's offer, 11 hours before its end
    jobs.run_job("expire-place-offers", start + timedelta(hours=97))
    assert sorted(app(a.id).status for a in apps) == ["expired", "expired"]
    round_now = fresh(PlaceRound, place_round.id)
    assert round_now.status == "ended" and round_now.held == 0
    assert {s.round_held for s in slots_of(nursery)} == {0}
    kinds = [k for (k,) in db.session.execute(db.select(Notification.kind).where(
        Notification.kind == "place_offer_expiring"))]
    assert len(kinds) == 2  # each offered family once


def test_an_unplaced_family_is_told_and_a_booking_is_not_made(db):
    nursery = round_nursery()
    open_round(nursery, 1)
    apps = [apply_for(*applicant(), [nursery]) for _ in range(2)]
    allocate()
    unplaced = next(a for a in map(app, [a.id for a in apps]) if a.status == "unplaced")
    assert db.session.scalar(db.select(Notification.title).where(
        Notification.kind == "application_unplaced",
        Notification.child_id == unplaced.child_id)) == "入托申请暂未分到名额"
    assert db.session.scalar(db.select(db.func.count()).select_from(Booking)) == 0


def test_each_person_of_the_child_hears_once(db):
    from parentapp.models import ChildPerson

    nursery = round_nursery()
    open_round(nursery, 1)
    parent, child = applicant()
    grandma = make_user("parent")
    db.session.add(ChildPerson(child_id=child.id, user_id=grandma.id, role="carer",
                               relation="grandparent", reminders=True))
    db.session.commit()
    application = apply_for(parent, child, [nursery])
    allocate()
    allocate(now=after_close(10))
    rows = db.session.execute(db.select(Notification.user_id).where(
        Notification.kind == "place_offered", Notification.subject_id == application.id)).all()
    assert sorted(r[0] for r in rows) == sorted([parent.id, grandma.id])


def test_the_published_seed_and_stored_inputs_reproduce_the_result(db):
    """Anyone with each round's seed and the stored priority facts (township, sibling) can
    recompute the draw, the lines and the match, and gets the offers that were made."""
    nurseries = [round_nursery(township=t) for t in (TOWN_A, TOWN_B, TOWN_A)]
    for nursery, places in zip(nurseries, (2, 1, 3), strict=True):
        open_round(nursery, places)
    rng = __import__("random").Random(5)
    apps = [apply_for(*applicant(rng.choice((TOWN_A, TOWN_B, None))),
                      rng.sample(nurseries, rng.randint(1, 3))).id for _ in range(12)]
    allocate()
    db.session.expire_all()
    rounds = {r.id: r for r in db.session.scalars(db.select(PlaceRound))}
    stored = [db.session.get(Application, a) for a in apps]
    priority = {}
    for application in stored:
        for choice in application.choices:
            place_round = rounds[choice.round_id]
            facts = {"township": choice.township_first, "siblings": choice.sibling}
            draw = hashlib.sha256(f"{place_round.seed}{application.id}".encode()).hexdigest()
            assert choice.draw == draw
            priority[(place_round.id, application.id)] = (
                *(0 if facts[rule] else 1 for rule in place_round.priority_rules), draw)
    again = matching.match(
        [matching.Applicant(a.id, tuple(c.round_id for c in a.choices)) for a in stored],
        {r.id: r.places for r in rounds.values()}, priority)
    assert again == {a.id: a.round_id if a.status == "offered" else None for a in stored}
    assert any(a.status == "unplaced" for a in stored)


def test_a_nursery_whose_filing_was_revoked_offers_nothing(db):
    shown, revoked = round_nursery(), round_nursery()
    open_round(shown, 1)
    open_round(revoked, 1)
    family = apply_for(*applicant(), [revoked, shown])
    revoked.filing_status = "revoked"
    db.session.commit()
    allocate()
    assert app(family.id).nursery_id == shown.id
    assert {s.round_held for s in slots_of(revoked)} == {0}
