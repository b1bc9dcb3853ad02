"""decisions, revisions, staff edits, course queue, TA permissions, audit triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 03:35:09.100671

"""
from alembic import op
import sqlalchemy as sa

from moderation.models.audit import APPEND_ONLY
from moderation.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decision_message', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('flag_level', sa.SmallInteger(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('original_body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('edited_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('edited_at', UTCDateTime(timezone=True), nullable=True))

    # Existing comments: their discussion's course, and their most severe flag.
    op.execute("UPDATE comment SET course_id = (SELECT discussion.course_id FROM discussion "
               "WHERE discussion.id = comment.discussion_id)")
    op.execute("UPDATE comment SET flag_level = COALESCE((SELECT MAX(CASE flag.severity "
               "WHEN 'block' THEN 3 WHEN 'hold' THEN 2 ELSE 1 END) FROM flag "
               "WHERE flag.comment_id = comment.id), 0)")

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.alter_column('course_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('flag_level', existing_type=sa.SmallInteger(),
                              server_default=None)
        batch_op.create_check_constraint('flag_level', 'flag_level BETWEEN 0 AND 3')
        batch_op.create_index('ix_comment_course_queue', ['course_id', 'status', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_comment_course_severity', ['course_id', 'status', 'flag_level', 'submitted_at', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_comment_course_id_course'), 'course', ['course_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_comment_edited_by_id_user'), 'user', ['edited_by_id'], ['id'])

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tas_manage', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('tas_export', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.alter_column('tas_manage', existing_type=sa.Boolean(), server_default=None)
        batch_op.alter_column('tas_export', existing_type=sa.Boolean(), server_default=None)

    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('advice', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.alter_column('advice', existing_type=sa.Text(), server_default=None)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_audit_event_course_subject_at', ['course_id', 'subject_id', 'at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_subject_id_user'), 'user', ['subject_id'], ['id'])

    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    elif op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_event_subject_id_user'), type_='foreignkey')
        batch_op.drop_index('ix_audit_event_course_subject_at')
        batch_op.drop_column('subject_id')

    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_column('advice')

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('tas_export')
        batch_op.drop_column('tas_manage')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comment_edited_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_comment_course_id_course'), type_='foreignkey')
        batch_op.drop_constraint('ck_comment_flag_level', type_='check')
        batch_op.drop_index('ix_comment_course_severity')
        batch_op.drop_index('ix_comment_course_queue')
        batch_op.drop_column('edited_at')
        batch_op.drop_column('edited_by_id')
        batch_op.drop_column('original_body')
        batch_op.drop_column('flag_level')
        batch_op.drop_column('decision_message')
        batch_op.drop_column('course_id')
