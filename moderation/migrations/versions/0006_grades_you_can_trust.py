"""grades you can trust: two moderation modes ("none" merged into "flagged", which
behaved the same), and points stored to the hundredth, as every page and file shows them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa

from moderation.grading.rubric import hundredths


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

MODES = "moderation_mode IN ('all', 'flagged')"
OLD_MODES = "moderation_mode IN ('all', 'flagged', 'none')"
# (table, columns) holding points: scores people set, suggestions, quality, points possible
POINTS = (('grade', ('score', 'suggested_score', 'quality_points')),
          ('discussion', ('points_possible',)))


def upgrade():
    # "none" published what no rule held, exactly as "flagged" does.
    op.execute("UPDATE discussion SET moderation_mode = 'flagged' "
               "WHERE moderation_mode = 'none'")
    with op.batch_alter_table('discussion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_discussion_moderation_mode'), type_='check')
        batch_op.create_check_constraint('moderation_mode', MODES)

    # A score of 9.999 was shown and exported as 10: store what is shown.
    connection = op.get_bind()
    for name, columns in POINTS:
        table = sa.table(name, sa.column('id'), *(sa.column(c) for c in columns))
        last = 0
        while True:
            rows = connection.execute(
                sa.select(table.c.id, *(table.c[c] for c in columns))
                .where(table.c.id > last).order_by(table.c.id).limit(1000)).all()
            if not rows:
                break
            for row in rows:
                values = {c: hundredths(row[i + 1]) for i, c in enumerate(columns)
                          if row[i + 1] is not None and hundredths(row[i + 1]) != row[i + 1]}
                if values:
                    connection.execute(table.update().where(table.c.id == row[0])
                                       .values(**values))
            last = rows[-1][0]


def downgrade():
    # Rounded points stay rounded; "flagged" discussions stay "flagged" (the same behaviour).
    with op.batch_alter_table('discussion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_discussion_moderation_mode'), type_='check')
        batch_op.create_check_constraint('moderation_mode', OLD_MODES)
