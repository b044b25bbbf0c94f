"""Migration 0007 on existing data: every child gets its parent as guardian, stored reminder
keys name their recipient, and a downgrade gives each child back its one parent."""

import os
from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from parentapp import create_app
from parentapp.extensions import db
from tests.dbutil import temporary_database

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def _rows(sql: str) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(text(sql))]


def test_existing_children_get_their_parent_as_guardian(app, tmp_path):
    server = os.environ.get("PARENTAPP_TEST_DATABASE_URL")
    with temporary_database(server, tmp_path) as url:
        fresh = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": url,
                            "SQLALCHEMY_ENGINE_OPTIONS": {}})
        with fresh.app_context():
            upgrade(revision="0006_job_runs")
            for user_id in (1, 2):
                db.session.execute(text(
                    "INSERT INTO users (id, role, wechat_openid, created_at) "
                    "VALUES (:id, 'parent', :openid, :now)"),
                    {"id": user_id, "openid": f"o{user_id}", "now": NOW})
            for child_id, parent_id in ((10, 1), (11, 1), (12, 2)):
                db.session.execute(text(
                    "INSERT INTO children (id, parent_id, name, birth_date, gender, je_choice, "
                    "hepa_choice, created_at) VALUES (:id, :parent, '孩子', '2025-06-01', "
                    "'male', 'live', 'live', :now)"),
                    {"id": child_id, "parent": parent_id, "now": NOW})
            db.session.execute(text(
                "INSERT INTO health_records (id, child_id, code, done_on, recorded_at) "
                "VALUES (5, 10, 'HepB-1', '2025-06-01', :now)"), {"now": NOW})
            db.session.execute(text(
                "INSERT INTO notifications (id, user_id, kind, dedupe_key, child_id, title, body, "
                "planned_at, send_after, delivery_state, attempts, created_at) VALUES "
                "(1, 1, 'vaccine', 'health:10:vaccine:2026-12-05', 10, 't', 'b', :now, :now, "
                "'pending', 0, :now), (2, 2, 'filing_approved', NULL, NULL, 't', 'b', :now, "
                ":now, 'inbox_only', 0, :now)"), {"now": NOW})
            db.session.commit()

            upgrade(revision="0007_family_carers")
            assert _rows("SELECT child_id, user_id, role, reminders FROM child_people "
                         "ORDER BY child_id") == [(10, 1, "guardian", True),
                                                  (11, 1, "guardian", True),
                                                  (12, 2, "guardian", True)]
            assert _rows("SELECT id, dedupe_key FROM notifications ORDER BY id") == [
                (1, "health:10:vaccine:2026-12-05:u1"), (2, None)]
            # Rebuilding the children table (SQLite batch mode) cascades into nothing.
            assert _rows("SELECT id, child_id FROM health_records") == [(5, 10)]

            # A second person, then back down: the child keeps its first guardian.
            db.session.execute(text(
                "INSERT INTO child_people (child_id, user_id, role, reminders, since) "
                "VALUES (10, 2, 'carer', TRUE, :now)"), {"now": NOW})
            db.session.commit()
            db.session.remove()
            downgrade(revision="0006_job_runs")
            assert _rows("SELECT id, parent_id FROM children ORDER BY id") == [
                (10, 1), (11, 1), (12, 2)]
            assert _rows("SELECT id, dedupe_key FROM notifications ORDER BY id") == [
                (1, "health:10:vaccine:2026-12-05"), (2, None)]
            assert _rows("SELECT id, child_id FROM health_records") == [(5, 10)]
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()
