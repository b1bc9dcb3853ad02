"""Database engine tuning: SQLite runs with WAL, a busy timeout, BEGIN IMMEDIATE for writes,
and writers that wait their turn in a queue instead of polling."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
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
QUEUE_TIMEOUT_S = 7.5  # then SQLite's busy timeout: 22.5 s in all, under gunicorn's 30 s

log = logging.getLogger(__name__)


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


def begin_write(*, only_read: bool = False) -> None:
    """End the current transaction; on SQLite the next one takes the write lock at once.

    A request that reads and analyses before it writes (`read_first`) holds SQLite's
    write lock only for its inserts, not for the whole request. Whatever must be exact
    (a unique token, a duplicate, a state) is checked again after this, under the lock.
    `only_read`: the transaction wrote nothing, so on PostgreSQL it simply goes on.
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
    if only_read and session.get_bind().dialect.name != "sqlite":
        # PostgreSQL reads what is committed at each statement (READ COMMITTED) and locks
        # rows, not the database: a transaction that only read goes on, with no COMMIT,
        # pool return, reset and ping to pay for (the caller locks what it must, as
        # submit's per-author lock does).
        return
    session.commit()  # on SQLite it only ends the read transaction
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

    queue = WriterQueue(engine.url.database) if engine.url.database not in (
        None, "", ":memory:") else None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if not _begin_immediate.get():
            conn.exec_driver_sql("BEGIN")
            return
        if queue is not None:
            queue.enter(conn.connection.dbapi_connection)
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    if queue is not None:
        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _on_end(conn: Connection) -> None:
            if not conn.invalidated:  # an invalidated one gave the turn back already
                queue.leave(conn.connection.dbapi_connection)

        # Safety nets: a connection going back to the pool, invalidated after an error or
        # closed never keeps the turn.
        @event.listens_for(engine, "checkin")
        @event.listens_for(engine, "close")
        def _on_checkin(dbapi_connection: Any, _record: object) -> None:
            queue.leave(dbapi_connection)

        @event.listens_for(engine, "invalidate")
        def _on_invalidate(dbapi_connection: Any, _record: object, _error: object) -> None:
            queue.leave(dbapi_connection)


class WriterQueue:
    """Writers of one SQLite file wait their turn on a lock file before BEGIN IMMEDIATE.

    SQLite's busy handler polls with sleeps that grow to 100 ms, so under load a waiting
    writer sleeps through many releases and a few wait for a second or more. Here a
    writer polls an `flock` every 0.1–2 ms, and the kernel drops the lock if a worker
    dies. The turn ends just before COMMIT (SQLAlchemy has no event after it): the next
    writer may then meet the commit's last millisecond in the busy handler. A writer that
    waits longer than QUEUE_TIMEOUT_S goes on without the turn, and SQLite's own lock and
    busy timeout decide, as without the queue (together within gunicorn's timeout).
    """

    def __init__(self, database: str) -> None:
        self.path = f"{database}-writers.lock"
        # id(DBAPI connection) -> (the lock file's descriptor, the thread holding the turn)
        self.held: dict[int, tuple[int, int]] = {}
        _QUEUES.add(self)

    def enter(self, dbapi_connection: Any) -> None:
        """Wait for this connection's turn to write."""
        key, thread = id(dbapi_connection), threading.get_ident()
        if key in self.held or any(t == thread for _, t in list(self.held.values())):
            # This thread already has the turn on another connection: waiting for it
            # would wait for itself. SQLite's own lock and busy timeout decide instead.
            return
        try:
            # Read-only is enough for flock; 0o644, so a worker running as another user
            # than whoever created the file (a migration, a rescore) can still open it.
            fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError as error:
            log.warning("writers' queue unavailable (%s); SQLite's lock alone decides", error)
            return
        try:
            if self._wait(fd):
                self.held[key] = (fd, thread)
                return
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        log.warning("waited %.0f s for the writers' queue; going on without it",
                    QUEUE_TIMEOUT_S)

    @staticmethod
    def _wait(fd: int) -> bool:
        """Take the lock, polling with short sleeps; False when QUEUE_TIMEOUT_S ran out."""
        deadline, pause = time.monotonic() + QUEUE_TIMEOUT_S, 0.0001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    def _after_fork(self) -> None:
        """In a forked child: drop the copies of the parent's descriptors. A turn the
        parent holds stays the parent's (closing a copy does not release it), and the
        parent's release is not held up by copies living on in the child."""
        for fd, _ in self.held.values():
            os.close(fd)
        self.held.clear()

    def leave(self, dbapi_connection: Any) -> None:
        """Give the turn to the next writer (closing the descriptor releases the lock)."""
        fd, _ = self.held.pop(id(dbapi_connection), (None, None))
        if fd is not None:
            os.close(fd)


# Every queue of this process, for the one at-fork hook (an app made per test must not
# leave a hook behind each time).
_QUEUES: weakref.WeakSet[WriterQueue] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for queue in list(_QUEUES):
        queue._after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


def init_app(app: Flask) -> None:
    """Tune every SQLite engine the app uses."""
    from moderation.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                tune_sqlite(engine)
