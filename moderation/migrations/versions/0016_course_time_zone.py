"""a course's time zone: dates on its pages are typed and shown in it (stored in UTC)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing course keeps today's behaviour: its dates in UTC.
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False,
                                      server_default='UTC'))


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
