"""queue indexes: the queue's filters from the index alone, a student's comments in a
course, a rule's and a severity's flags by comment

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07 18:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None

QUEUE = ['course_id', 'status', 'submitted_at', 'id']
SEVERITY = ['course_id', 'status', 'flag_level', 'submitted_at', 'id']
RIDERS = ['author_id', 'discussion_id']


# Plain CREATE and DROP INDEX, never batch_alter_table on `comment`: on SQLite a batch
# rebuild would drop the search index's triggers (models/search.py).
def upgrade():
    op.drop_index('ix_comment_course_queue', table_name='comment')
    op.create_index('ix_comment_course_queue', 'comment', QUEUE + RIDERS)
    op.drop_index('ix_comment_course_severity', table_name='comment')
    op.create_index('ix_comment_course_severity', 'comment', SEVERITY + RIDERS)
    op.create_index('ix_comment_course_author', 'comment',
                    ['course_id', 'author_id', 'status', 'submitted_at', 'id'])
    op.create_index('ix_flag_rule_comment', 'flag', ['rule', 'comment_id'])
    op.create_index('ix_flag_severity_comment', 'flag', ['severity', 'comment_id'])


def downgrade():
    op.drop_index('ix_flag_severity_comment', table_name='flag')
    op.drop_index('ix_flag_rule_comment', table_name='flag')
    op.drop_index('ix_comment_course_author', table_name='comment')
    op.drop_index('ix_comment_course_severity', table_name='comment')
    op.create_index('ix_comment_course_severity', 'comment', SEVERITY)
    op.drop_index('ix_comment_course_queue', table_name='comment')
    op.create_index('ix_comment_course_queue', 'comment', QUEUE)
