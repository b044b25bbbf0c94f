"""scripts/backup-postgres.sh and restore-postgres.sh: a seeded database comes back whole."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from flask_migrate import upgrade

from parentapp import create_app, seed
from parentapp.extensions import db
from tests.dbutil import temporary_database

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
SERVER = os.environ.get("PARENTAPP_TEST_DATABASE_URL") or ""

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not SERVER.startswith("postgres"), reason="needs PostgreSQL"),
    pytest.mark.skipif(not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "psql")),
                       reason="needs pg_dump, pg_restore and psql"),
]


def _script(name: str, *args: str) -> str:
    done = subprocess.run([str(SCRIPTS / name), *args], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _migrate_and_seed(app, url: str) -> None:
    source = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": url,
                         "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with source.app_context():
        upgrade()
        seed.seed_demo(echo=lambda line: None)
        db.session.remove()
        db.engine.dispose()


def test_a_backup_restored_into_a_new_database_has_every_row(app, tmp_path):
    with temporary_database(SERVER, tmp_path) as source, \
            temporary_database(SERVER, tmp_path) as target:
        _migrate_and_seed(app, source)
        dump = _script("backup-postgres.sh", source, str(tmp_path / "parentapp.dump")).strip()
        restored = _script("restore-postgres.sh", dump, target)
        counts = dict(line.split() for line in restored.splitlines())
        assert _script("postgres-row-counts.sh", source) == restored
        assert int(counts["slots"]) > 0 and int(counts["townships"]) == 33
        assert counts["alembic_version"] == "1"
        # A second restore into the same (no longer empty) database is refused.
        again = subprocess.run([str(SCRIPTS / "restore-postgres.sh"), dump, target],
                               capture_output=True, text=True, timeout=60, check=False)
        assert again.returncode != 0 and "refusing" in again.stderr
