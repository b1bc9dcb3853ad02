"""jobs: work nobody waits for (mail, LMS passback, rescores), recorded with the change
that needs it, claimed by one consumer

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 14:20:46.349204

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('waiting', 'running', 'done', 'failed', name='job_state', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_job_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_job_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_course_created', ['course_id', 'created_at'], unique=False)
        batch_op.create_index('ix_job_state_not_before', ['state', 'not_before'], unique=False)
        batch_op.create_index('uq_job_dedupe_open', ['dedupe_key'], unique=True, sqlite_where=sa.text("state IN ('waiting', 'running')"), postgresql_where=sa.text("state IN ('waiting', 'running')"))



def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('uq_job_dedupe_open', sqlite_where=sa.text("state IN ('waiting', 'running')"), postgresql_where=sa.text("state IN ('waiting', 'running')"))
        batch_op.drop_index('ix_job_state_not_before')
        batch_op.drop_index('ix_job_course_created')

    op.drop_table('job')
