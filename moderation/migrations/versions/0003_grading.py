"""grading: course and discussion rubrics, the quality judgement, when a person graded

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 04:00:50.355017

"""
from alembic import op
import sqlalchemy as sa

from moderation.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        # Existing courses get the empty document: the default rubric.
        batch_op.add_column(sa.Column('rubric', sa.JSON(), nullable=False,
                                      server_default='{}'))
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.alter_column('rubric', existing_type=sa.JSON(), server_default=None)

    with op.batch_alter_table('discussion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rubric', sa.JSON(), nullable=True))

    with op.batch_alter_table('grade', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quality_points', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('graded_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint('quality_not_negative',
                                         'quality_points IS NULL OR quality_points >= 0')


def downgrade():
    with op.batch_alter_table('grade', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_grade_quality_not_negative'), type_='check')
        batch_op.drop_column('graded_at')
        batch_op.drop_column('quality_points')

    with op.batch_alter_table('discussion', schema=None) as batch_op:
        batch_op.drop_column('rubric')

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('rubric')
