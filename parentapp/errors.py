"""One error tree and one renderer for the contract's error body.

Services raise ``AppError`` subclasses named after the situation; views never
build error responses themselves. Werkzeug's HTTP errors (404 routing, 405,
413, webargs' 422) and unexpected exceptions go through the same renderer.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


class AppError(Exception):
    status = 500
    code = "internal_error"
    message = "服务器出了点问题，请稍后再试。"

    def __init__(self, message: str | None = None, details: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message
        # The contract: a 422 always says what is wrong. One without a field names the
        # whole request (``_schema``), so an empty-details 422 cannot be rendered.
        self.details = details or ({"_schema": [self.message]} if self.status == 422 else {})
        self.headers = headers or {}


class BadRequest(AppError):
    status, code, message = 400, "bad_request", "请求格式不正确，需要 JSON 对象。"


class IdempotencyKeyRequired(AppError):
    status, code, message = 400, "idempotency_key_required", "缺少 Idempotency-Key 请求头。"


class Unauthorized(AppError):
    status, code, message = 401, "unauthorized", "请先登录。"


class InvalidWechatCode(AppError):
    status, code, message = 401, "invalid_wechat_code", "微信登录凭证无效或已使用，请重新登录。"


class InvalidCredentials(AppError):
    status, code, message = 401, "invalid_credentials", "用户名或密码错误。"


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "当前账号无权进行此操作。"


class NotFound(AppError):
    status, code, message = 404, "not_found", "没有找到该资源。"


class MethodNotAllowed(AppError):
    status, code, message = 405, "method_not_allowed", "不支持该请求方法。"


class Conflict(AppError):
    status, code, message = 409, "conflict", "操作与当前状态冲突。"


class InvalidState(Conflict):
    code, message = "invalid_state", "当前状态下不能进行此操作。"


class UsernameTaken(Conflict):
    code, message = "username_taken", "该用户名已被使用。"


class EnrollmentClosed(Conflict):
    code, message = "enrollment_closed", "该课程已截止报名或已取消。"


class AlreadyEnrolled(Conflict):
    code, message = "already_enrolled", "您的家庭已报名或已在候补名单中。"


class CapacityBelowEnrolled(Conflict):
    code, message = "capacity_below_enrolled", "名额不能少于已报名的家庭数。"


# Bookings, slots and the waitlist (issue 4).
class SlotFull(Conflict):
    code, message = "slot_full", "名额已满，请选择其他时段或加入候补。"


class SlotClosed(Conflict):
    code, message = "slot_closed", "该时段已被机构关闭。"


class AlreadyBooked(Conflict):
    code, message = "already_booked", "孩子在这个时间已有预约。"


class CancelWindowClosed(Conflict):
    code, message = "cancel_window_closed", "已过机构规定的取消时限，不能取消。"


class CapacityBelowBooked(Conflict):
    code, message = "capacity_below_booked", "名额不能少于已预约（含候补保留）的人数。"


class CapacityExceedsLicensedPlaces(Conflict):
    code, message = "capacity_exceeds_licensed_places", "同一时间开放的名额合计超过了备案的托位数。"


class RequestInProgress(Conflict):
    code, message = "request_in_progress", "相同的请求正在处理中，请稍后再试。"


class SlotNotFull(Conflict):
    code, message = "slot_not_full", "该时段还有名额，可以直接预约。"


class LimitReached(Conflict):
    """A per-family or per-child cap of the contract's Limits; ``details.limit`` names it."""

    code, message = "limit_reached", "已达到数量上限。"


class AlreadyACarer(Conflict):
    code, message = "already_a_carer", "您已经是这个孩子的家人，无需再次加入。"


class LastGuardian(Conflict):
    code = "last_guardian"
    message = "孩子还有其他家人，最后一位监护人不能退出或改为其他身份，请先指定另一位监护人。"


