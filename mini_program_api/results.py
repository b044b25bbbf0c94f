"""What the client's typed methods return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._redact import mask_phone
from .errors import MiniProgramError


@dataclass(frozen=True)
class Session:
    """The answer of code2session. `session_key` stays on the server and out of logs."""

    openid: str
    session_key: str = field(repr=False)
    unionid: str | None = None


@dataclass(frozen=True)
class SendResult:
    msgid: int | None


@dataclass(frozen=True, repr=False)
class PhoneInfo:
    """A user's phone number; `country_code` is always a string ("86")."""

    phone_number: str
    pure_phone_number: str
    country_code: str
    watermark_appid: str
    watermark_timestamp: int

    def __repr__(self) -> str:
        return (
            f"PhoneInfo(phone_number={mask_phone(self.phone_number)!r}, "
            f"country_code={self.country_code!r}, watermark_appid={self.watermark_appid!r}, "
            f"watermark_timestamp={self.watermark_timestamp!r})"
        )

    @classmethod
    def from_answer(cls, info: Any, appid: str) -> PhoneInfo:
        """Read getuserphonenumber's `phone_info`, checking it was issued for `appid`."""
        if not isinstance(info, dict):
            raise MiniProgramError(None, "getuserphonenumber answer lacks phone_info")
        watermark = info.get("watermark")
        if not isinstance(watermark, dict) or watermark.get("appid") != appid:
            # Another app's phone code replayed against ours.
            raise MiniProgramError(None, "the phone number's watermark names another appid")
        fields = (info.get("phoneNumber"), info.get("purePhoneNumber"), info.get("countryCode"))
        timestamp = watermark.get("timestamp")
        if any(value in (None, "") for value in fields) or not isinstance(timestamp, int):
            raise MiniProgramError(None, "getuserphonenumber answer lacks a field")
        phone_number, pure_phone_number, country_code = (str(value) for value in fields)
        return cls(phone_number, pure_phone_number, country_code, appid, timestamp)
