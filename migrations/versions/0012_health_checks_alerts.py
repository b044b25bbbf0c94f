"""nursery health: morning checks, absence reasons, alerts

One morning check and one absence reason per booking and local day; an alert
opens once per cause (``cause_key`` unique).

Revision ID: 0012_health_checks_alerts
Revises: 0011_nursery_staff
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_health_checks_alerts'
down_revision = '0011_nursery_staff'
branch_labels = None
depends_on = None

RESULTS = "result IN ('ok', 'sent_home')"
REASONS = "reason IN ('illness', 'family', 'unknown')"
KINDS = ("kind IN ('illness_cluster', 'ratio_breach', 'certificate_expiring', "
         "'certificate_expired')")
STATUSES = "status IN ('open', 'closed')"


def _booking_day_columns():
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('booking_id', sa.Integer(), nullable=False),
        sa.Column('nursery_id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
    ]


def _booking_day_keys(table):
    return [
        sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f(f'fk_{table}_booking_id_bookings'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['nursery_id'], ['nurseries.id'], name=op.f(f'fk_{table}_nursery_id_nurseries'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f(f'fk_{table}_child_id_children'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('booking_id', 'day', name=op.f(f'uq_{table}_booking_id_day')),
    ]


def upgrade():
    op.create_table('health_checks', *_booking_day_columns(),
    sa.Column('temperature_c', sa.Float(), nullable=False),
    sa.Column('symptoms', sa.JSON(), nullable=False),
    sa.Column('result', sa.String(length=12), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_by', sa.Integer(), nullable=True),
    sa.CheckConstraint(RESULTS, name=op.f('ck_health_checks_result')),
    sa.CheckConstraint('temperature_c >= 34.0 AND temperature_c <= 43.0', name=op.f('ck_health_checks_temperature')),
    sa.ForeignKeyConstraint(['checked_by'], ['users.id'], name=op.f('fk_health_checks_checked_by_users'), ondelete='SET NULL'),
    *_booking_day_keys('health_checks'),
    )
    with op.batch_alter_table('health_checks', schema=None) as batch_op:
        batch_op.create_index('ix_health_checks_nursery_day', ['nursery_id', 'day'], unique=False)
    op.create_table('absences', *_booking_day_columns(),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('symptoms', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.CheckConstraint(REASONS, name=op.f('ck_absences_reason')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_absences_recorded_by_users'), ondelete='SET NULL'),
    *_booking_day_keys('absences'),
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index('ix_absences_nursery_day', ['nursery_id', 'day'], unique=False)
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('nursery_id', sa.Integer(), nullable=False),
    sa.Column('cause_key', sa.Text(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('close_note', sa.String(length=500), nullable=True),
    sa.CheckConstraint(KINDS, name=op.f('ck_alerts_kind')),
    sa.CheckConstraint(STATUSES, name=op.f('ck_alerts_status')),
    sa.ForeignKeyConstraint(['nursery_id'], ['nurseries.id'], name=op.f('fk_alerts_nursery_id_nurseries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_alerts_closed_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('cause_key', name=op.f('uq_alerts_cause_key')),
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_nursery_opened', ['nursery_id', 'opened_at'], unique=False)
        batch_op.create_index('ix_alerts_opened', ['opened_at'], unique=False)


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_opened')
        batch_op.drop_index('ix_alerts_nursery_opened')
    op.drop_table('alerts')
    for table in ('absences', 'health_checks'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_nursery_day')
        op.drop_table(table)
