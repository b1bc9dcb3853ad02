"""queue indexes: a discussion's queue in severity order from one index range; a course's
revisions by status from the index alone

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


# Plain CREATE and DROP INDEX, never batch_alter_table on `comment`: on SQLite a batch
# rebuild would drop the search index's triggers (models/search.py).
def upgrade():
    op.create_index('ix_comment_discussion_queue', 'comment',
                    ['course_id', 'discussion_id', 'status', 'flag_level', 'submitted_at',
                     'id', 'author_id'])
    op.create_index('ix_comment_course_revisions', 'comment',
                    ['course_id', 'status', 'revision_of_id'],
                    sqlite_where=sa.text('revision_of_id IS NOT NULL'),
                    postgresql_where=sa.text('revision_of_id IS NOT NULL'))


def downgrade():
    op.drop_index('ix_comment_course_revisions', table_name='comment')
    op.drop_index('ix_comment_discussion_queue', table_name='comment')
