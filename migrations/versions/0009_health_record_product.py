"""health_records: the product a dose was recorded by; polio as one four-dose series

The optional IPV-3 and IPV-4 codes are gone: an IPV-containing dose is now the next
dose of the polio series (IPV-1, IPV-2, bOPV-1, bOPV-2). A recorded IPV-3 becomes
bOPV-1 recorded by product IPV (IPV-4: bOPV-2), unless the child already has that
dose recorded, when the extra record is dropped.

Revision ID: 0009_health_record_product
Revises: 0008_child_birth_facts
Create Date: 2026-12-03 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_health_record_product'
down_revision = '0008_child_birth_facts'
branch_labels = None
depends_on = None

_MOVES = (("IPV-3", "bOPV-1"), ("IPV-4", "bOPV-2"))


def upgrade():
    with op.batch_alter_table('health_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('product', sa.String(length=24), nullable=True))
    for old, new in _MOVES:
        op.execute(sa.text(
            "DELETE FROM health_records WHERE code = :old AND child_id IN "
            "(SELECT child_id FROM health_records WHERE code = :new)"
        ).bindparams(old=old, new=new))
        op.execute(sa.text(
            "UPDATE health_records SET code = :new, product = 'IPV' WHERE code = :old"
        ).bindparams(old=old, new=new))


def downgrade():
    for old, new in _MOVES:
        op.execute(sa.text(
            "UPDATE health_records SET code = :old WHERE code = :new AND product = 'IPV'"
        ).bindparams(old=old, new=new))
    with op.batch_alter_table('health_records', schema=None) as batch_op:
        batch_op.drop_column('product')
