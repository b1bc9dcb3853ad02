"""The comments' text search index: substring search ("park" finds "parking") as the
queue's LIKE search does, answered from an index instead of a read of every body.

SQLite: an FTS5 table with the trigram tokenizer, kept by triggers on `comment` (FTS5
keeps no index of a table by itself). PostgreSQL: a GIN trigram index (pg_trgm) on
`comment.body`, which the planner uses for the search's LIKE and ILIKE themselves
(services/comments/search.holds). Both are trigram indexes,
not word indexes (`tsvector`): a word index cannot find a part of a word, and the search
must find what it found before (tests/test_search.py compares them).

Created with the tables (`create_all`, for tests and `init-db`) and by migration 0010.
A later migration that rebuilds `comment` on SQLite (batch mode) drops its triggers: it
must call `sqlite_triggers` again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, event

from moderation.models.discussions import Comment

SEARCH_TABLE = "comment_search"
TRGM_INDEX = "ix_comment_body_trgm"

SQLITE_TABLE = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5(body, "
                "content='comment', content_rowid='id', tokenize='trigram')")
# The FTS table holds no copy of the text (content='comment'): a row leaves it with the
# text it was indexed with, so updates delete the old text before adding the new one.
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_insert AFTER INSERT ON comment BEGIN "
    f"INSERT INTO {SEARCH_TABLE}(rowid, body) VALUES (new.id, new.body); END",
    f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_delete AFTER DELETE ON comment BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, body) "
    "VALUES ('delete', old.id, old.body); END",
    f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_update AFTER UPDATE OF body ON comment "
    f"BEGIN INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, body) "
    f"VALUES ('delete', old.id, old.body); INSERT INTO {SEARCH_TABLE}(rowid, body) "
    "VALUES (new.id, new.body); END",
)
POSTGRES_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
POSTGRES_INDEX = (f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON comment "
                  "USING gin (body gin_trgm_ops)")


def sqlite_statements() -> list[str]:
    """What creates the SQLite index (the table, then its triggers)."""
    return [SQLITE_TABLE, *SQLITE_TRIGGERS]


def postgres_statements() -> list[str]:
    """What creates the PostgreSQL index."""
    return [POSTGRES_EXTENSION, POSTGRES_INDEX]


def is_search_object(obj: Any, name: str | None, type_: str, reflected: bool,
                     compare_to: Any) -> bool:
    """Alembic's include_object: leave the search index (and FTS5's own tables) out of
    the comparison with the models, which do not declare them."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE):
        return False
    return not (type_ == "index" and name == TRGM_INDEX)


for _statement in sqlite_statements():
    event.listen(Comment.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="sqlite"))  # type: ignore[no-untyped-call]
for _statement in postgres_statements():
    event.listen(Comment.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))  # type: ignore[no-untyped-call]
