import pytest
from hypothesis import given
from hypothesis import strategies as st

from parentapp.services.nurseries.credit_code import (
    ALPHABET,
    WEIGHTS,
    check_character,
    is_valid,
    problem,
    with_check,
)

first17 = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


def test_the_alphabet_leaves_out_i_o_s_v_z():
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


def test_a_check_worked_by_hand():
    # 9 1 3 5 0 1 0 0 M 0 0 0 1 0 0 Y 4 (the standard's example code 91350100M000100Y43):
    # M is 21, Y is 30; the weighted sum is 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640,
    # 1640 mod 31 = 28, 31 - 28 = 3.
    values = [ALPHABET.index(c) for c in "91350100M000100Y4"]
    assert sum(v * w for v, w in zip(values, WEIGHTS, strict=True)) == 1640
    assert check_character("91350100M000100Y4") == "3"
    assert is_valid("91350100M000100Y43")


def test_a_sum_divisible_by_31_gives_check_zero():
    # All zeros sum to 0: 31 - 0 = 31, which wraps to 0.
    assert check_character("0" * 17) == "0"
    assert is_valid("0" * 18)


def test_a_check_of_thirty_is_the_letter_y():
    # weights[0] is 1: a leading "1" gives sum 1, check 31 - 1 = 30 -> "Y".
    assert check_character("1" + "0" * 16) == "Y"


@pytest.mark.parametrize(("code", "why"), [
    ("91350100M000100Y44", "校验位"),
    ("91350100M000100Y4", "18位"),
    ("91350100M000100Y430", "18位"),
    ("", "18位"),
    ("91350100I000100Y43", "不允许的字符“I”"),
    ("91350100O000100Y43", "不允许的字符“O”"),
    ("91350100S000100Y43", "不允许的字符“S”"),
    ("91350100V000100Y43", "不允许的字符“V”"),
    ("91350100Z000100Y43", "不允许的字符“Z”"),
    ("91350100m000100Y43", "不允许的字符“m”"),
    ("9135010-M000100Y43", "不允许的字符“-”"),
    ("９1350100M000100Y43", "不允许的字符"),
])
def test_known_bad_codes(code, why):
    assert why in problem(code)
    assert not is_valid(code)


@given(first17)
def test_every_17_characters_have_exactly_one_valid_check(body):
    valid = [c for c in ALPHABET if is_valid(body + c)]
    assert valid == [check_character(body)]
    assert with_check(body) == body + valid[0]


@given(first17, st.integers(0, 17), st.sampled_from(ALPHABET))
def test_any_single_character_change_is_caught(body, position, replacement):
    code = with_check(body)
    changed = code[:position] + replacement + code[position + 1:]
    assert is_valid(changed) == (changed == code)


@given(first17, st.integers(0, 15))
def test_most_swaps_of_neighbours_are_caught(body, position):
    code = with_check(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    # A swap of a and b at weights w1, w2 changes the sum by (a - b)(w2 - w1); no two
    # neighbouring weights are equal mod 31, so only a == b survives.
    assert is_valid(swapped) == (swapped == code)
