"""nurseries: kind family (家庭托育点), at most 5 licensed places

Downgrading turns family care points into kind nursery (the older schema has no
other kind for them); their places stay as they are.

Revision ID: 0010_family_care_points
Revises: 0009_health_record_product
Create Date: 2026-12-03 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_family_care_points'
down_revision = '0009_health_record_product'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('nurseries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_nurseries_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_nurseries_kind'),
            "kind IN ('nursery', 'kindergarten_class', 'employer', 'family')")
        batch_op.create_check_constraint(
            op.f('ck_nurseries_family_places'),
            "kind != 'family' OR licensed_places <= 5")


def downgrade():
    op.execute(sa.text("UPDATE nurseries SET kind = 'nursery' WHERE kind = 'family'"))
    with op.batch_alter_table('nurseries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_nurseries_family_places'), type_='check')
        batch_op.drop_constraint(op.f('ck_nurseries_kind'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_nurseries_kind'),
            "kind IN ('nursery', 'kindergarten_class', 'employer')")
