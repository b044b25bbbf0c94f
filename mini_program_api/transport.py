"""Talking HTTP to WeChat: the request body, the answer, and what a failed request means."""

from __future__ import annotations

import json
from typing import Any

import requests
import urllib3

from ._redact import scrub
from .errors import Busy, MiniProgramError, ResponseTimeout, TransportError, error_for


def encode_json(body: dict[str, Any]) -> bytes:
    """UTF-8 JSON with Chinese kept as is, as WeChat expects."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def transport_error(exc: requests.RequestException) -> MiniProgramError:
    name = type(exc).__name__
    if failed_before_sending(exc):
        return TransportError(None, f"could not reach WeChat ({name})")
    if isinstance(
        exc, requests.Timeout | requests.ConnectionError | requests.exceptions.ChunkedEncodingError
    ):
        return ResponseTimeout(None, f"no answer from WeChat ({name}); it may have acted")
    return MiniProgramError(None, f"request to WeChat failed ({name})")


def failed_before_sending(exc: requests.RequestException) -> bool:
    if isinstance(
        exc, requests.ConnectTimeout | requests.exceptions.SSLError | requests.exceptions.ProxyError
    ):
        return True
    if not isinstance(exc, requests.ConnectionError) or not exc.args:
        return False
    # Connection refused, DNS failure: urllib3 wraps a NewConnectionError in MaxRetryError.
    reason = getattr(exc.args[0], "reason", exc.args[0])
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def decode_answer(
    response: requests.Response, path: str, secrets: tuple[str | None, ...]
) -> dict[str, Any]:
    if response.status_code >= 500:
        raise Busy(None, f"WeChat answered HTTP {response.status_code}")
    if response.status_code != 200:
        raise MiniProgramError(None, f"WeChat answered HTTP {response.status_code}")
    try:
        answer = json.loads(response.content.decode("utf-8"))
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise MiniProgramError(None, "WeChat answered something other than a JSON object")
    errcode = answer.get("errcode")
    if errcode is None or errcode == 0:
        return answer
    errmsg = scrub(str(answer.get("errmsg", "")), secrets)
    raise error_for(errcode if isinstance(errcode, int) else None, errmsg, path)
