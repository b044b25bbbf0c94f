"""audit log of operator and regulator actions; console sessions are tokens of their own kind

Revision ID: 0005_audit_log
Revises: 0004_bookings_classes_reminders
Create Date: 2026-12-02 03:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_audit_log'
down_revision = '0004_bookings_classes_reminders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=24), nullable=False),
    sa.Column('subject_id', sa.String(length=40), nullable=False),
    sa.Column('nursery_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users')),
    sa.ForeignKeyConstraint(['nursery_id'], ['nurseries.id'], name=op.f('fk_audit_log_nursery_id_nurseries'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_log_actor_id_at', ['actor_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_nursery_id_at', ['nursery_id', 'at'], unique=False)

    # Tokens issued before this revision were all API bearer tokens; the console's old
    # cookies carried such a token and simply stop working (staff sign in again).
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=8), server_default='api',
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_auth_tokens_kind'),
                                         "kind IN ('api', 'console')")


def downgrade():
    with op.batch_alter_table('auth_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_auth_tokens_kind'), type_='check')
        batch_op.drop_column('kind')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_nursery_id_at')
        batch_op.drop_index('ix_audit_log_actor_id_at')
        batch_op.drop_index('ix_audit_log_at')

    op.drop_table('audit_log')
