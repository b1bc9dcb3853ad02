"""suggestion marks: a submit marks its author's stored suggestion, refreshed later

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'suggestion_mark',
        sa.Column('discussion_id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['discussion_id'], ['discussion.id'],
                                name=op.f('fk_suggestion_mark_discussion_id_discussion'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['student_id'], ['user.id'],
                                name=op.f('fk_suggestion_mark_student_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('discussion_id', 'student_id', name=op.f('pk_suggestion_mark')),
    )


def downgrade():
    op.drop_table('suggestion_mark')
