"""children: the mother's HBsAg and the birth weight (the schedule's special groups)

Revision ID: 0008_child_birth_facts
Revises: 0007_family_carers
Create Date: 2026-12-03 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_child_birth_facts'
down_revision = '0007_family_carers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hbsag_mother', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('birth_weight_g', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_children_hbsag_mother'),
            "hbsag_mother IN ('negative', 'positive', 'unknown')")


def downgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_children_hbsag_mother'), type_='check')
        batch_op.drop_column('birth_weight_g')
        batch_op.drop_column('hbsag_mother')
