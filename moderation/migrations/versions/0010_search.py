"""search: the queue's text search from a trigram index (SQLite FTS5, PostgreSQL pg_trgm)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:15:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# moderation.models.search's statements when this migration was written.
SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS comment_search USING fts5(body, content='comment', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS comment_search_insert AFTER INSERT ON comment BEGIN "
    "INSERT INTO comment_search(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS comment_search_delete AFTER DELETE ON comment BEGIN "
    "INSERT INTO comment_search(comment_search, rowid, body) "
    "VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS comment_search_update AFTER UPDATE OF body ON comment "
    "BEGIN INSERT INTO comment_search(comment_search, rowid, body) "
    "VALUES ('delete', old.id, old.body); INSERT INTO comment_search(rowid, body) "
    "VALUES (new.id, new.body); END",
    # The comments stored so far.
    "INSERT INTO comment_search(comment_search) VALUES ('rebuild')",
]
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_comment_body_trgm ON comment USING gin (body gin_trgm_ops)",
]


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for statement in SQLITE if sqlite else POSTGRES:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for suffix in ('insert', 'delete', 'update'):
            op.execute(f"DROP TRIGGER IF EXISTS comment_search_{suffix}")
        op.execute("DROP TABLE IF EXISTS comment_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_comment_body_trgm")
