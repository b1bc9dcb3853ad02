"""what a comment's text says, stored with it: the key of the duplicate check and whether
it cites a source; a student's comments in a discussion by index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:15:00

"""
from alembic import op
import sqlalchemy as sa

from moderation.grading.citations import cites_source
from moderation.models.discussions import text_key


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Added columns only: SQLite adds them in place, no table rebuild.
    op.add_column('comment', sa.Column('body_key', sa.String(length=32), nullable=True))
    op.add_column('comment', sa.Column('cites_source', sa.Boolean(), nullable=True))

    # Fill them for the comments already stored, a batch at a time.
    connection = op.get_bind()
    comment = sa.table('comment', sa.column('id'), sa.column('body_key'),
                       sa.column('cites_source'))
    last = 0
    while True:
        rows = connection.execute(sa.text(
            "SELECT id, body FROM comment WHERE id > :last ORDER BY id LIMIT 1000"),
            {"last": last}).all()
        if not rows:
            break
        connection.execute(
            comment.update().where(comment.c.id == sa.bindparam('row_id'))
            .values(body_key=sa.bindparam('key'), cites_source=sa.bindparam('cites')),
            [{"row_id": id_, "key": text_key(body), "cites": cites_source(body)}
             for id_, body in rows])
        last = rows[-1][0]

    op.create_index('ix_comment_discussion_author', 'comment',
                    ['discussion_id', 'author_id', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_comment_discussion_author', table_name='comment')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('cites_source')
        batch_op.drop_column('body_key')
