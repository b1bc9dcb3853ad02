"""SQLite writers wait their turn on a lock file, released on commit, rollback and death."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from moderation import db_setup


@pytest.fixture
def engine(tmp_path: Path):
    # Writes begin IMMEDIATE here, whatever an earlier test left in this thread's context.
    db_setup.set_read_only(False)
    engine = create_engine(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    db_setup.tune_sqlite(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    engine.dispose()


def _write_after(engine, started: threading.Event, order: list[str], name: str,
                 began: threading.Event | None = None) -> None:
    started.set()
    with engine.begin() as connection:
        if began is not None:
            began.set()
        order.append(f"{name} began")
        connection.execute(text("INSERT INTO t VALUES (2)"))


def _turn_is_free(engine) -> bool:
    fd = os.open(f"{engine.url.database}-writers.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_a_second_writer_waits_for_the_first_to_commit(engine) -> None:
    order: list[str] = []
    started, began = threading.Event(), threading.Event()
    assert _turn_is_free(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        assert not _turn_is_free(engine), "a writer began without taking the turn"
        other = threading.Thread(target=_write_after,
                                 args=(engine, started, order, "second", began))
        other.start()
        assert started.wait(5)
        # The second writer says when it has the turn: it must not while the first holds it.
        assert not began.wait(0.2), "the second writer began before the first committed"
        order.append("first commits")
    other.join(10)
    assert order == ["first commits", "second began"]
    assert _turn_is_free(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2


def test_a_rollback_gives_the_turn_away(engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("the request failed")
    thread = threading.Thread(target=_write_after, args=(engine, threading.Event(), [], "next"))
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "the turn was kept after a rollback"


def test_one_thread_with_two_connections_does_not_wait_for_itself(engine) -> None:
    with engine.begin() as first:
        first.execute(text("INSERT INTO t VALUES (1)"))
        second = engine.connect()
        # Without the guard this flock would block forever; with it, SQLite answers
        # "database is locked" once its busy timeout ends, here shortened.
        second.connection.dbapi_connection.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(OperationalError, match="locked"):
            second.execute(text("INSERT INTO t VALUES (2)"))
        second.close()


CHILD = """
import sys, time
from sqlalchemy import create_engine, text
from moderation import db_setup
engine = create_engine(sys.argv[1])
db_setup.tune_sqlite(engine)
connection = engine.connect()
connection.begin()
connection.execute(text("INSERT INTO t VALUES (9)"))
print("holding", flush=True)
time.sleep(60)
"""


def test_a_killed_writer_releases_its_turn(engine) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(engine.url)],
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "holding"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        finished = threading.Thread(target=_write_after,
                                    args=(engine, threading.Event(), [], "after"))
        finished.start()
        finished.join(10)
        assert not finished.is_alive(), "the dead writer's turn was never released"
    finally:
        child.kill()
    with engine.connect() as connection:  # the dead writer's row was never committed
        assert connection.execute(text("SELECT n FROM t")).scalars().all() == [2]


def test_an_invalidated_connection_gives_the_turn_away(engine) -> None:
    connection = engine.connect()
    connection.execute(text("INSERT INTO t VALUES (1)"))
    assert not _turn_is_free(engine)
    connection.invalidate()  # as after a lost connection: no commit, no rollback seen
    assert _turn_is_free(engine)
    connection.rollback()
    connection.close()


def test_a_writer_kept_waiting_too_long_goes_on_without_the_turn(engine, monkeypatch) -> None:
    """A stuck holder (a paused shell, a hung command) never stops every writer for good."""
    monkeypatch.setattr(db_setup, "QUEUE_TIMEOUT_S", 0.2)
    stuck = os.open(f"{engine.url.database}-writers.lock", os.O_RDONLY | os.O_CREAT)
    fcntl.flock(stuck, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
        assert 0.2 <= time.monotonic() - started < 5
    finally:
        os.close(stuck)


def test_a_forked_child_does_not_keep_the_parents_turn(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        child = os.fork()
        if child == 0:  # the child lives on past the parent's commit, as a worker would
            time.sleep(3)
            os._exit(0)
    try:
        # The child drops its copy as it starts; without that it would keep the lock
        # for as long as it lives.
        deadline = time.monotonic() + 1
        while not _turn_is_free(engine) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _turn_is_free(engine), "the child's copy of the descriptor kept the lock"
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def test_the_lock_file_opens_for_other_users(engine) -> None:
    """Created by whoever writes first (a migration as root); readable is all flock needs."""
    previous = os.umask(0o022)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        os.umask(previous)
    mode = os.stat(f"{engine.url.database}-writers.lock").st_mode & 0o777
    assert mode == 0o644
