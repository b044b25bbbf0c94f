"""parent search indexes on PostgreSQL: nearest-first (GiST on cube), covering; name trigrams

PostgreSQL only; on SQLite this migration does nothing (search keeps the bounding-box
index there). PostGIS is not installed on our servers; the contrib ``cube`` ships with
PostgreSQL. The GiST index is on a plain ``cube(ARRAY[x, y, z])`` of the unit-sphere
point rather than earthdistance's ll_to_earth(), whose body names cube and earth without
a schema and so cannot be rebuilt by pg_restore (empty search_path).

Revision ID: 0014_search_indexes
Revises: 0013_place_rounds
Create Date: 2026-12-04 19:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_search_indexes'
down_revision = '0013_place_rounds'
branch_labels = None
depends_on = None

UNIT_SPHERE_POINT = ("cube(ARRAY[cos(radians(lat)) * cos(radians(lng)), "
                     "cos(radians(lat)) * sin(radians(lng)), sin(radians(lat))])")
COVERED = "id, lat, lng, filing_status, kind, open_to_public, inclusive, township"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS cube")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX ix_nurseries_search_knn ON nurseries USING gist "
               f"({UNIT_SPHERE_POINT}) INCLUDE ({COVERED})")
    op.execute("CREATE INDEX ix_nurseries_name_trgm ON nurseries USING gin (name gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_nurseries_name_trgm")
    op.execute("DROP INDEX ix_nurseries_search_knn")
    # The extensions stay: other databases' objects may use them, and they cost nothing.
