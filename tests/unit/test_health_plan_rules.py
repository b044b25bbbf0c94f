"""The plan's clinical rules: earliest dates (minimum intervals, the 28-day gap between
injectable live vaccines), catch-up rules by age and special groups. Dates by hand."""

from datetime import date

from parentapp.services.health.plan import missing_vaccinations, plan_items
from parentapp.services.health.schedule_files import load_schedule

SCHEDULE = load_schedule("cn-nip-2025")
D = date.fromisoformat
BORN = D("2025-01-31")  # 8 months on 2025-09-30, 24 months on 2027-01-31


def plan(records=None, today="2025-10-02", birth=BORN, **facts):
    entries = plan_items(SCHEDULE, birth, choices=None, records=records or {},
                         today=D(today), **facts)
    return {entry.code: entry for entry in entries}


def test_mmr_1_on_one_day_holds_je_l_1_for_28_days():
    entries = plan({"MMR-1": D("2025-10-01")})
    je = entries["JE-L-1"]
    assert (je.due_date, je.earliest_date) == (D("2025-09-30"), D("2025-10-29"))
    assert je.status == "upcoming"  # 2025-10-02 is more than 7 days before 10-29
    assert plan({"MMR-1": D("2025-10-01")}, today="2025-10-22")["JE-L-1"].status == "due"


def test_live_vaccines_given_on_the_same_day_do_not_hold_each_other():
    entries = plan({"MMR-1": D("2025-10-01"), "JE-L-1": D("2025-10-01")})
    assert entries["JE-L-1"].earliest_date == D("2025-09-30")
    assert entries["MMR-1"].earliest_date == D("2025-09-30")


def test_a_done_live_vaccine_shows_it_was_given_inside_the_gap():
    entries = plan({"MMR-1": D("2025-10-01"), "JE-L-1": D("2025-10-10")})
    assert entries["JE-L-1"].earliest_date == D("2025-10-29")
    assert entries["MMR-1"].earliest_date == D("2025-09-30")  # JE-L-1 came after it


def test_an_oral_live_vaccine_does_not_hold_an_injectable_one():
    entries = plan({"bOPV-1": D("2025-09-20")})
    assert entries["MMR-1"].earliest_date == D("2025-09-30")


def test_a_late_dose_pushes_the_next_one_by_the_minimum_interval():
    # HepB-2 given at 5 months: HepB-3 (due at 6 months) waits 60 days after it.
    entries = plan({"HepB-1": BORN, "HepB-2": D("2025-06-30")}, today="2025-07-20")
    assert entries["HepB-3"].earliest_date == D("2025-08-29")
    assert entries["HepB-3"].status == "upcoming"  # counts from 08-29, not 07-31


def test_an_unrecorded_previous_dose_counts_from_its_own_earliest_date():
    # Nothing recorded, the MMR-1 gap moved by nothing: MMR-2 due at 18 months.
    entries = plan(today="2025-10-02")
    assert entries["DTaP-2"].earliest_date == D("2025-05-31")
    assert entries["MPSV-A-2"].earliest_date == D("2025-10-31")  # A-1 6 months + 3 months


def test_checkups_have_earliest_equal_to_due():
    entries = plan({"MMR-1": D("2025-10-01")})
    assert all(e.earliest_date == e.due_date for e in entries.values() if e.kind == "checkup")


def test_a_child_added_at_10_months_is_told_the_newborn_visits_have_passed():
    entries = plan(today="2025-11-30")
    for code in ("NB-VISIT", "CHK-1M", "CHK-3M", "CHK-6M"):
        assert entries[code].catch_up.rule == "window_ends", code
        assert "无需补做" in entries[code].catch_up.message
    assert entries["CHK-8M"].catch_up is None  # its window lasts to 12 months
    assert entries["HepB-2"].catch_up is None  # vaccines are still caught up


def test_mpsv_a_after_24_months_is_replaced_by_mpsv_ac():
    entries = plan(today="2027-02-01")
    rule = entries["MPSV-A-1"].catch_up
    assert (rule.rule, rule.by) == ("replaced_after", "MPSV-AC-1")
    assert "A群C群" in rule.message
    assert plan(today="2027-01-30")["MPSV-A-1"].catch_up is None
    # No longer given, so neither missing at a nursery nor holding MPSV-AC-1.
    missing = missing_vaccinations(SCHEDULE, BORN, choices=None, records={},
                                   today=D("2027-02-01"))
    assert "MPSV-A-1" not in missing and "MPSV-A-2" not in missing
    assert "HepB-2" in missing


def test_bcg_needs_the_clinic_after_3_months_and_is_not_given_after_4_years():
    assert plan(today="2025-04-29")["BCG"].catch_up is None
    assert plan(today="2025-04-30")["BCG"].catch_up.rule == "ask_clinic_after"
    assert "咨询接种门诊" in plan(today="2025-04-30")["BCG"].catch_up.message
    assert plan(today="2029-01-31")["BCG"].catch_up.rule == "not_given_after"


def test_a_done_item_has_no_catch_up_rule():
    assert plan({"BCG": D("2025-05-10")}, today="2029-02-01")["BCG"].catch_up is None


def test_an_hbsag_positive_mother_moves_hepb_1_to_the_day_of_birth_and_asks_the_clinic():
    entries = plan(today="2025-01-31", hbsag_mother="positive")
    hepb = entries["HepB-1"]
    assert hepb.latest_date == BORN
    assert [a.rule for a in hepb.advice] == ["hepb-mother-positive-or-unknown",
                                             "hepb-mother-positive-hbig"]
    assert hepb.advice[1].ask_clinic and "HBIG" in hepb.advice[1].message
    assert plan(today="2025-02-01", hbsag_mother="positive")["HepB-1"].past_latest


def test_an_unknown_status_moves_hepb_1_without_the_hbig_advice():
    hepb = plan(today="2025-01-31", hbsag_mother="unknown")["HepB-1"]
    assert hepb.latest_date == BORN
    assert [a.rule for a in hepb.advice] == ["hepb-mother-positive-or-unknown"]


def test_a_negative_mother_keeps_the_day_after_birth():
    hepb = plan(today="2025-01-31", hbsag_mother="negative")["HepB-1"]
    assert (hepb.latest_date, hepb.advice) == (D("2025-02-01"), ())
    assert not plan(today="2025-02-01", hbsag_mother="negative")["HepB-1"].past_latest


def test_a_birth_weight_under_2000_g_asks_the_clinic_for_every_hepb_dose():
    entries = plan(today="2025-01-31", birth_weight_g=1800)
    for code in ("HepB-1", "HepB-2", "HepB-3"):
        assert [a.ask_clinic for a in entries[code].advice] == [True], code
    assert entries["BCG"].advice == ()
    assert plan(today="2025-01-31", birth_weight_g=2000)["HepB-1"].advice == ()
