"""Jobs: recorded with their cause, run once by a real consumer, never lost, retried, failed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Job, JobState, utcnow
from moderation.services import jobs, mail
from tests.conftest import REDIS_URL, received

ROOT = Path(__file__).resolve().parent.parent
CLOSED_PORT = "redis://127.0.0.1:1/0"


def all_jobs() -> list[Job]:
    return list(db.session.scalars(select(Job).order_by(Job.id)))


def test_a_job_is_recorded_with_its_cause_and_dropped_with_it(app, mailed):
    with app.app_context():
        mail.queue("ada@school.test", "Rolled back", "Never sent.")
        db.session.rollback()
        assert all_jobs() == []
        mail.queue("ada@school.test", "Committed", "Sent once.")
        db.session.commit()
        [job] = all_jobs()
        assert (job.kind, job.state, job.attempts) == ("mail.send", JobState.DONE, 1)
        assert "message" not in job.args  # no copy of a sent message is kept
    assert [m["Subject"] for m in received(mailed)] == ["Committed"]


def test_a_failing_job_waits_with_backoff_then_fails_where_it_can_be_tried_again(app, inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens: refused
    with app.app_context():
        mail.queue("ada@school.test", "Hello", "Body.")
        db.session.commit()
        [job] = all_jobs()
        assert job.state == JobState.WAITING and job.attempts == 1
        assert "ConnectionRefusedError" in job.error
        assert timedelta(seconds=25) < job.not_before - utcnow() <= timedelta(seconds=30)
        # Run it again and again, as the sweep would once each wait is over. (The id is read
        # first: reading it after a commit would begin a transaction here, which on SQLite
        # the tests begin IMMEDIATE, holding the write lock the job needs.)
        job_id = job.id
        for _ in range(job.max_attempts - 1):
            job.not_before = utcnow()
            db.session.commit()
            app.extensions["moderation.jobs"]["run"](job_id)
            db.session.refresh(job)
        assert job.state == JobState.FAILED and job.attempts == job.max_attempts
        app.config.update(MAIL_PORT=inbox.port)
        jobs.try_again(job_id, None)
        db.session.commit()
        db.session.refresh(job)
        assert job.state == JobState.DONE and job.error is None
    assert [m["Subject"] for m in received(inbox)] == ["Hello"]


def test_one_open_job_per_key_and_one_claim_per_job(app):
    with app.app_context():
        app.config["JOBS_IMMEDIATE"] = False  # (already made: only claims are tested here)
        first = jobs.enqueue("unknown.kind", dedupe="same")
        assert jobs.enqueue("unknown.kind", dedupe="same").id == first.id
        db.session.info.pop(jobs.TO_PUSH, None)
        db.session.commit()
        assert jobs.claim(first.id) is not None
        assert jobs.claim(first.id) is None  # running under a live lease
        db.session.commit()
        later = utcnow() + jobs.lease() + timedelta(seconds=1)
        assert jobs.due(later) == [first.id]  # its consumer died: due again
        assert jobs.claim(first.id, later).attempts == 2


def test_the_depth_says_how_much_waits_and_since_when(app, client):
    with app.app_context():
        job = jobs.enqueue("unknown.kind")
        job.not_before = utcnow() - timedelta(minutes=10)
        db.session.info.pop(jobs.TO_PUSH, None)
        db.session.commit()
    health = client.get("/healthz").json
    assert health["jobs"]["waiting"] == 1 and health["jobs"]["oldest_waiting_s"] >= 600
    assert health["jobs"]["state"] == "late" and health["status"] == "degraded"


# --- a real consumer: `moderation worker` in its own process ------------------------------

@contextmanager
def worker(app, tmp_path: Path, **settings: str) -> Iterator[subprocess.Popen[str]]:
    """`moderation worker` on the app's database and instance folder, until the block ends."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               MODERATION_INSTANCE_PATH=app.instance_path,
               MODERATION_SERVER_NAME="moderation.test", **settings)
    # Its output goes to a file: a pipe nobody reads would stop a talkative worker when full.
    log = (tmp_path / "worker.log").open("a")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moderation"), "worker", "--workers", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def worker_log(tmp_path: Path) -> str:
    """The end of what the test's workers printed, for a failure's message."""
    return (tmp_path / "worker.log").read_text()[-3000:]


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


STORAGES = ["sqlite-file", pytest.param("redis", marks=pytest.mark.skipif(
    not REDIS_URL, reason="set MODERATION_TEST_REDIS_URL"))]


@pytest.mark.server
@pytest.mark.parametrize("storage", STORAGES)
def test_a_real_consumer_sends_what_the_web_enqueued(app, inbox, make_course, tmp_path,
                                                     storage):
    """The web and `moderation worker` are two processes sharing the database and queue.

    With Redis, the web cannot reach it at the commit (a closed port): the job waits in
    the database and the consumer's sweep finds it. With the SQLite file, the id goes
    through huey's queue.
    """
    from tests.conftest import make_app

    course = make_course()
    mail_settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": inbox.port}
    web = make_app(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path),
                   JOBS_IMMEDIATE=False, **mail_settings,
                   JOBS_REDIS_URL=CLOSED_PORT if storage == "redis" else None)
    response = web.test_client().post("/signup", data={
        "display_name": "Ada", "email": "ada@school.test", "join_code": course.join_code})
    assert response.status_code == 200
    with web.app_context():
        [job] = all_jobs()
        assert job.state == JobState.WAITING and inbox.messages == []
        db.engine.dispose()
    settings = {f"MODERATION_{k}": str(v) for k, v in mail_settings.items()}
    if storage == "redis":
        settings["MODERATION_JOBS_REDIS_URL"] = str(REDIS_URL)
    with worker(app, tmp_path, **settings) as process:
        wait_for(lambda: len(inbox.messages) == 1 or process.poll() is not None)
        assert process.poll() is None, worker_log(tmp_path)
        time.sleep(1)  # a second delivery, if any, would arrive now
    assert [m["To"] for m in received(inbox)] == ["ada@school.test"]
    with app.app_context():
        [job] = all_jobs()
        assert job.state == JobState.DONE and job.attempts == 1


