"""Crash safety: SIGKILL a worker, then the whole server, mid-load; SQLite stays whole.

Students submit and an instructor decides through the real app under gunicorn, on a
SQLite file. One worker is killed with SIGKILL while requests are in flight (gunicorn
replaces it and the load goes on), then the master and every worker at once, as a power
cut would leave the processes. Then the file must pass `PRAGMA integrity_check`, every
answered submit must be stored, every comment must carry the flags a fresh analysis
gives, and every audit row must match its comment's change (and every change its row).
Finally the server starts again on the same file and takes a submit.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench import server
from bench.classroom import seed_classroom
from bench.databases import bench_app, prepare, sqlite_database
from bench.load_client import NETWORK_ERRORS, Answer, Client, ClientSpec
from bench.load_run import RAISED_LIMITS
from bench.no_loss import count_comments, scan_logs
from moderation.models import ModerationMode

pytestmark = pytest.mark.server


def wait_for(condition: Callable[[], bool], stop: threading.Event,
             timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and not stop.is_set():
        assert time.monotonic() < deadline, "the load did not get going"
        time.sleep(0.05)


def submitting(spec: ClientSpec, answers: list[Answer], stop: threading.Event) -> None:
    """Post comments until stopped; after a failed connection, resubmit the same form."""
    client = Client(spec)
    client.sign_in()
    while not stop.is_set():
        token, body = client.token(), client.writer.comment()
        for _ in range(3):
            [answer] = client.post(token, body)
            answers.append(answer)
            if answer.status or stop.wait(0.2):
                break


def deciding(spec: ClientSpec, answers: list[Answer], decided: set[int],
             stop: threading.Event) -> None:
    """Approve or reject (with a reason) comments waiting in the queue, until stopped."""
    client = Client(spec)
    client.sign_in()
    rng = random.Random(7)
    while not stop.is_set():
        waiting = [a.comment_id for a in list(answers)
                   if a.comment_id is not None and a.comment_id not in decided]
        if not waiting:
            stop.wait(0.05)
            continue
        comment_id = rng.choice(waiting)
        status = rng.choice(["approved", "rejected"])
        try:
            code, _, _ = client.main.fetch("POST", f"/teach/comments/{comment_id}/decision", {
                "csrf_token": client.csrf, "status": status, "expected": "pending",
                "reason": "off_topic" if status == "rejected" else "", "message": ""})
        except NETWORK_ERRORS:
            client.main.reset()
            stop.wait(0.2)
            continue
        assert code in (303, 409), code  # decided now, or already
        decided.add(comment_id)


def test_killed_mid_load_the_database_stays_whole(tmp_path: Path):
    database = sqlite_database(tmp_path)
    app = bench_app(database)
    prepare(database, app)
    # Every comment waits for a decision, so the instructor always has one to make.
    room = seed_classroom(app, 4, "crash", ModerationMode.ALL)
    env = server.clean_env(DATABASE_URL=database.app_url, SECRET_KEY=secrets.token_hex(16),
                           MODERATION_INSTANCE_PATH=str(tmp_path / "instance"), **RAISED_LIMITS)
    answers: list[Answer] = []
    decided: set[int] = set()
    stop = threading.Event()
    failures: list[BaseException] = []

    def run(target: Callable[..., None], *args: object) -> threading.Thread:
        def guarded() -> None:
            try:
                target(*args)
            except BaseException as error:  # noqa: BLE001 - asserted below
                failures.append(error)
                stop.set()

        return threading.Thread(target=guarded)

    def spec(port: int, n: int, account) -> ClientSpec:
        return ClientSpec("real", "127.0.0.1", port, seed=n, discussion_id=room.discussion_id,
                          email=account.email, password=account.password)

    def answered() -> int:
        return sum(1 for a in list(answers) if 200 <= a.status < 400)

    def more_answers(count: int) -> None:
        target = answered() + count
        wait_for(lambda: answered() >= target, stop)

    worker_killed_at = float("inf")

    def cut_by_a_worker_kill() -> bool:
        # Before the whole server is killed, a request that got no answer although it
        # started before a worker was killed was cut by that kill.
        return any(a.status == 0 and a.started < worker_killed_at for a in list(answers))

    with server.gunicorn(env, tmp_path / "logs", workers=2, name="crash") as running:
        threads = [run(submitting, spec(running.port, n, s), answers, stop)
                   for n, s in enumerate(room.students)]
        threads.append(run(deciding, spec(running.port, 99, room.instructor), answers,
                           decided, stop))
        for thread in threads:
            thread.start()
        try:
            wait_for(lambda: answered() >= 20 and len(decided) >= 5, stop)
            # Kill a worker until a kill has cut a request in flight (nearly always the
            # first: more clients than workers keep both busy); a new worker takes over.
            assert not [a for a in answers if a.status == 0]  # nothing failed before
            kills = 0
            while kills == 0 or (not cut_by_a_worker_kill() and kills < 5):
                kills += 1
                worker_killed_at = time.monotonic()
                os.kill(running.workers()[0], signal.SIGKILL)
                more_answers(15)
            cut = cut_by_a_worker_kill()  # judged before the next kill cuts any more
            running.kill_group()  # then the master and every worker at once
            running.process.wait(timeout=30)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        logs = running.logs()

    assert failures == []
    assert cut, "no worker was killed with a request in flight"
    assert "was sent SIGKILL" in logs  # the master saw its worker die
    with sqlite3.connect(tmp_path / "moderation.sqlite") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    counts = count_comments(app, room.discussion_id, answers)
    scan_logs(logs, counts)
    assert counts.problems(crashed=True) == []
    assert counts.stored >= 12 and counts.decisions >= 2

    # The same file serves again: sign in and submit.
    with server.gunicorn(env, tmp_path / "logs", workers=1, name="after") as again:
        client = Client(spec(again.port, 1, room.students[0]))
        client.sign_in()
        [answer] = client.post()
        assert answer.status == 303
