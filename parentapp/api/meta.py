"""Service health and the reference data the mini-program reads first."""

import logging

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from parentapp import jobs
from parentapp.api.blueprint import Blueprint
from parentapp.domain import CareType
from parentapp.errors import ServiceUnavailable
from parentapp.extensions import db
from parentapp.models import utcnow
from parentapp.schemas.base import ErrorSchema
from parentapp.schemas.meta import HealthSchema, MetaSchema
from parentapp.services.common import job_runs
from parentapp.services.stats.townships import list_townships

log = logging.getLogger(__name__)

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
@health_blp.alt_response(503, schema=ErrorSchema, description="database unreachable")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise ServiceUnavailable("数据库暂时不可用。", details={"database": "unavailable"}) from exc
    return {"status": "ok", "database": "ok", "scheduler": scheduler_health()}


def scheduler_health() -> dict | None:
    """The scheduler's part of /healthz: a late or failing scheduler is reported, never a
    503 (the web service itself is fine); None when the job table cannot be read."""
    try:
        return job_runs.scheduler_status(jobs.JOBS, utcnow())
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("healthz could not read job_runs", exc_info=True)
        return None
