"""Backups: a consistent copy of the live SQLite database, and bringing one back.

Never a file copy: a copy of a WAL database taken while a server writes can miss the
WAL's committed pages or catch a page half-written. SQLite's online backup API copies
inside one read transaction instead (a snapshot; writers carry on meanwhile), and a
restore writes back through the same API, under SQLite's own locks, so a server that
still has the file open sees the restored database at its next transaction, never a
torn one, and never keeps writing to a file that was swapped out from under it.
PostgreSQL has its own tools; for it these print the `pg_dump` / `pg_restore` commands.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

from moderation.db_setup import BUSY_TIMEOUT_MS

# sqlite3's backup() retries for ever while another connection writes; give up after this.
RESTORE_WAIT_S = 60


class BackupError(Exception):
    """A backup or restore that cannot be done, and why."""


@dataclass(frozen=True)
class Copied:
    """A finished copy: where it is, how big, and the schema revision it holds."""

    path: Path
    size: int
    revision: str | None


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL; None for another database or memory."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def default_target(instance_path: str, label: str = "moderation",
                   now: datetime | None = None) -> Path:
    """instance/backups/<label>-YYYYMMDD-HHMMSS.sqlite (UTC).

    >>> default_target("/srv/i", now=datetime(2026, 11, 30, 4, 5, 6, tzinfo=UTC)).as_posix()
    '/srv/i/backups/moderation-20261130-040506.sqlite'
    """
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return Path(instance_path) / "backups" / f"{label}-{stamp}.sqlite"


def known_revisions(migrations: str) -> set[str]:
    """Every schema revision this code's migrations know."""
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory(migrations).walk_revisions()}


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def _fsync(path: Path) -> None:
    """Make a finished file (or a rename in a folder) durable before saying it is done."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _give_up_after(seconds: float) -> Callable[[int, int, int], None]:
    """A backup progress callback that aborts the copy once `seconds` have passed."""
    deadline = time.monotonic() + seconds

    def progress(_status: int, _remaining: int, _total: int) -> None:
        if time.monotonic() > deadline:
            raise BackupError(f"Another connection kept writing for {seconds:.0f} s.")

    return progress


def revision(connection: sqlite3.Connection) -> str | None:
    """The Alembic revision a database is at (None if it has no alembic_version)."""
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def backup_sqlite(source: Path, target: Path) -> Copied:
    """Copy a live SQLite database to a new file at `target`, consistent and mode 600.

    The copy is written beside the target and renamed into place once it passes
    `PRAGMA integrity_check`, so `target` holds a whole backup or nothing.
    """
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new name.")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # Student records and password hashes: only the owner may read the copy.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    live, copy = _connect(source), _connect(partial)
    try:
        # All pages in one step: one read transaction, so one consistent snapshot.
        live.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
        checked = copy.execute("PRAGMA integrity_check").fetchone()[0]
        held = revision(copy)
    except sqlite3.Error as error:
        copy.close()
        partial.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {error}.") from error
    finally:
        live.close()
    copy.close()
    if checked != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed its integrity check: {checked}.")
    _fsync(partial)
    os.replace(partial, target)
    _fsync(target.parent)
    return Copied(target, target.stat().st_size, held)


def check_backup(path: Path, known_revisions: set[str]) -> str:
    """Refuse anything but a whole backup of this app at a schema this code knows."""
    if not path.is_file():
        raise BackupError(f"There is no file at {path}.")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            checked = connection.execute("PRAGMA integrity_check").fetchone()[0]
            held = revision(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from error
    if checked != "ok":
        raise BackupError(f"{path} fails its integrity check: {checked}.")
    if held is None:
        raise BackupError(f"{path} is not a moderation database (no schema revision).")
    if held not in known_revisions:
        raise BackupError(f"{path} is at schema revision {held}, which this version of "
                          "moderation does not know; restore it with the version that made it.")
    return held


def restore_sqlite(backup: Path, live: Path, safety_copy: Path) -> Copied | None:
    """Write a checked backup into the live database; keep what it held in `safety_copy`.

    Returns the safety copy (None when there was no database yet). Refuses if another
    connection holds the write lock for the whole busy timeout (a server mid-write).
    """
    if live.is_file() and live.samefile(backup):
        raise BackupError(f"{backup} is the live database itself.")
    kept = backup_sqlite(live, safety_copy) if live.is_file() else None
    live.parent.mkdir(parents=True, exist_ok=True)
    source, target = _connect(backup), _connect(live)
    try:
        # One write transaction on the live database: all of the backup, or nothing.
        source.backup(target, pages=-1, progress=_give_up_after(RESTORE_WAIT_S))
    except (sqlite3.Error, BackupError) as error:
        raise BackupError(f"The restore failed and the database is as it was ({error}). "
                          "Stop the server and try again.") from error
    finally:
        source.close()
        target.close()
    return kept


def pg_dump_command(url: URL, target: str) -> str:
    """The pg_dump command for a PostgreSQL URL (the password never printed)."""
    return shlex.join(["pg_dump", "--format=custom", "--no-owner", f"--file={target}",
                       _libpq_url(url)])


def pg_restore_command(url: URL, source: str) -> str:
    """The pg_restore command that brings a pg_dump file back into a PostgreSQL URL."""
    return shlex.join(["pg_restore", "--clean", "--if-exists", "--no-owner",
                       "--single-transaction", f"--dbname={_libpq_url(url)}", source])


def _libpq_url(url: URL) -> str:
    """The URL as libpq tools read it: no SQLAlchemy driver name, no password."""
    # URL.set(password=None) would keep the password ("None" means "unchanged" there).
    bare = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query)
    return bare.render_as_string(hide_password=False)
