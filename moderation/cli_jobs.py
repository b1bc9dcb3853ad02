"""Commands for jobs: the consumer (`moderation worker`) and what an administrator sees of it."""

from __future__ import annotations

import logging
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from moderation.extensions import db


@click.command("worker")
@click.option("--workers", type=click.IntRange(1, 32), default=None,
              help="Threads running jobs (default: JOBS_WORKERS, 2).")
@with_appcontext
def worker_command(workers: int | None) -> None:
    """Run jobs (mail, LMS passback, rescores) until SIGTERM or Ctrl-C."""
    from moderation import jobs

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    jobs.consume(current_app._get_current_object(),  # type: ignore[attr-defined]
                 workers or int(current_app.config["JOBS_WORKERS"]))


@click.group("jobs")
def jobs_group() -> None:
    """See jobs that wait or failed, and try a failed one again."""


@jobs_group.command("list")
@click.option("--failed", is_flag=True, help="Only the jobs that failed.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50)
@with_appcontext
def list_command(failed: bool, limit: int) -> None:
    """List recent jobs, newest first, with their state and any error."""
    from sqlalchemy import select

    from moderation.models.jobs import Job, JobState

    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if failed:
        query = query.where(Job.state == JobState.FAILED)
    shown = list(db.session.scalars(query))
    for job in shown:
        progress = (f" {job.progress_done}/{job.progress_total}"
                    if job.progress_total is not None else "")
        course = f" course {job.course_id}" if job.course_id else ""
        click.echo(f"{job.id:>6}  {job.state.value:<8} {job.kind:<16} attempts "
                   f"{job.attempts}/{job.max_attempts}{progress}{course}  "
                   f"{job.created_at:%Y-%m-%d %H:%M}")
        if job.error:
            click.echo(f"        {job.error}")
    if not shown:
        click.echo("No failed jobs." if failed else "No jobs.")


@jobs_group.command("retry")
@click.argument("job_id", type=int)
@with_appcontext
def retry_command(job_id: int) -> None:
    """Put a failed job back in the queue."""
    from moderation.services import jobs
    from moderation.services.errors import ServiceError

    try:
        job = jobs.try_again(job_id, None)
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(f"Job {job.id} ({job.kind}) waits to run again.")
