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
    setattr(view, "begins_deferred", True)  # noqa: B010 - a marker on any callable
    return view


def read_first(view: View) -> View:
    """Mark a view that reads and analyses, then writes: it begins DEFERRED too, and its
    service takes the write lock only to write (`begin_write`)."""
    setattr(view, "begins_deferred", True)  # noqa: B010 - a marker on any callable
    return view


def begins_deferred(view: Callable[..., Any] | None) -> bool:
    """Whether a view was marked with `read_only` or `read_first`."""
    return bool(getattr(view, "begins_deferred", False))


def begin_write() -> None:
    """End the current read transaction; the next one takes the write lock at once.

    A request that reads and analyses before it writes (`read_first`) holds SQLite's
    write lock only for its inserts, not for the whole request. Whatever must be exact
    (a unique token, a duplicate, a state) is checked again after this, under the lock.
    """
    from moderation.extensions import db

    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("begin_write() with unflushed changes: write only after it")
    session = db.session()
    # Keep loaded objects through this commit (nothing was written, so nothing is stale)
    # and through the request's final one (what the view then shows is what it wrote):
    # no reload of each object, a query and on SQLite the lock again, when next read.
    # The session ends with the request.
    session.expire_on_commit = False
    session.commit()  # it only ends the read transaction
    _begin_immediate.set(True)


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
