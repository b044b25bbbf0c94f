"""monthly places by application (入托申请): rounds, applications, choices

A round holds its places out of every full-day slot of its month
(``slots.round_held``); the CHECK keeps every held and booked place within capacity.

Revision ID: 0013_place_rounds
Revises: 0012_health_checks_alerts
Create Date: 2026-12-04 18:44:03.706980

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_place_rounds'
down_revision = '0012_health_checks_alerts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('place_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nursery_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('care_type', sa.String(length=12), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('priority_rules', sa.JSON(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("care_type IN ('full_day')", name=op.f('ck_place_rounds_care_type')),
    sa.CheckConstraint("status IN ('open', 'allocated', 'ended')", name=op.f('ck_place_rounds_status')),
    sa.CheckConstraint('held >= 0 AND held <= places', name=op.f('ck_place_rounds_held_within_places')),
    sa.CheckConstraint('places >= 1', name=op.f('ck_place_rounds_places_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_place_rounds_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['nursery_id'], ['nurseries.id'], name=op.f('fk_place_rounds_nursery_id_nurseries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_rounds')),
    sa.UniqueConstraint('nursery_id', 'month', 'care_type', name=op.f('uq_place_rounds_nursery_id_month_care_type'))
    )
    with op.batch_alter_table('place_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_place_rounds_month_status', ['month', 'status'], unique=False)

    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('applied_by', sa.Integer(), nullable=True),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('care_type', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('township', sa.String(length=12), nullable=True),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('nursery_id', sa.Integer(), nullable=True),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('submitted', 'offered', 'unplaced', 'accepted', 'declined', 'expired')", name=op.f('ck_applications_status')),
    sa.ForeignKeyConstraint(['applied_by'], ['users.id'], name=op.f('fk_applications_applied_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_applications_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_applications_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['nursery_id'], ['nurseries.id'], name=op.f('fk_applications_nursery_id_nurseries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['place_rounds.id'], name=op.f('fk_applications_round_id_place_rounds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['township'], ['townships.code'], name=op.f('fk_applications_township_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('child_id', 'month', 'care_type', name=op.f('uq_applications_child_id_month_care_type'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_month_status', ['month', 'status'], unique=False)
        batch_op.create_index('ix_applications_status_expires', ['status', 'offer_expires_at'], unique=False)

    op.create_table('application_choices',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('nursery_id', sa.Integer(), nullable=False),
    sa.Column('township_first', sa.Boolean(), nullable=True),
    sa.Column('sibling', sa.Boolean(), nullable=True),
    sa.Column('draw', sa.String(length=64), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.CheckConstraint('rank >= 1 AND rank <= 3', name=op.f('ck_application_choices_rank')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_choices_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['nursery_id'], ['nurseries.id'], name=op.f('fk_application_choices_nursery_id_nurseries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['place_rounds.id'], name=op.f('fk_application_choices_round_id_place_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', 'rank', name=op.f('pk_application_choices')),
    sa.UniqueConstraint('application_id', 'round_id', name=op.f('uq_application_choices_application_id_round_id'))
    )
    with op.batch_alter_table('application_choices', schema=None) as batch_op:
        batch_op.create_index('ix_application_choices_round_id', ['round_id', 'position'], unique=False)

    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_held', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_slots_round_held_within_capacity'),
            'round_held >= 0 AND booked + held + round_held <= capacity')



def downgrade():
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_slots_round_held_within_capacity'), type_='check')
        batch_op.drop_column('round_held')

    with op.batch_alter_table('application_choices', schema=None) as batch_op:
        batch_op.drop_index('ix_application_choices_round_id')

    op.drop_table('application_choices')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_status_expires')
        batch_op.drop_index('ix_applications_month_status')

    op.drop_table('applications')
    with op.batch_alter_table('place_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_place_rounds_month_status')

    op.drop_table('place_rounds')
