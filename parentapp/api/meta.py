"""Service health and the reference data the mini-program reads first."""

from flask import current_app
from flask_smorest import Blueprint

from parentapp import database
from parentapp.domain import CareType
from parentapp.errors import Busy, ServiceUnavailable
from parentapp.schemas.base import ErrorSchema
from parentapp.schemas.meta import HealthSchema, MetaSchema
from parentapp.services.stats.townships import list_townships

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Reference data")
health_blp = Blueprint("health", __name__, url_prefix="/", description="Liveness")


@blp.route("/meta")
@blp.response(200, MetaSchema)
def meta():
    return {
        "care_types": list(CareType.values()),
        "subscription_templates": current_app.config["WECHAT_TEMPLATES"],
        "schedule_version": current_app.config["SCHEDULE_VERSION"],
        "townships": list_townships(),
    }


@health_blp.route("/healthz")
@health_blp.response(200, HealthSchema)
@health_blp.alt_response(
    503, schema=ErrorSchema, headers={"Retry-After": {"schema": {"type": "integer"}}},
    description='`service_unavailable` with details `{"database": "unavailable"}` when the '
                'database cannot be reached; `busy` with `{"database": "busy"}` when it answers '
                "but cannot be read within a second. A held write lock is not busy: reads do "
                "not wait for it.")
def healthz():
    state = database.database_state()
    if state == "unavailable":
        raise ServiceUnavailable("数据库暂时不可用。", details={"database": state},
                                 headers={"Retry-After": database.UNAVAILABLE_RETRY_AFTER})
    if state == "busy":
        raise Busy(details={"database": state},
                   headers={"Retry-After": database.BUSY_RETRY_AFTER})
    return {"status": "ok", "database": state}
