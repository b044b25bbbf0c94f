"""parentapp: the backend of Shizhu county's childcare mini-program."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from parentapp import (
    cli,
    console,
    database,
    docs,
    logs,
    rate_limits,
    request_guards,
    request_log,
    signals,
)
from parentapp.api import register_blueprints
from parentapp.api.error_docs import ErrorResponses
from parentapp.config import load_config
from parentapp.database import BoundedIntConverter
from parentapp.extensions import api, db, migrate
from parentapp.json_body import ContractRequest, StrictJSONProvider
from parentapp.services.booking.cancellation import close_on_revocation
from parentapp.services.health.schedule_files import load_schedule

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(API_TITLE="parentapp", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
                      OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json")
    if config:
        app.config.update(config)
    # Broken reference data must stop the app at start, not at a parent's request.
    load_schedule(app.config["SCHEDULE_VERSION"], app.config.get("SCHEDULE_OVERLAY"))
    url = database.normalise_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                          database.engine_options(url, app.config["LOCK_TIMEOUT_MS"]))
    if url.startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # One strict JSON parser for every request body (and ensure_ascii off for answers).
    app.json = StrictJSONProvider(app)
    app.request_class = ContractRequest
    _configure_logging(app.config["LOG_FORMAT"])

    # URL ids beyond a 64-bit column are simply not found (a 404), never an overflow.
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = request_guards.PrintableConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    database.init_app(app)
    request_log.init_app(app)
    api.init_app(app, spec_kwargs={"extra_plugins": [ErrorResponses()]})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "opaque"})
    register_blueprints(api)
    request_guards.init_app(app)
    rate_limits.init_app(app)
    docs.init_app(app)
    console.init_app(app)
    cli.init_app(app)
    # Cross-feature effects; blinker keeps one connection per receiver however many
    # apps this process builds.
    signals.filing_revoked.connect(close_on_revocation, weak=False)
    return app


def _configure_logging(fmt: str) -> None:
    """One JSON (or text) handler for the whole process, however many apps it builds."""
    logs.configure_logging(fmt)
