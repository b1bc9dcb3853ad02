"""The consumer of jobs: huey runs each job's handler in the app, claimed from its row.

huey (MIT, a well-kept small task queue) carries only job ids, in a SQLite file in the
instance folder by default or in Redis at scale (`JOBS_REDIS_URL`), and runs them in
`moderation worker`'s threads, with a sweep every minute. The rows in our database
(`services/jobs.py`) are the truth: a job id lost on the way (the queue unreachable at
commit, a consumer killed) is found again by the sweep. Handlers (`handlers.py`) are thin
functions over services; a handler that raises is retried with backoff until its attempts
run out, except a `ServiceError` or `Permanent`, which fail at once with their reason.

In tests (`JOBS_IMMEDIATE`) huey runs each job as soon as its transaction commits, in a
fresh app context of its own, exactly as the consumer would run it.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from sqlalchemy import event
from sqlalchemy.orm import Session

from moderation.extensions import db
from moderation.models.jobs import Job
from moderation.services import jobs as rows
from moderation.services.errors import ServiceError

log = logging.getLogger(__name__)
Handler = Callable[[Job], None]
HANDLERS: dict[str, Handler] = {}
# Kinds of work that can fall due by themselves (a retry's backoff ends): the minute's
# sweep asks each and enqueues one job of that kind when it says so.
RECURRING: dict[str, Callable[[], bool]] = {}
_last_push_warning = 0.0


class Permanent(Exception):
    """A failure that trying again cannot mend (a refusal); the job fails at once."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of this kind."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def recurring(kind: str) -> Callable[[Callable[[], bool]], Callable[[], bool]]:
    """Register a check the minute's sweep runs: when it says work is due, enqueue `kind`."""

    def register(check: Callable[[], bool]) -> Callable[[], bool]:
        RECURRING[kind] = check
        return check

    return register


def make_huey(app: Flask) -> Huey:
    """The queue the configuration names: memory (tests), Redis, or the instance's SQLite file."""
    name = "moderation"
    if app.config.get("JOBS_IMMEDIATE"):
        return MemoryHuey(name, immediate=True)
    url = app.config.get("JOBS_REDIS_URL")
    if url:
        import redis

        timeout = app.config["REDIS_TIMEOUT_SECONDS"]
        # The consumer blocks on Redis for new work (huey's read timeout, 1 s), so only
        # connecting, not reading, is bounded here.
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=timeout)
        return RedisHuey(name, connection_pool=pool)
    return SqliteHuey(name, filename=str(Path(app.instance_path) / "jobs-queue.sqlite"),
                      timeout=15)


def run(app: Flask, job_id: int) -> None:
    """Claim the job and run its handler; record done, a retry with backoff, or failure."""
    # A fresh context: its own database session and SQLite begin mode, even when huey runs
    # it at once inside the commit that made it (tests).
    contextvars.Context().run(_run, app, job_id)


def _run(app: Flask, job_id: int) -> None:
    with app.app_context():
        job = rows.claim(job_id)
        db.session.commit()
        if job is None:
            return  # not due, done already, or another consumer holds it
        try:
            if job.kind not in HANDLERS:
                raise Permanent(f"no handler for jobs of kind {job.kind!r}")
            HANDLERS[job.kind](job)
            rows.finish(job)
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - every failure is recorded on the job
            db.session.rollback()
            permanent = isinstance(error, (ServiceError, Permanent))
            message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
            log.warning("job %d (%s) failed on attempt %d: %s", job_id, job.kind,
                        job.attempts, message)
            job = db.session.get(Job, job_id, populate_existing=True)
            if job is not None:
                rows.fail(job, message, again=not permanent)
                db.session.commit()


def push(app: Flask, job_ids: list[int]) -> None:
    """Tell the queue about jobs; if it is unreachable, the minute's sweep tells it later."""
    global _last_push_warning
    task = app.extensions["moderation.jobs"]["run"]
    for job_id in job_ids:
        try:
            task(job_id)
        except Exception as error:  # noqa: BLE001 - the row stays; the sweep finds it
            if time.monotonic() - _last_push_warning > 60:
                _last_push_warning = time.monotonic()
                log.warning("job queue unreachable (%s): jobs wait in the database for the "
                            "next sweep", type(error).__name__)
            return


def sweep(app: Flask) -> int:
    """Tell the queue about every due job it may not know; return how many."""
    with app.app_context():
        for kind, check in RECURRING.items():
            if check():
                rows.enqueue(kind, dedupe=kind)
        db.session.info.pop(rows.TO_PUSH, None)  # pushed below with every other due job
        db.session.commit()
        due = rows.due()
        db.session.commit()
    push(app, due)
    return len(due)


def _push_after_commit(session: Session) -> None:
    job_ids: list[int] = session.info.pop(rows.TO_PUSH, [])
    if job_ids:
        push(current_app._get_current_object(), job_ids)  # type: ignore[attr-defined]


def _discard(session: Session, _previous: object = None) -> None:
    session.info.pop(rows.TO_PUSH, None)


def init_app(app: Flask) -> None:
    """Make the app's queue, its task and its minute's sweep; push jobs after each commit."""
    from moderation.jobs import handlers  # noqa: F401 - registers the kinds

    huey = make_huey(app)

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        run(app, job_id)

    @huey.periodic_task(crontab(minute="*"), name="sweep")
    def sweep_every_minute() -> None:
        sweep(app)

    app.extensions["moderation.jobs"] = {"huey": huey, "run": run_job}
    if not event.contains(Session, "after_commit", _push_after_commit):
        event.listen(Session, "after_commit", _push_after_commit)
        event.listen(Session, "after_soft_rollback", _discard)


def consume(app: Flask, workers: int) -> None:
    """Run the consumer until SIGTERM or Ctrl-C: first a sweep, then jobs as they come."""
    huey: Huey = app.extensions["moderation.jobs"]["huey"]
    log.info("moderation worker: %d thread(s), queue %s; %d job(s) due at start", workers,
             type(huey.storage).__name__, sweep(app))
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                    check_worker_health=True)
    consumer.run()


def describe(app: Flask) -> dict[str, Any]:
    """The queue's own state for /healthz: which storage, and whether it answers."""
    huey: Huey = app.extensions["moderation.jobs"]["huey"]
    kind = type(huey.storage).__name__
    try:
        huey.storage.queue_size()
    except Exception:  # noqa: BLE001 - any failure means "not answering"
        return {"queue": kind, "queue_state": "down"}
    return {"queue": kind, "queue_state": "up"}
