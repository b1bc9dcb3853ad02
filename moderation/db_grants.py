"""The privileges of the role the app runs as on PostgreSQL, when another role owns the tables.

A table's owner can disable its triggers or truncate it, so the audit log is append-only
only against a role that owns nothing: migrations run as the owner, the app as a role
with these grants, which on the audit log are SELECT and INSERT alone.
"""

from __future__ import annotations

from sqlalchemy import MetaData

APPEND_ONLY_TABLES = frozenset({"audit_event"})
READ_ONLY_TABLES = frozenset({"alembic_version"})


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_statements(metadata: MetaData, database: str, role: str) -> list[str]:
    """The GRANT statements for an app role: rows of every table, never the tables.

    >>> from moderation.models import Base
    >>> sql = grant_statements(Base.metadata, "moderation", "moderation_app")
    >>> sql[0]
    'GRANT CONNECT ON DATABASE "moderation" TO "moderation_app";'
    >>> 'GRANT SELECT, INSERT ON TABLE "audit_event" TO "moderation_app";' in sql
    True
    """
    who = _quoted(role)
    statements = [f"GRANT CONNECT ON DATABASE {_quoted(database)} TO {who};",
                  f"GRANT USAGE ON SCHEMA public TO {who};"]
    for table in sorted(metadata.tables):
        if table in APPEND_ONLY_TABLES:
            rights = "SELECT, INSERT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f"GRANT {rights} ON TABLE {_quoted(table)} TO {who};")
    statements += [f"GRANT SELECT ON TABLE {_quoted(t)} TO {who};"
                   for t in sorted(READ_ONLY_TABLES)]
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who};")
    return statements
