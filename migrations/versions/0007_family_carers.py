"""family carers: a child's people with roles, invites, pickup lists; seats per child

Every existing child gets the parent who added it as its guardian, and the
children table stops naming a single parent. Class seats and waitlist places
become per child (a seat without a child stays per account). Reminder rows are
now one per recipient: existing dedupe keys gain the recipient's id.

Revision ID: 0007_family_carers
Revises: 0006_job_runs
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_family_carers'
down_revision = '0006_job_runs'
branch_labels = None
depends_on = None

ROLES = "role IN ('guardian', 'carer', 'viewer')"
RELATIONS = "relation IN ('mother', 'father', 'grandparent', 'relative', 'other')"
ACTIVE = "status IN ('enrolled', 'waitlisted')"


def upgrade():
    op.create_table('child_people',
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('relation', sa.String(length=12), nullable=True),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(ROLES, name=op.f('ck_child_people_role')),
    sa.CheckConstraint(f"relation IS NULL OR {RELATIONS}", name=op.f('ck_child_people_relation')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_child_people_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_child_people_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('child_id', 'user_id', name=op.f('pk_child_people'))
    )
    with op.batch_alter_table('child_people', schema=None) as batch_op:
        batch_op.create_index('ix_child_people_user_id', ['user_id', 'child_id'], unique=False)

    op.create_table('child_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('relation', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_by', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(ROLES, name=op.f('ck_child_invites_role')),
    sa.CheckConstraint(RELATIONS, name=op.f('ck_child_invites_relation')),
    sa.ForeignKeyConstraint(['accepted_by'], ['users.id'], name=op.f('fk_child_invites_accepted_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_child_invites_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_child_invites_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_invites')),
    sa.UniqueConstraint('code', name=op.f('uq_child_invites_code'))
    )
    with op.batch_alter_table('child_invites', schema=None) as batch_op:
        batch_op.create_index('ix_child_invites_child_id', ['child_id'], unique=False)

    op.create_table('pickup_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('relation', sa.String(length=12), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.CheckConstraint(RELATIONS, name=op.f('ck_pickup_people_relation')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_pickup_people_child_id_children'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pickup_people'))
    )
    with op.batch_alter_table('pickup_people', schema=None) as batch_op:
        batch_op.create_index('ix_pickup_people_child_id', ['child_id', 'position'], unique=False)

    # Every existing child: the parent who added it is its guardian.
    op.execute("INSERT INTO child_people (child_id, user_id, role, relation, reminders, since) "
               "SELECT id, parent_id, 'guardian', NULL, TRUE, created_at FROM children")
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index('ix_children_parent_id')
        batch_op.drop_constraint('fk_children_parent_id_users', type_='foreignkey')
        batch_op.drop_column('parent_id')

    with op.batch_alter_table('booking_slots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('picked_up_by', sa.String(length=20), nullable=True))

    with op.batch_alter_table('class_enrollments', schema=None) as batch_op:
        batch_op.drop_index('uq_class_enrollments_active_family', postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
        batch_op.create_index('uq_class_enrollments_active_child', ['class_id', 'child_id'], unique=True, postgresql_where=sa.text(f"{ACTIVE} AND child_id IS NOT NULL"), sqlite_where=sa.text(f"{ACTIVE} AND child_id IS NOT NULL"))
        batch_op.create_index('uq_class_enrollments_active_family', ['class_id', 'family_id'], unique=True, postgresql_where=sa.text(f"{ACTIVE} AND child_id IS NULL"), sqlite_where=sa.text(f"{ACTIVE} AND child_id IS NULL"))

    # One row per recipient now: a key names its recipient.
    op.execute("UPDATE notifications SET dedupe_key = dedupe_key || ':' || 'u' || CAST(user_id AS VARCHAR(12)) "
               "WHERE dedupe_key IS NOT NULL")


def downgrade():
    op.execute("UPDATE notifications SET dedupe_key = substr(dedupe_key, 1, "
               "length(dedupe_key) - length(':' || 'u' || CAST(user_id AS VARCHAR(12)))) "
               "WHERE dedupe_key LIKE '%:' || 'u' || CAST(user_id AS VARCHAR(12))")
    # Rows that existed only because a child had several people go first.
    op.execute("DELETE FROM notifications WHERE child_id IS NOT NULL AND user_id NOT IN "
               "(SELECT user_id FROM child_people p WHERE p.child_id = notifications.child_id "
               "AND p.role = 'guardian')")
    op.execute("DELETE FROM notifications WHERE id NOT IN "
               "(SELECT min(id) FROM notifications GROUP BY dedupe_key) AND dedupe_key IS NOT NULL")

    with op.batch_alter_table('class_enrollments', schema=None) as batch_op:
        batch_op.drop_index('uq_class_enrollments_active_family', postgresql_where=sa.text(f"{ACTIVE} AND child_id IS NULL"), sqlite_where=sa.text(f"{ACTIVE} AND child_id IS NULL"))
        batch_op.drop_index('uq_class_enrollments_active_child', postgresql_where=sa.text(f"{ACTIVE} AND child_id IS NOT NULL"), sqlite_where=sa.text(f"{ACTIVE} AND child_id IS NOT NULL"))
    # Seats of one account for several children collapse to the oldest.
    op.execute(f"UPDATE class_enrollments SET status = 'left' WHERE {ACTIVE} AND id NOT IN "
               f"(SELECT min(id) FROM class_enrollments WHERE {ACTIVE} GROUP BY class_id, family_id)")
    with op.batch_alter_table('class_enrollments', schema=None) as batch_op:
        batch_op.create_index('uq_class_enrollments_active_family', ['class_id', 'family_id'], unique=True, postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))

    with op.batch_alter_table('booking_slots', schema=None) as batch_op:
        batch_op.drop_column('picked_up_by')

    # A child keeps its first guardian as its one parent.
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
    op.execute("UPDATE children SET parent_id = (SELECT p.user_id FROM child_people p "
               "WHERE p.child_id = children.id AND p.role = 'guardian' "
               "ORDER BY p.since, p.user_id LIMIT 1)")
    op.execute("DELETE FROM children WHERE parent_id IS NULL")
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.alter_column('parent_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_children_parent_id_users', 'users', ['parent_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_children_parent_id', ['parent_id'], unique=False)

    with op.batch_alter_table('pickup_people', schema=None) as batch_op:
        batch_op.drop_index('ix_pickup_people_child_id')
    op.drop_table('pickup_people')
    with op.batch_alter_table('child_invites', schema=None) as batch_op:
        batch_op.drop_index('ix_child_invites_child_id')
    op.drop_table('child_invites')
    with op.batch_alter_table('child_people', schema=None) as batch_op:
        batch_op.drop_index('ix_child_people_user_id')
    op.drop_table('child_people')
