"""addresses proved by their holders, invitations kept for an address until it is proved,
and the audit log safe from TRUNCATE

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 13:00:00

"""
from alembic import op
import sqlalchemy as sa

# The statement of models.audit.NO_TRUNCATE when this migration was written.
NO_TRUNCATE = ("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
               "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user', sa.Column('email_verified_at', sa.DateTime(timezone=True),
                                    nullable=True))
    # What proved an address before this column existed: an activation link (staff handed
    # it to that person), or the administrator creating an instructor. Everyone who signed
    # up with a join code typed an address nobody checked, so stays unproved until they
    # open a link mailed to it.
    op.execute(
        "UPDATE \"user\" SET email_verified_at = (SELECT MIN(a.at) FROM audit_event a "
        "WHERE a.action = 'user.activated' AND a.object_type = 'user' "
        "AND a.object_id = \"user\".id)")
    op.execute("UPDATE \"user\" SET email_verified_at = created_at "
               "WHERE email_verified_at IS NULL AND can_create_courses")

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.Enum('instructor', 'ta', 'student', name='role', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=True),
    sa.Column('section', sa.String(length=120), nullable=True),
    sa.Column('lms_user_id', sa.String(length=64), nullable=True),
    sa.Column('sis_user_id', sa.String(length=64), nullable=True),
    sa.Column('sis_login_id', sa.String(length=120), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user.id'], name=op.f('fk_invitation_accepted_by_id_user')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_invitation_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], name=op.f('fk_invitation_invited_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('course_id', 'email', name=op.f('uq_invitation_course_id_email'))
    )

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(NO_TRUNCATE)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
    op.drop_table('invitation')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
