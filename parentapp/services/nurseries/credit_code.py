"""统一社会信用代码 (GB 32100-2015): alphabet, check character, validation.

The 18th character is a check over the first 17 (domain reference section 3):
each character maps to its index in ALPHABET, weighted by WEIGHTS; the check
is 31 - (sum mod 31), and 31 wraps to 0.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The check character for the first 17 characters (which must be in ALPHABET)."""
    if len(first17) != LENGTH - 1:
        raise ValueError("need exactly 17 characters")
    total = sum(_INDEX[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code (a Chinese message), or None when it is."""
    if len(code) != LENGTH:
        return "统一社会信用代码应为18位。"
    bad = [ch for ch in code if ch not in _INDEX]
    if bad:
        return (f"统一社会信用代码含有不允许的字符“{bad[0]}”"
                "（只能是数字和除 I、O、S、V、Z 外的大写字母）。")
    if check_character(code[:-1]) != code[-1]:
        return "统一社会信用代码的校验位不正确，请核对。"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def with_check(first17: str) -> str:
    """The full 18-character code for 17 leading characters (tests, demo data, import fixtures)."""
    return first17 + check_character(first17)