class AttendanceNotToday(InvalidState):
    """Check-in and check-out are for the business day itself (Asia/Shanghai)."""

    code, message = "attendance_not_today", "只能在当天签到或签退。"


class PickupNotAuthorised(Conflict):
    code, message = "pickup_not_authorised", "接送人不在孩子的接送名单上，不能签退。"


# Nursery staff and duty (issue 16).
class StaffAlreadyEmployed(Conflict):
    code = "staff_already_employed"
    message = "该手机号的员工已在一家托育机构在职，需先在原机构办理离职。"


class StaffOnDuty(Conflict):
    code, message = "staff_on_duty", "该员工已签到在岗，请先签退。"


class StaffNotOnDuty(Conflict):
    code, message = "staff_not_on_duty", "该员工尚未签到，不能签退。"


class StaffLeft(Conflict):
    code, message = "staff_left", "该员工已离职，不能签到或修改信息。"


class AlertClosed(Conflict):
    code, message = "alert_closed", "这条预警已经关闭。"


class InviteNotFound(AppError):
    status, code, message = 404, "invite_not_found", "邀请码无效、已使用、已撤回或已过期。"


class PayloadTooLarge(AppError):
    status, code, message = 413, "payload_too_large", "请求内容过大（上限 64 KB）。"


class ValidationFailed(AppError):
    status, code, message = 422, "validation_error", "提交的信息有误，请检查后重试。"

    @classmethod
    def on(cls, field: str, problem: str) -> ValidationFailed:
        return cls(details={field: [problem]})


class InvalidPhoneCode(AppError):
    status, code, message = 422, "invalid_phone_code", "手机号授权无效，请重新授权。"


class AgeIneligible(AppError):
    status, code, message = 422, "age_ineligible", "孩子的年龄不符合要求。"


class BookingWindowClosed(AppError):
    status, code, message = 422, "booking_window_closed", "现在不在该时段的可预约时间内。"


class SlotsNotBookableTogether(AppError):
    status, code, message = 422, "slots_not_bookable_together", "所选时段不能在一次预约中一起预订。"


class IdempotencyKeyReused(AppError):
    status, code, message = 422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求。"


class RateLimited(AppError):
    status, code, message = 429, "rate_limited", "请求过于频繁，请稍后再试。"


class ServiceUnavailable(AppError):
    status, code, message = 503, "service_unavailable", "服务暂时不可用，请稍后再试。"


class WechatUnavailable(ServiceUnavailable):
    code, message = "wechat_unavailable", "微信服务暂时不可用，请稍后再试。"


class Busy(ServiceUnavailable):
    """A lock could not be had in time; the client may retry."""

    code, message = "busy", "系统繁忙，请稍后重试。"


_HTTP_ERRORS: dict[int, type[AppError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    429: RateLimited,
}


def error_body(code: str, message: str, details: dict | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def render(error: AppError):
    response = jsonify(error_body(error.code, error.message, error.details))
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def _webargs_details(messages: dict) -> dict:
    """Flatten webargs' ``{"json": {...}, "query": {...}}`` into field -> problems."""
    details: dict = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            details.update(location_errors)
        else:
            details.setdefault("_schema", []).extend(location_errors)
    return details


def from_http_exception(error: HTTPException) -> AppError:
    data = getattr(error, "data", None) or {}
    if error.code == 422 and "messages" in data:
        return ValidationFailed(details=_webargs_details(data["messages"]))
    if error.code == 400 and "messages" in data:
        return BadRequest()
    if isinstance(error, InternalServerError) or error.code not in _HTTP_ERRORS:
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("unhandled error", exc_info=original)
        return AppError()
    return _HTTP_ERRORS[error.code](headers=data.get("headers"))


def handle_http_exception(error: HTTPException):
    return render(from_http_exception(error))


def handle_unexpected(error: Exception):
    log.exception("unhandled error")
    return render(AppError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(AppError, render)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
