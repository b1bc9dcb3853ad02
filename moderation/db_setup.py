"""Database engine tuning: SQLite runs with WAL, a busy timeout and BEGIN IMMEDIATE for writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Writers take SQLite's write lock when they begin, not half-way through, so two
# workers never both read and then fail to upgrade ("database is locked").
# Safe requests (GET, HEAD) begin deferred so readers never wait for a writer.
_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=True)

BUSY_TIMEOUT_MS = 15_000


View = TypeVar("View", bound=Callable[..., Any])


def read_only(view: View) -> View:
    """Mark a view that never writes, whatever its method: on SQLite it begins DEFERRED."""
    setattr(view, "read_only", True)  # noqa: B010 - a marker on any callable
    return view


def is_read_only(view: Callable[..., Any] | None) -> bool:
    """Whether a view was marked with `read_only`."""
    return bool(getattr(view, "read_only", False))


def set_read_only(value: bool) -> None:
    """Set the begin mode for the rest of this context (one request)."""
    _begin_immediate.set(not value)


def tune_sqlite(engine: Engine) -> None:
    """Give a SQLite engine WAL, foreign keys, a busy timeout and explicit BEGINs."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control from the driver so our BEGIN is the one sent.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")


def init_app(app: Flask) -> None:
    """Tune every SQLite engine the app uses."""
    from moderation.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                tune_sqlite(engine)
