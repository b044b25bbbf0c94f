"""The domain enums and the CHECK text rendered from them."""

from parentapp.domain import ACTIVE_ENROLLMENT_STATUSES, CareType, SlotStatus
from parentapp.models.base import sql_in


def test_a_check_lists_the_enum_values_in_their_order():
    assert sql_in("care_type", CareType) == (
        "care_type IN ('full_day', 'half_day', 'hourly', 'temporary')")


def test_a_partial_index_condition_lists_a_subset_of_members():
    assert sql_in("status", ACTIVE_ENROLLMENT_STATUSES) == "status IN ('enrolled', 'waitlisted')"


def test_members_equal_their_strings_and_values_are_plain_strings():
    assert SlotStatus.OPEN == "open"
    assert {"open": 1}[SlotStatus.OPEN] == 1
    assert SlotStatus.values() == ("open", "closed")
    assert all(type(value) is str for value in SlotStatus.values())
