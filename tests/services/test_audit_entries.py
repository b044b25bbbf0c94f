"""Every operator and regulator change writes exactly one audit entry with its changed
fields; a change that fails writes none."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from parentapp.errors import AppError
from parentapp.extensions import db
from parentapp.models import AuditEntry, Township, utcnow
from parentapp.service_settings import offer_minutes, token_policy
from parentapp.services.accounts import users
from parentapp.services.booking import roster as booking_roster
from parentapp.services.classes import organizing
from parentapp.services.classes import roster as class_roster
from parentapp.services.nurseries import filings, offerings, operator_nurseries, slot_changes, slots
from parentapp.services.nurseries.credit_code import with_check
from parentapp.services.staff import employment
from parentapp.services.stats import townships
from parentapp.timeutil import local_instant, local_today
from tests.booking_factories import book, in_days, make_offering, make_slot, setup_nursery, today
from tests.factories import make_class, make_enrollment, make_nursery, make_user
from tests.staff_factories import make_staff

NOW = utcnow()
HOURS = {"day": ["08:00", "17:30"], "am": ["08:00", "12:00"], "pm": ["14:00", "17:30"]}


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


# Each case acts once and returns (actor id, subject, nursery id, before, after) expected.

def nursery_create():
    operator = make_user("operator")
    fields = {"name": "南宾新托育园", "address": "南宾街道 1 号", "township": "500240001",
              "lat": 29.99, "lng": 108.11, "phone": "13800000001", "kind": "nursery",
              "inclusive": True, "licensed_places": 40, "opening_hours": HOURS,
              "registration_type": "nonprofit", "credit_code": with_check("52500240000000001"),
              "description": "", "open_to_public": True}
    nursery = operator_nurseries.create_nursery(operator.id, dict(fields), NOW)
    return operator.id, ("nursery", nursery.id), nursery.id, None, fields


def nursery_update():
    nursery = make_nursery()
    old_name, old_phone = nursery.name, nursery.phone
    operator_nurseries.update_nursery(nursery.operator_id, nursery.id, {
        "name": "改名托育园", "phone": "13900000009", "inclusive": nursery.inclusive}, NOW)
    return (nursery.operator_id, ("nursery", nursery.id), nursery.id,
            {"name": old_name, "phone": old_phone, "filing_status": "approved"},
            {"name": "改名托育园", "phone": "13900000009", "filing_status": "pending"})


def filing_submit():
    nursery = make_nursery(filing_status="draft", filing_no=None, filed_on=None)
    operator_nurseries.submit_filing(nursery.operator_id, nursery.id, NOW)
    return (nursery.operator_id, ("nursery", nursery.id), nursery.id,
            {"filing_status": "draft"}, {"filing_status": "pending"})


def filing_approve():
    nursery = make_nursery(filing_status="pending", filing_no=None, filed_on=None)
    regulator = make_user("regulator")
    filings.approve_filing(nursery.id, "石卫托备〔2026〕77号", regulator.id, NOW)
    return (regulator.id, ("nursery", nursery.id), nursery.id,
            {"filing_status": "pending", "filing_no": None, "filed_on": None},
            {"filing_status": "approved", "filing_no": "石卫托备〔2026〕77号",
             "filed_on": local_today(NOW).isoformat()})


def filing_reject():
    nursery = make_nursery(filing_status="pending", filing_no=None, filed_on=None)
    regulator = make_user("regulator")
    filings.reject_filing(nursery.id, "材料不全", regulator.id, NOW)
    return (regulator.id, ("nursery", nursery.id), nursery.id, {"filing_status": "pending"},
            {"filing_status": "rejected", "reason": "材料不全"})


def filing_revoke():
    nursery = make_nursery()
    regulator = make_user("regulator")
    filings.revoke_filing(nursery.id, "停止办学", regulator.id, NOW)
    return (regulator.id, ("nursery", nursery.id), nursery.id, {"filing_status": "approved"},
            {"filing_status": "revoked", "reason": "停止办学"})


def offering_put_new():
    nursery = make_nursery()
    offering = offerings.put_offering(nursery.operator_id, nursery.id, "half_day",
                                      fields={"price_fen": 8000}, now=NOW)
    return (nursery.operator_id, ("offering", offering.id), nursery.id, None,
            {**offerings.default_terms("half_day"), "price_fen": 8000})


def offering_put_change():
    nursery, offering = setup_nursery("full_day")
    offerings.put_offering(nursery.operator_id, nursery.id, "full_day",
                           fields={"price_fen": 18000}, now=NOW)
    return (nursery.operator_id, ("offering", offering.id), nursery.id, {"price_fen": 15000},
            {"price_fen": 18000})


def slots_generate():
    nursery, _ = setup_nursery("full_day")
    slots.generate_slots(nursery.operator_id, nursery.id, care_type="full_day",
                         day_from=in_days(1), day_to=in_days(7), weekdays=[1, 2, 3, 4, 5, 6, 7],
                         capacity=6, parts=None, now=NOW)
    return (nursery.operator_id, ("nursery", nursery.id), nursery.id, None,
            {"care_type": "full_day", "from": in_days(1).isoformat(),
             "to": in_days(7).isoformat(), "weekdays": [1, 2, 3, 4, 5, 6, 7], "capacity": 6,
             "created": 7})


def slot_update():
    nursery, _ = setup_nursery("full_day")
    slot = make_slot(nursery, capacity=5)
    slot_changes.change_slot(nursery.operator_id, slot.id, {"capacity": 8}, NOW,
                             offer_minutes=offer_minutes())
    return nursery.operator_id, ("slot", slot.id), nursery.id, {"capacity": 5}, {"capacity": 8}


def slots_batch():
    nursery, _ = setup_nursery("full_day")
    first, second = make_slot(nursery, capacity=5), make_slot(nursery, day=in_days(4))
    slot_changes.change_slots(nursery.operator_id, nursery.id, [
        {"slot_id": first.id, "capacity": 7},
        {"slot_id": second.id, "status": "closed", "reason": "停电检修"}], NOW,
        offer_minutes=offer_minutes())
    return (nursery.operator_id, ("nursery", nursery.id), nursery.id,
            {str(first.id): {"capacity": 5},
             str(second.id): {"status": "open", "closed_reason": None}},
            {str(first.id): {"capacity": 7},
             str(second.id): {"status": "closed", "closed_reason": "停电检修"}})


def _booking_today():
    nursery, _ = setup_nursery("full_day", min_notice_hours=0)
    slot = make_slot(nursery, day=today())
    return nursery, slot, book(make_user("parent"), [slot], now=NOW - timedelta(days=1))


def _attend(action: str, start: str, end: str, *, first: str | None = None):
    at = local_instant(today(), time(18))  # today's slot has started

    def case():
        nursery, slot, booking = _booking_today()
        if first:
            booking_roster.mark_attendance(nursery.operator_id, booking.id, action=first,
                                           day=today(), now=at)
            db.session.execute(db.delete(AuditEntry))
            db.session.commit()
        booking_roster.mark_attendance(nursery.operator_id, booking.id, action=action,
                                       day=today(), now=at)
        return (nursery.operator_id, ("booking", booking.id), nursery.id,
                {"slots": {str(slot.id): start}}, {"slots": {str(slot.id): end}})
    case.at = at
    return case


def class_create():
    regulator = make_user("regulator")
    starts = local_instant(local_today(NOW) + timedelta(days=10), time(9, 30))
    fields = {"title": "辅食添加课堂", "kind": "parent_class", "township": "500240001",
              "venue": "社区卫生服务中心", "lat": 30.0, "lng": 108.11, "starts_at": starts,
              "ends_at": starts + timedelta(hours=2), "capacity": 30,
              "enroll_deadline": starts - timedelta(days=1), "description": "讲辅食。"}
    created = organizing.create_class(regulator.id, dict(fields), NOW)
    expected = {**fields, "nursery_id": None}
    for key in ("starts_at", "ends_at", "enroll_deadline"):
        expected[key] = fields[key].astimezone(NOW.tzinfo).isoformat()
    expected.pop("nursery_id")  # None before and after: not a change
    return regulator.id, ("class", created["id"]), None, None, expected


def class_update():
    cls = make_class(capacity=10, venue="旧址")
    organizing.update_class(cls.organizer_id, cls.id, {"capacity": 12, "venue": "新址",
                                                       "title": cls.title}, NOW)
    return (cls.organizer_id, ("class", cls.id), None, {"capacity": 10, "venue": "旧址"},
            {"capacity": 12, "venue": "新址"})


def class_cancel():
    operator = make_user("operator")
    nursery = make_nursery(operator)
    cls = make_class(operator, nursery_id=nursery.id)
    organizing.cancel_class(operator.id, cls.id, "天气原因", NOW)
    return (operator.id, ("class", cls.id), nursery.id, {"cancelled_at": None},
            {"cancelled_at": NOW.isoformat(), "cancel_reason": "天气原因"})


def class_attendance():
    starts = NOW - timedelta(hours=1)
    cls = make_class(starts_at=starts, ends_at=starts + timedelta(hours=2),
                     enroll_deadline=starts - timedelta(days=1))
    came, stayed_home = make_enrollment(cls), make_enrollment(cls)
    class_roster.mark_attendance(cls.organizer_id, cls.id, enrollment_ids=[came.id],
                                 attended=True, now=NOW)
    del stayed_home  # not named: unchanged, so not in the entry
    return (cls.organizer_id, ("class", cls.id), None, {"attended": {str(came.id): False}},
            {"attended": {str(came.id): True}})


def township_population():
    regulator = make_user("regulator")
    township = db.session.get(Township, "500240001")
    old, estimated = township.population, township.population_estimated
    townships.set_population("500240001", 123456, actor_id=regulator.id, now=NOW)
    before = {"population": old}
    after = {"population": 123456}
    if estimated:
        before["population_estimated"], after["population_estimated"] = True, False
    return regulator.id, ("township", "500240001"), None, before, after


def staff_created_on_the_command_line():
    user = users.create_staff_user("regulator", "reg-audit", "a-long-password", NOW)
    return None, ("user", user.id), None, None, {"role": "regulator", "username": "reg-audit"}


def operator_registered():
    _, user = users.register_operator(username="op-audit", password="a-long-password",
                                      phone="13800000002", name="张园长", now=NOW,
                                      policy=token_policy())
    return (user.id, ("user", user.id), None, None,
            {"role": "operator", "username": "op-audit", "name": "张园长"})


def staff_hire():
    nursery = make_nursery()
    staff = employment.hire_staff(
        nursery.operator_id, nursery.id, name="谭老师", phone="13812345678", role="carer",
        certificates=[{"kind": "保育员证", "number": "BY-1", "expires_on": date(2028, 6, 30)}],
        health_certificate_expires_on=date(2027, 3, 1), now=NOW)
    return (nursery.operator_id, ("staff", staff.id), nursery.id, None,
            {"name": "谭老师", "phone": "138****5678", "role": "carer",
             "health_certificate_expires_on": "2027-03-01",
             "certificates": [{"kind": "保育员证", "number": "BY-1",
                               "expires_on": "2028-06-30"}]})


def staff_update():
    nursery = make_nursery()
    staff = make_staff(nursery, phone="13811112222", name="谭老师")
    employment.change_staff(nursery.operator_id, staff.id, {
        "name": "谭老师", "phone": "13987654321", "role": "health",
        "certificates": [{"kind": "护士执业证书", "number": "HS-1", "expires_on": None}]}, NOW)
    return (nursery.operator_id, ("staff", staff.id), nursery.id,
            {"phone": "138****2222", "role": "carer", "certificates": []},
            {"phone": "139****4321", "role": "health",
             "certificates": [{"kind": "护士执业证书", "number": "HS-1", "expires_on": None}]})


def staff_leave():
    nursery = make_nursery()
    staff = make_staff(nursery)
    employment.staff_leaves(nursery.operator_id, staff.id, NOW)
    return (nursery.operator_id, ("staff", staff.id), nursery.id, {"left_at": None},
            {"left_at": NOW.isoformat()})


CASES = {
    "nursery.create": nursery_create, "nursery.update": nursery_update,
    "filing.submit": filing_submit, "filing.approve": filing_approve,
    "filing.reject": filing_reject, "filing.revoke": filing_revoke,
    "offering.put": offering_put_new, "offering.put (change)": offering_put_change,
    "slots.generate": slots_generate, "slot.update": slot_update, "slots.batch": slots_batch,
    "booking.check_in": _attend("check_in", "confirmed", "checked_in"),
    "booking.check_out": _attend("check_out", "checked_in", "completed", first="check_in"),
    "booking.no_show": _attend("no_show", "confirmed", "no_show"),
    "class.create": class_create, "class.update": class_update, "class.cancel": class_cancel,
    "class.attendance": class_attendance, "township.population": township_population,
    "user.create": staff_created_on_the_command_line,
    "user.create (registration)": operator_registered,
    "staff.hire": staff_hire, "staff.update": staff_update, "staff.leave": staff_leave,
}


@pytest.mark.parametrize("name", CASES)
def test_each_change_writes_one_entry_with_its_changed_fields(name):
    actor_id, (subject_type, subject_id), nursery_id, before, after = CASES[name]()
    db.session.expire_all()
    [entry] = entries()
    assert entry.action == name.split(" ")[0]
    assert (entry.actor_id, entry.subject_type, entry.subject_id, entry.nursery_id) == (
        actor_id, subject_type, str(subject_id), nursery_id)
    assert (entry.before, entry.after) == (before, after)
    assert entry.at == getattr(CASES[name], "at", NOW)


def test_no_entry_holds_a_password_or_a_token():
    users.create_staff_user("operator", "op-secret", "a-long-password", NOW)
    users.register_operator(username="op-secret-2", password="another-password",
                            phone="13800000003", name="李", now=NOW, policy=token_policy())
    text = repr([(e.before, e.after) for e in entries()])
    assert len(entries()) == 2
    assert "password" not in text and "a-long-password" not in text and "pbkdf2" not in text


def _approve_a_draft():
    nursery = make_nursery(filing_status="draft", filing_no=None, filed_on=None)
    filings.approve_filing(nursery.id, "石卫托备〔2026〕1号", make_user("regulator").id, NOW)


def _lower_capacity_below_booked():
    nursery, _ = setup_nursery("full_day")
    slot = make_slot(nursery, capacity=2)
    book(make_user("parent"), [slot], now=NOW)
    db.session.execute(db.delete(AuditEntry))
    slot_changes.change_slot(nursery.operator_id, slot.id, {"capacity": 0}, NOW,
                             offer_minutes=offer_minutes())


def _batch_with_one_missing_slot():
    nursery, _ = setup_nursery("full_day")
    slot = make_slot(nursery)
    slot_changes.change_slots(nursery.operator_id, nursery.id, [
        {"slot_id": slot.id, "capacity": 9}, {"slot_id": slot.id + 1000, "capacity": 9}], NOW,
        offer_minutes=offer_minutes())


def _population_of_an_unknown_township():
    townships.set_population("999999999", 10, actor_id=make_user("regulator").id, now=NOW)


def _other_operators_offering():
    nursery = make_nursery()
    make_offering(nursery)
    offerings.put_offering(make_user("operator").id, nursery.id, "full_day",
                           fields={"price_fen": 1}, now=NOW)


def _duplicate_staff_username():
    users.create_staff_user("operator", "taken", "a-long-password", NOW)
    db.session.execute(db.delete(AuditEntry))
    db.session.commit()
    users.create_staff_user("operator", "taken", "a-long-password", NOW)


def _hire_a_phone_employed_elsewhere():
    make_staff(make_nursery(), phone="13812345678")
    nursery = make_nursery()
    employment.hire_staff(nursery.operator_id, nursery.id, name="谭老师", phone="13812345678",
                          role="carer", certificates=[], health_certificate_expires_on=None,
                          now=NOW)


def _change_a_person_who_left():
    nursery = make_nursery()
    staff = make_staff(nursery, left_at=NOW)
    employment.change_staff(nursery.operator_id, staff.id, {"role": "cook"}, NOW)


def test_no_staff_entry_holds_a_full_phone_number():
    for case in (staff_hire, staff_update, staff_leave):
        case()
    text = repr([(e.before, e.after) for e in entries()])
    assert len(entries()) == 3
    assert not {"13812345678", "13811112222", "13987654321"} & set(text.split("'"))
    assert "138****5678" in text


@pytest.mark.parametrize("act", [_approve_a_draft, _lower_capacity_below_booked,
                                 _batch_with_one_missing_slot,
                                 _population_of_an_unknown_township,
                                 _other_operators_offering, _duplicate_staff_username,
                                 _hire_a_phone_employed_elsewhere, _change_a_person_who_left])
def test_a_change_that_fails_writes_no_entry(act):
    with pytest.raises(AppError):
        act()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
