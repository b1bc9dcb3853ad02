"""Backups: consistent under write load, restored whole, and refused when unsafe."""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from bench import server
from bench.classroom import seed_classroom
from bench.databases import bench_app, prepare, sqlite_database
from bench.load_client import Answer, Client, ClientSpec
from bench.load_run import RAISED_LIMITS
from bench.no_loss import count_comments
from moderation.extensions import db
from moderation.models import Comment, User
from moderation.services import accounts
from tests.conftest import make_app


def cli(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def fresh_app(folder: Path) -> Flask:
    """An app on a new SQLite file in its own instance folder, nothing created yet."""
    return make_app(f"sqlite:///{folder / 'moderation.sqlite'}", folder / "instance")


def users(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User)) or 0


def add_user(app: Flask, email: str) -> None:
    with app.app_context():
        accounts.create_user(email, "Someone", None)
        db.session.commit()


@pytest.fixture
def live(tmp_path: Path) -> Flask:
    """A migrated database with one account."""
    app = fresh_app(tmp_path / "live")
    assert cli(app, "init-db").exit_code == 0
    add_user(app, "first@school.test")
    return app


@pytest.mark.server
def test_a_backup_under_write_load_restores_every_row_committed_before_it(tmp_path: Path):
    database = sqlite_database(tmp_path)
    app = bench_app(database)
    prepare(database, app)
    room = seed_classroom(app, 3, "backup")
    env = server.clean_env(DATABASE_URL=database.app_url, SECRET_KEY=secrets.token_hex(16),
                           MODERATION_INSTANCE_PATH=str(tmp_path / "instance"), **RAISED_LIMITS)
    answers: list[Answer] = []
    stop = threading.Event()
    target = tmp_path / "backups" / "copy.sqlite"

    def submitting(account) -> None:
        client = Client(ClientSpec("real", "127.0.0.1", running.port, seed=len(answers),
                                   discussion_id=room.discussion_id, email=account.email,
                                   password=account.password))
        client.sign_in()
        while not stop.is_set():
            answers.extend(client.post())

    def stored() -> list[Answer]:
        return [a for a in list(answers) if a.status == 303]

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 60
        while len(stored()) < count:
            assert time.monotonic() < deadline
            time.sleep(0.05)

    with server.gunicorn(env, tmp_path / "logs", workers=2, name="backup") as running:
        threads = [threading.Thread(target=submitting, args=(s,)) for s in room.students]
        for thread in threads:
            thread.start()
        try:
            wait_for(15)
            began = time.monotonic()
            committed = {a.comment_id for a in stored() if a.started + a.seconds < began}
            result = cli(app, "backup", str(target))
            ended = time.monotonic()
            wait_for(len(stored()) + 10)  # writers went on
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.output
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    later = {a.comment_id for a in stored() if a.started > ended}

    restored = fresh_app(tmp_path / "fresh")
    result = cli(restored, "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    with restored.app_context():
        ids = set(db.session.scalars(select(Comment.id)))
    assert committed and committed <= ids  # every row committed before the backup began
    assert later and not later & ids  # a snapshot, not whatever came after
    counts = count_comments(restored, room.discussion_id,
                            [a for a in answers if a.comment_id in ids])
    assert counts.problems() == [] and counts.stored == len(ids)


def test_a_backup_is_a_whole_self_contained_file(live: Flask, tmp_path: Path):
    result = cli(live, "backup")
    assert result.exit_code == 0, result.output
    [copy] = (tmp_path / "live" / "instance" / "backups").glob("moderation-*.sqlite")
    assert not list(copy.parent.glob(".*partial"))
    assert not copy.with_name(copy.name + "-wal").exists()
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert connection.execute("SELECT count(*) FROM user").fetchone() == (1,)
    again = cli(live, "backup", str(copy))
    assert again.exit_code == 1 and "already exists" in again.output


def test_restore_needs_yes_and_keeps_what_it_replaced(live: Flask, tmp_path: Path):
    backup = tmp_path / "one-user.sqlite"
    assert cli(live, "backup", str(backup)).exit_code == 0
    add_user(live, "second@school.test")

    refused = cli(live, "restore", str(backup))
    assert refused.exit_code == 1
    assert "--yes" in refused.output and "Stop the server" in refused.output
    assert users(live) == 2  # nothing changed

    result = cli(live, "restore", str(backup), "--yes")
    assert result.exit_code == 0, result.output
    assert users(live) == 1
    [kept] = (tmp_path / "live" / "instance" / "backups").glob("before-restore-*.sqlite")
    with sqlite3.connect(kept) as connection:
        assert connection.execute("SELECT count(*) FROM user").fetchone() == (2,)


def test_restore_refuses_anything_but_a_backup_of_this_app(live: Flask, tmp_path: Path):
    not_sqlite = tmp_path / "notes.sqlite"
    not_sqlite.write_text("not a database at all, just some text " * 50)
    other_app = tmp_path / "other.sqlite"
    with sqlite3.connect(other_app) as connection:
        connection.execute("CREATE TABLE t (x)")
    future = tmp_path / "future.sqlite"
    assert cli(live, "backup", str(future)).exit_code == 0
    with sqlite3.connect(future) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    for path, reason in [(tmp_path / "missing.sqlite", "no file"),
                         (not_sqlite, "not a SQLite database"),
                         (other_app, "not a moderation database"),
                         (future, "does not know")]:
        result = cli(live, "restore", str(path), "--yes")
        assert result.exit_code == 1 and reason in result.output, result.output
    live_file = tmp_path / "live" / "moderation.sqlite"
    result = cli(live, "restore", str(live_file), "--yes")
    assert result.exit_code == 1 and "live database itself" in result.output
    assert users(live) == 1


def test_on_postgresql_the_commands_print_pg_dump_and_pg_restore(tmp_path: Path):
    app = make_app("postgresql+psycopg://moderation:s3cret@db.internal:5432/moderation",
                   tmp_path / "instance")
    backup = cli(app, "backup", "/var/backups/moderation.dump")
    assert backup.exit_code == 0, backup.output
    assert ("pg_dump --format=custom --no-owner --file=/var/backups/moderation.dump "
            "postgresql://moderation@db.internal:5432/moderation") in backup.output
    restore = cli(app, "restore", "/var/backups/moderation.dump")
    assert restore.exit_code == 0
    assert "pg_restore --clean --if-exists --no-owner --single-transaction " \
           "--dbname=postgresql://moderation@db.internal:5432/moderation " \
           "/var/backups/moderation.dump" in restore.output
    assert "s3cret" not in backup.output + restore.output
