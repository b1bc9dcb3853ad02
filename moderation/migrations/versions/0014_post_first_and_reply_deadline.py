"""post before you see, and a reply deadline: two discussion options

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing discussion keeps today's behaviour: classmates' comments readable at
    # once, replies judged by the one due date.
    with op.batch_alter_table('discussion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replies_due_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column(
            'post_first', sa.Enum('off', 'submitted', 'approved', name='post_first',
                                  native_enum=False, create_constraint=True, length=16),
            nullable=False, server_default='off'))
        batch_op.create_check_constraint(
            'replies_due_at',
            'replies_due_at IS NULL OR due_at IS NULL OR replies_due_at >= due_at')


def downgrade():
    with op.batch_alter_table('discussion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_discussion_replies_due_at'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_discussion_post_first'), type_='check')
        batch_op.drop_column('post_first')
        batch_op.drop_column('replies_due_at')
