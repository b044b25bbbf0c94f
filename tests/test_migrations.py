"""Every schema change is a migration: upgrading a fresh database gives the models' schema."""

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from parentapp import create_app
from parentapp.models import Township
from tests.dbutil import temporary_database


def _check_constraints(engine) -> dict[tuple[str, str], str]:
    """Every CHECK constraint's text as the database keeps it, by table and name."""
    inspector = inspect(engine)
    return {(table, check["name"]): check["sqltext"] for table in inspector.get_table_names()
            if table != "alembic_version" for check in inspector.get_check_constraints(table)}


def test_migrations_build_the_models_schema_and_the_township_rows(app, db, tmp_path):
    server = os.environ.get("PARENTAPP_TEST_DATABASE_URL")
    models_engine = db.engine  # the test database, made by create_all from the models
    with temporary_database(server, tmp_path) as url:
        fresh = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": url,
                            "SQLALCHEMY_ENGINE_OPTIONS": {}})
        with fresh.app_context():
            upgrade()
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == []
            # Alembic's comparison skips CHECK constraints: compare them with the ones the
            # models create (the test database), in the database's own rendering.
            migrated = _check_constraints(db.engine)
            assert ("slots", "ck_slots_care_type") in migrated
            assert migrated == _check_constraints(models_engine)
            assert db.session.scalar(db.select(db.func.count()).select_from(Township)) == 33
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()
