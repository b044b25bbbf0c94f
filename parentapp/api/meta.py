"""Service health and the reference data the mini-program reads first."""

import logging

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from parentapp import database, jobs, service_settings
from parentapp.api.blueprint import Blueprint
from parentapp.domain import CareType
from parentapp.errors import Busy, ServiceUnavailable
from parentapp.extensions import db
from parentapp.models import utcnow
from parentapp.schemas.base import ErrorSchema
from parentapp.schemas.meta import HealthSchema, MetaSchema
from parentapp.services.common import job_runs
from parentapp.services.health.schedule import Schedule
from parentapp.services.stats.townships import list_townships

log = logging.getLogger(__name__)

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Reference data")
health_blp = Blueprint("health", __name__, url_prefix="/", description="Liveness")


@blp.route("/meta")
@blp.response(200, MetaSchema)
def meta():
    schedule = service_settings.health_schedule()
    return {
        "care_types": list(CareType.values()),
        "subscription_templates": current_app.config["WECHAT_TEMPLATES"],
        "schedule_version": schedule.version,
        "schedule_overlay": _overlay(schedule),
        "vaccine_products": _products(schedule),
        "townships": list_townships(),
    }


def _overlay(schedule: Schedule) -> dict | None:
    overlay = schedule.overlay
    if overlay is None:
        return None
    return {"name": overlay.name, "title": overlay.title, "source": overlay.source}


def _products(schedule: Schedule) -> list[dict]:
    return [{"code": product.code, "name": product.name, "counts_as": list(product.counts_as)}
            for product in schedule.products.values()]


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
    return {"status": "ok", "database": state, "scheduler": scheduler_health()}


def scheduler_health() -> dict | None:
    """The scheduler's part of /healthz: a late or failing scheduler is reported, never a
    503 (the web service itself is fine); None when the job table cannot be read."""
    try:
        return job_runs.scheduler_status(jobs.JOBS, utcnow())
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("healthz could not read job_runs", exc_info=True)
        return None