def seed_comments(app, count: int) -> int:
    """A course of `count` comments written straight to the tables (as bench/rescore.py
    does), none decided by a person: a rescore looks at every one. Returns the course id."""
    import random

    from sqlalchemy import insert

    from bench.comments import text_facts
    from moderation.models import Comment, Course, Discussion, Membership, User

    rng = random.Random(5)
    words = ["court", "members", "support", "treaty", "voters", "statement", "article",
             "reading", "legal", "act", "signature", "home", "argues", "reason", "evidence",
             "source", "policy"]
    with app.app_context():
        s = db.session
        s.execute(insert(User), [{"id": i, "email": f"u{i}@school.test",
                                  "display_name": f"Student {i}", "sortable_name": f"{i}",
                                  "password_hash": "x", "session_token": f"t{i}"}
                                 for i in range(1, 31)])
        s.execute(insert(Course), [{"id": 1, "title": "Big", "code": "BIG", "join_code": "BIG",
                                    "policy": {}, "rubric": {}}])
        s.execute(insert(Membership), [{"course_id": 1, "user_id": i,
                                        "role": "instructor" if i == 1 else "student"}
                                       for i in range(1, 31)])
        s.execute(insert(Discussion), [{"id": 1, "course_id": 1, "title": "Week 1",
                                        "prompt": "Respond.", "state": "open", "min_words": 20,
                                        "max_words": 600, "policy_overrides": {}}])
        rows = []
        for cid in range(1, count + 1):
            body = " ".join(rng.choice(words) for _ in range(rng.randint(5, 40))) + "."
            rows.append({"id": cid, "discussion_id": 1, "course_id": 1,
                         "author_id": rng.randint(2, 30), "status": "approved", "body": body,
                         **text_facts(body), "submitted_at": utcnow(),
                         "submission_token": f"s{cid}", "word_count": len(body.split()),
                         "flag_level": 0, "metrics": {}})
        s.execute(insert(Comment), rows)
        s.commit()
    return 1


# Each storage once, each on one database (the four pairs cost five minutes).
KILL_CASES = [pytest.param("sqlite", "sqlite-file", id="sqlite-db-and-queue-file"),
              pytest.param("postgresql", "redis", id="postgresql-db-and-redis-queue",
                           marks=[pytest.mark.postgres, pytest.mark.skipif(
                               not REDIS_URL, reason="set MODERATION_TEST_REDIS_URL")])]


@pytest.mark.server
@pytest.mark.parametrize("db_kind, storage", KILL_CASES)
def test_a_consumer_killed_mid_job_loses_nothing_and_doubles_nothing(app, tmp_path, db_kind,
                                                                      storage):
    """SIGKILL the worker half-way through a rescore: the job runs again and finishes once."""
    from moderation.models import AuditEvent, Comment, Course, User
    from moderation.services.comments import rescore

    seed_comments(app, 2000)
    settings = {"MODERATION_JOBS_LEASE_SECONDS": "3"}
    if storage == "redis":
        settings["MODERATION_JOBS_REDIS_URL"] = str(REDIS_URL)
    with app.app_context():
        app.config["JOBS_IMMEDIATE"] = False
        job = rescore.start(db.session.get(Course, 1), db.session.get(User, 1))
        db.session.info.pop(jobs.TO_PUSH)  # the worker's sweep at start finds it
        db.session.commit()
        job_id = job.id

    def progress() -> tuple[JobState, int]:
        with app.app_context():
            found = db.session.get(Job, job_id)
            return found.state, found.progress_done

    with worker(app, tmp_path, **settings) as first:
        wait_for(lambda: progress()[1] >= 500 or first.poll() is not None, timeout=120)
        os.killpg(first.pid, signal.SIGKILL)  # at once, no goodbye: the lease runs out
        first.wait()
        state, done = progress()
        assert state == JobState.RUNNING and 500 <= done < 2000, (state, done,
                                                                  worker_log(tmp_path))
    with worker(app, tmp_path, **settings) as second:
        wait_for(lambda: progress()[0] == JobState.DONE or second.poll() is not None,
                 timeout=180)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.state, job.attempts, job.progress_done) == (JobState.DONE, 2, 2000), \
            worker_log(tmp_path)
        moved = [e.object_id for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "comment.rescored"))]
        assert len(moved) == len(set(moved)) > 0  # each comment moved once, never twice
        assert len(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "comments.rescored")).all()) == 1
        # Every comment was looked at: none is left with the metrics it was seeded without.
        assert db.session.scalar(select(func.count()).select_from(Comment).where(
            Comment.analysis_version.is_(None))) == 0
