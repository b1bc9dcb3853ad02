"""Jobs as rows: recorded in the caller's transaction, claimed by one consumer, then finished,
retried or failed where the person it concerns can see it and try again.

The row is the job. After the transaction that made it commits, the consumer
(`moderation worker`, through huey) is told its id; a sweep every minute finds any job it
was not told about (the queue unreachable at that moment) and any whose consumer died (its
lease ran out), so no job is lost between commit and queue, and a job killed half-way runs
again: every job is idempotent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from moderation.extensions import db
from moderation.models import User, utcnow
from moderation.models.jobs import OPEN_STATES, Job, JobState
from moderation.services.errors import Conflict, NotFound

# The ids the current transaction enqueued, handed to the queue once it commits.
TO_PUSH = "moderation.jobs_to_push"
BACKOFF = timedelta(seconds=30)  # after the first failure; doubling, at most MAX_BACKOFF
MAX_BACKOFF = timedelta(hours=1)
MAX_ERROR_CHARS = 2000


def enqueue(kind: str, args: dict[str, Any] | None = None, *, course_id: int | None = None,
            actor: User | None = None, dedupe: str | None = None,
            max_attempts: int = 5) -> Job:
    """Record a job in the caller's transaction; an open job with the same `dedupe` key is
    returned instead of a second one."""
    if dedupe is not None:
        existing = open_job(dedupe)
        if existing is not None:
            return existing
    job = Job(kind=kind, args=args or {}, course_id=course_id, dedupe_key=dedupe,
              created_by_id=actor.id if actor else None, max_attempts=max_attempts,
              not_before=utcnow())
    try:
        with db.session.begin_nested():  # two writers racing for one key: the second reads
            db.session.add(job)
    except IntegrityError:
        existing = open_job(dedupe) if dedupe else None
        if existing is None:
            raise
        return existing
    db.session.info.setdefault(TO_PUSH, []).append(job.id)
    return job


def open_job(dedupe: str) -> Job | None:
    """The waiting or running job with this key, if any."""
    return db.session.scalar(select(Job).where(Job.dedupe_key == dedupe,
                                               Job.state.in_(OPEN_STATES)))


# Built once: a burst of submits asks it often (`fingerprints._prune_later`).
_OPEN_ID = select(Job.id).where(Job.dedupe_key == bindparam("key"),
                                Job.state.in_(OPEN_STATES))


def is_open(dedupe: str) -> bool:
    """Whether a job with this key waits or runs (one column read, not the job)."""
    return db.session.scalar(_OPEN_ID, {"key": dedupe}) is not None


def lease() -> timedelta:
    """How long a consumer holds a job without reporting before it is taken for dead."""
    return timedelta(seconds=float(current_app.config["JOBS_LEASE_SECONDS"]))


def claim(job_id: int, now: datetime | None = None) -> Job | None:
    """Take a due job for this consumer (one statement: two consumers never both win)."""
    now = now or utcnow()
    taken = db.session.execute(
        update(Job).where(Job.id == job_id, or_(
            and_(Job.state == JobState.WAITING, Job.not_before <= now),
            and_(Job.state == JobState.RUNNING, Job.lease_until < now)))
        .values(state=JobState.RUNNING, attempts=Job.attempts + 1, lease_until=now + lease(),
                started_at=func.coalesce(Job.started_at, now))
        .execution_options(synchronize_session=False))
    if not taken.rowcount:  # type: ignore[attr-defined]
        return None
    return db.session.get(Job, job_id, populate_existing=True)


def report(job: Job, done: int, total: int | None) -> None:
    """Record progress (the page shows it) and keep the lease while the job works."""
    job.progress_done, job.progress_total = done, total
    job.lease_until = utcnow() + lease()


def finish(job: Job) -> None:
    """The job did its work."""
    job.state, job.finished_at, job.lease_until, job.error = (
        JobState.DONE, utcnow(), None, None)


def fail(job: Job, error: str, *, again: bool) -> None:
    """Record why the job failed: it waits to run again (with backoff) or has failed."""
    job.error = error[:MAX_ERROR_CHARS]
    job.lease_until = None
    if again and job.attempts < job.max_attempts:
        job.state = JobState.WAITING
        job.not_before = utcnow() + backoff(job.attempts)
    else:
        job.state, job.finished_at = JobState.FAILED, utcnow()


def backoff(attempts: int) -> timedelta:
    """The wait before another attempt: 30 s, 1 min, 2 min… at most an hour.

    >>> [int(backoff(n).total_seconds()) for n in (1, 2, 3, 20)]
    [30, 60, 120, 3600]
    """
    seconds = BACKOFF.total_seconds() * 2.0 ** max(0, attempts - 1)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def due(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Jobs a consumer should be told about: due and waiting, or held past their lease."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Job.id).where(or_(
            and_(Job.state == JobState.WAITING, Job.not_before <= now),
            and_(Job.state == JobState.RUNNING, Job.lease_until < now)))
        .order_by(Job.not_before, Job.id).limit(limit)))


def try_again(job_id: int, actor: User | None) -> Job:
    """Put a failed job back in the queue, from the start of its attempts."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound()
    if job.state != JobState.FAILED:
        raise Conflict("This job is not failed: it is " + job.state.value + ".")
    if job.dedupe_key is not None and open_job(job.dedupe_key) is not None:
        raise Conflict("The same work is already waiting or running.")
    job.state, job.attempts, job.not_before = JobState.WAITING, 0, utcnow()
    job.error, job.finished_at = None, None
    db.session.flush()
    db.session.info.setdefault(TO_PUSH, []).append(job.id)
    return job


def depth(now: datetime | None = None) -> dict[str, Any]:
    """How much waits and since when, how much runs, and how much failed (for /healthz)."""
    now = now or utcnow()
    counts: dict[JobState, int] = {state: count for state, count in db.session.execute(
        select(Job.state, func.count()).group_by(Job.state))}
    oldest = db.session.scalar(select(func.min(Job.not_before)).where(
        Job.state == JobState.WAITING, Job.not_before <= now))
    return {"waiting": counts.get(JobState.WAITING, 0),
            "running": counts.get(JobState.RUNNING, 0),
            "failed": counts.get(JobState.FAILED, 0),
            "oldest_waiting_s": round((now - oldest).total_seconds(), 1) if oldest else 0.0}


def of_course(course_id: int, kinds: tuple[str, ...] | None = None,
              limit: int = 20) -> list[Job]:
    """The course's recent jobs, newest first: what its staff see running or failed."""
    query = select(Job).where(Job.course_id == course_id)
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    return list(db.session.scalars(query.order_by(Job.created_at.desc(), Job.id.desc())
                                   .limit(limit)))
