"""Every schema change is a migration: upgrading a fresh database gives the models' schema."""

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from parentapp import create_app
from parentapp.extensions import db
from parentapp.models import Township
from tests.dbutil import temporary_database


def test_migrations_build_the_models_schema_and_the_township_rows(app, tmp_path):
    server = os.environ.get("PARENTAPP_TEST_DATABASE_URL")
    with temporary_database(server, tmp_path) as url:
        fresh = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": url,
                            "SQLALCHEMY_ENGINE_OPTIONS": {}})
        with fresh.app_context():
            upgrade()
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == []
            assert db.session.scalar(db.select(db.func.count()).select_from(Township)) == 33
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()
