"""Keeping credentials and phone numbers out of messages, reprs and logs."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Seven or more digits in a row, possibly after "+": long enough to be a phone number,
# short runs such as error codes and dates stay readable.
_PHONE_LIKE = re.compile(r"\+?\d{7,}")


def mask_phone(number: str) -> str:
    """138****8000: enough to recognise a number, not enough to call it."""
    digits = number.strip()
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Replace every known secret with *** and mask anything that looks like a phone number."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _PHONE_LIKE.sub(lambda match: mask_phone(match.group()), text)
