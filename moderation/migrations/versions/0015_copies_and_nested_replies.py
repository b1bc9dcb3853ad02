"""copies side by side and replies to replies: a copied flag names the comment it matches;
a reply attached at the deepest level names the comment it answers

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Older flags keep NULL: the copies page then looks for the best match itself.
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('matched_comment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_flag_matched_comment_id_comment'),
                                    'comment', ['matched_comment_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_comment_reply_to_id_comment'),
                                    'comment', ['reply_to_id'], ['id'])


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comment_reply_to_id_comment'),
                                 type_='foreignkey')
        batch_op.drop_column('reply_to_id')
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_flag_matched_comment_id_comment'),
                                 type_='foreignkey')
        batch_op.drop_column('matched_comment_id')
