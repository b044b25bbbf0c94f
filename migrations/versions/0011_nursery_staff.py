"""nursery staff: people, certificates, duty; when a child was checked in

A phone is active at one nursery only and a person has one open duty at most
(partial unique indexes). Booking slots keep the check-in instant, so the carer
ratio can count who was in the nursery at a past moment; slots checked in now
take it from their last change.

Revision ID: 0011_nursery_staff
Revises: 0010_family_care_points
Create Date: 2026-12-03 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_nursery_staff'
down_revision = '0010_family_care_points'
branch_labels = None
depends_on = None

ROLES = "role IN ('carer', 'health', 'director', 'cook', 'other')"
ACTIVE = "left_at IS NULL"
OPEN = "checked_out_at IS NULL"


def upgrade():
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nursery_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('health_certificate_expires_on', sa.Date(), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(ROLES, name=op.f('ck_staff_role')),
    sa.ForeignKeyConstraint(['nursery_id'], ['nurseries.id'], name=op.f('fk_staff_nursery_id_nurseries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index('ix_staff_nursery_id', ['nursery_id', 'id'], unique=False)
        batch_op.create_index('ux_staff_phone_active', ['phone'], unique=True, postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
    op.create_table('staff_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_certificates_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_certificates'))
    )
    with op.batch_alter_table('staff_certificates', schema=None) as batch_op:
        batch_op.create_index('ix_staff_certificates_staff_id', ['staff_id'], unique=False)
    op.create_table('staff_duties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('nursery_id', sa.Integer(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('checked_out_at IS NULL OR checked_out_at >= checked_in_at', name=op.f('ck_staff_duties_out_after_in')),
    sa.ForeignKeyConstraint(['nursery_id'], ['nurseries.id'], name=op.f('fk_staff_duties_nursery_id_nurseries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_duties_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_duties'))
    )
    with op.batch_alter_table('staff_duties', schema=None) as batch_op:
        batch_op.create_index('ix_staff_duties_nursery_in', ['nursery_id', 'checked_in_at'], unique=False)
        batch_op.create_index('ux_staff_duties_open', ['staff_id'], unique=True, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    with op.batch_alter_table('booking_slots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE booking_slots SET checked_in_at = changed_at WHERE status = 'checked_in'")


def downgrade():
    with op.batch_alter_table('booking_slots', schema=None) as batch_op:
        batch_op.drop_column('checked_in_at')
    with op.batch_alter_table('staff_duties', schema=None) as batch_op:
        batch_op.drop_index('ux_staff_duties_open', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.drop_index('ix_staff_duties_nursery_in')
    op.drop_table('staff_duties')
    with op.batch_alter_table('staff_certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_certificates_staff_id')
    op.drop_table('staff_certificates')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index('ux_staff_phone_active', postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
        batch_op.drop_index('ix_staff_nursery_id')
    op.drop_table('staff')
