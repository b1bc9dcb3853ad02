"""new-student moderation: a course may hold a student's comments until N of theirs are
approved

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 16:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing course keeps today's behaviour: 0, off.
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('newcomer_approvals', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_check_constraint('newcomer_approvals',
                                         'newcomer_approvals BETWEEN 0 AND 20')


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_course_newcomer_approvals'), type_='check')
        batch_op.drop_column('newcomer_approvals')
