"""WeChat's rules for subscribe-message values, looked up by key type.

A key such as `thing1` or `character_string2` is a type followed by a number;
WeChat rejects the whole send with 47003 when one value breaks its type's rule.
`validate_value` states the rules once (the fake server uses it too) and
`fit_value` bends a value to them before sending.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

ELLIPSIS = "…"
# WeChat users read times in China; aware datetimes are shown in this zone.
SHANGHAI = ZoneInfo("Asia/Shanghai")

# CJK ideographs including the rare extensions, which some children's names need.
_CJK_RE = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KEY_RE = re.compile(r"([a-z_]+)(\d+)")
_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
_CLOCK = r"(\d{1,2}):(\d{2})"
_DATE_RE = re.compile(rf"{_DATE}(?: {_CLOCK})?")
_TIME_RE = re.compile(rf"(?:{_DATE} )?{_CLOCK}")
_ASCII_SYMBOLS_RE = re.compile(r"[!-~]+")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_AMOUNT_RE = re.compile(r"[¥￥$€£]?\d{1,10}(?:\.\d{1,2})?元?")
_PHONE_RE = re.compile(r"[\d+\-() ]+")


def format_date(day: date) -> str:
    """2026年12月3日; an aware datetime is first moved to China time."""
    if isinstance(day, datetime):
        day = _local(day).date()
    return f"{day.year}年{day.month}月{day.day}日"


def format_time(moment: datetime, tz: ZoneInfo = SHANGHAI) -> str:
    """2026年12月3日 08:00; aware datetimes are shown in `tz`, naive ones as they are."""
    local = _local(moment, tz)
    return f"{format_date(local.date())} {local:%H:%M}"


def _local(moment: datetime, tz: ZoneInfo = SHANGHAI) -> datetime:
    return moment.astimezone(tz) if moment.tzinfo is not None else moment


def key_type(key: str) -> str:
    """`thing` for `thing1`; empty when the key is not a WeChat data key."""
    match = _KEY_RE.fullmatch(key)
    return match.group(1) if match else ""


def _is_moment(parts: tuple[str | None, ...]) -> bool:
    """Whether regex groups (year, month, day, hour, minute) name a real day and clock time."""
    year, month, day, hour, minute = parts
    if year is not None:
        try:
            date(int(year), int(month or 0), int(day or 0))
        except ValueError:
            return False
    return hour is None or (int(hour) <= 23 and int(minute or 0) <= 59)


def _check_thing(value: str) -> str | None:
    return "more than 20 characters" if len(value) > 20 else None


def _check_name(value: str) -> str | None:
    if _CJK_RE.search(value):
        return "more than 10 characters in a Chinese name" if len(value) > 10 else None
    return "more than 20 letters" if len(value) > 20 else None


def _check_phrase(value: str) -> str | None:
    if not all(_CJK_RE.fullmatch(char) for char in value):
        return "not Chinese characters only"
    return "more than 5 Chinese characters" if len(value) > 5 else None


def _check_character_string(value: str) -> str | None:
    if not _ASCII_SYMBOLS_RE.fullmatch(value) or len(value) > 32:
        return "not at most 32 letters, digits or symbols"
    return None


def _check_number(value: str) -> str | None:
    if not _NUMBER_RE.fullmatch(value) or len(value) > 32:
        return "not a number of at most 32 digits"
    return None


def _check_amount(value: str) -> str | None:
    return None if _AMOUNT_RE.fullmatch(value) else "not a currency amount"


def _check_date(value: str) -> str | None:
    match = _DATE_RE.fullmatch(value)
    if match and _is_moment(match.groups()):
        return None
    return "not a date such as 2026年12月3日 or 2026年12月3日 08:00"


def _check_time(value: str) -> str | None:
    match = _TIME_RE.fullmatch(value)
    if match and _is_moment(match.groups()):
        return None
    return "not a 24-hour time such as 08:00 or 2026年12月3日 08:00"


def _check_phone_number(value: str) -> str | None:
    if not _PHONE_RE.fullmatch(value) or len(value) > 17:
        return "not a phone number of at most 17 characters"
    return None


_CHECKS: dict[str, Callable[[str], str | None]] = {
    "thing": _check_thing,
    "name": _check_name,
    "phrase": _check_phrase,
    "character_string": _check_character_string,
    "number": _check_number,
    "amount": _check_amount,
    "date": _check_date,
    "time": _check_time,
    "phone_number": _check_phone_number,
}


def validate_value(key: str, value: object) -> str | None:
    """The rule `value` breaks as the value of data key `key`, or None when WeChat accepts it."""
    if not isinstance(value, str):
        return "not a string"
    if not value.strip():
        return "empty"
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in value):
        return "contains control characters"
    check = _CHECKS.get(key_type(key))
    if check is None:
        return "unknown key type"
    return check(value)


# Text is shortened to fit; structured values (numbers, dates, phones) are not,
# because a cut number or date would tell the parent something false.
_TEXT_LIMITS: dict[str, Callable[[str], int]] = {
    "thing": lambda text: 20,
    "name": lambda text: 10 if _CJK_RE.search(text) else 20,
    "phrase": lambda text: 5,
    "character_string": lambda text: 32,
}


def fit_value(key: str, value: str | int | Decimal | date | datetime) -> str:
    """`value` made acceptable for data key `key`.

    Cleans whitespace and control characters, formats dates and times, drops
    characters the type cannot hold (non-Chinese in a phrase, non-ASCII in a
    character_string) and truncates text, with an ellipsis where it fits.
    Raises ValueError when nothing acceptable is left, e.g. an empty value or
    a number with more than 32 digits.
    """
    kind = key_type(key)
    if kind not in _CHECKS:
        raise ValueError(f"{key!r} is not a known WeChat data key")
    text = _clean(kind, _as_text(kind, value))
    if kind in _TEXT_LIMITS:
        text = _truncate(key, text, _TEXT_LIMITS[kind](text))
    elif kind == "number":
        text = _shorten_fraction(text)
    rule = validate_value(key, text)
    if rule is not None:
        # The value itself stays out of the message: it may be a phone number.
        raise ValueError(f"cannot fit a value for {key}: {rule}")
    return text


def _as_text(kind: str, value: object) -> str:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return format_date(value)
    text = str(value)
    if kind in ("date", "time") and _CHECKS[kind](text) is not None:
        return _from_iso(text)
    return text


def _from_iso(text: str) -> str:
    """Accept 2026-12-03 and 2026-12-03T08:00 as well; anything else is left as it is."""
    try:
        return format_date(date.fromisoformat(text.strip()))
    except ValueError:
        pass
    try:
        return format_time(datetime.fromisoformat(text.strip()))
    except ValueError:
        return text


def _clean(kind: str, text: str) -> str:
    text = "".join(
        char for char in text if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf")
    )
    text = " ".join(text.split())
    if kind == "phrase":
        return "".join(_CJK_RE.findall(text))
    if kind == "character_string":
        return "".join(_ASCII_SYMBOLS_RE.findall(text))
    if kind == "number":
        return text.replace(",", "").replace(" ", "")
    return text


def _truncate(key: str, text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    shortened = text[: limit - 1].rstrip() + ELLIPSIS
    if validate_value(key, shortened) is None:
        return shortened
    return text[:limit].rstrip()


def _shorten_fraction(text: str) -> str:
    """Drop decimals beyond 32 characters; the whole part is never cut."""
    if len(text) <= 32 or "." not in text:
        return text
    whole = text.split(".", 1)[0]
    return text[:32] if len(whole) < 31 else whole
