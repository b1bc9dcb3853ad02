"""fingerprint index (winnowed fingerprints of every comment, for finding copies) and
discussion pages in time order

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 04:22:55.545729

"""
from alembic import op
import sqlalchemy as sa

from moderation.analysis.fingerprints import fingerprints

# The value of models.fingerprints.COMMON_FINGERPRINT when this migration was written.
COMMON_FINGERPRINT = 50


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fingerprint',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_fingerprint_comment_id_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_fingerprint_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'hash', 'comment_id', name=op.f('pk_fingerprint'))
    )
    with op.batch_alter_table('fingerprint', schema=None) as batch_op:
        batch_op.create_index('ix_fingerprint_comment_id', ['comment_id'], unique=False)
    op.create_table('fingerprint_count',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('comments', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_fingerprint_count_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'hash', name=op.f('pk_fingerprint_count'))
    )

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint('uq_comment_revision_of_id', type_='unique')
        batch_op.create_index('ix_comment_discussion_time', ['discussion_id', 'submitted_at', 'id'], unique=False)
    # Partial indexes (only rows with a value), outside the batch: SQLite creates them as
    # they are, without rebuilding the table.
    op.drop_index('ix_comment_parent_id', table_name='comment')
    op.create_index('ix_comment_parent_id', 'comment', ['parent_id'],
                    sqlite_where=sa.text('parent_id IS NOT NULL'),
                    postgresql_where=sa.text('parent_id IS NOT NULL'))
    op.create_index('uq_comment_revision_of', 'comment', ['revision_of_id'], unique=True,
                    sqlite_where=sa.text('revision_of_id IS NOT NULL'),
                    postgresql_where=sa.text('revision_of_id IS NOT NULL'))

    # Fingerprint the comments already stored, a batch at a time; then count each
    # fingerprint per course and drop the rows of the common ones, as the app does.
    connection = op.get_bind()
    fingerprint = sa.table('fingerprint', sa.column('course_id'), sa.column('hash'),
                           sa.column('comment_id'))
    last = 0
    while True:
        rows = connection.execute(sa.text(
            "SELECT id, course_id, body FROM comment WHERE id > :last ORDER BY id LIMIT 1000"),
            {"last": last}).all()
        if not rows:
            break
        values = [{"course_id": course_id, "hash": value, "comment_id": id_}
                  for id_, course_id, body in rows for value in fingerprints(body)]
        if values:
            connection.execute(fingerprint.insert(), values)
        last = rows[-1][0]
    op.execute("INSERT INTO fingerprint_count (course_id, hash, comments) "
               "SELECT course_id, hash, count(*) FROM fingerprint GROUP BY course_id, hash")
    op.execute("DELETE FROM fingerprint WHERE EXISTS (SELECT 1 FROM fingerprint_count c "
               "WHERE c.course_id = fingerprint.course_id AND c.hash = fingerprint.hash "
               f"AND c.comments > {COMMON_FINGERPRINT})")


def downgrade():
    op.drop_index('uq_comment_revision_of', table_name='comment')
    op.drop_index('ix_comment_parent_id', table_name='comment')
    op.create_index('ix_comment_parent_id', 'comment', ['parent_id'])
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_comment_revision_of_id', ['revision_of_id'])
        batch_op.drop_index('ix_comment_discussion_time')
    op.drop_table('fingerprint_count')
    with op.batch_alter_table('fingerprint', schema=None) as batch_op:
        batch_op.drop_index('ix_fingerprint_comment_id')
    op.drop_table('fingerprint')
