"""Jobs as staff see them: how far a job is (for the page that polls it), and trying again."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from moderation.extensions import db
from moderation.models import Job, JobState, utcnow
from moderation.services import jobs
from moderation.services.courses import Permission
from moderation.web.access import course_or_404
from moderation.web.dashboard import bp
from moderation.web.forms import ConfirmForm
from moderation.web.redirects import safe_next


@dataclass(frozen=True)
class Progress:
    """A job as a page shows it."""

    id: int
    state: str
    done: int
    total: int | None
    seconds_left: int | None
    error: str | None
    result: dict[str, int] | None

    @property
    def open(self) -> bool:
        return self.state in (JobState.WAITING, JobState.RUNNING)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


def progress(job: Job) -> Progress:
    """How far the job is, and about how long it has left at the rate it has gone so far."""
    left = None
    if (job.state == JobState.RUNNING and job.started_at and job.progress_total
            and job.progress_done):
        elapsed = (utcnow() - job.started_at).total_seconds()
        left = round(elapsed / job.progress_done * (job.progress_total - job.progress_done))
    return Progress(job.id, job.state.value, job.progress_done, job.progress_total, left,
                    job.error, job.args.get("result"))


def _job_of_course(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.course_id is None:
        abort(404)
    course_or_404(job.course_id, permission=Permission.MANAGE)
    return job


@bp.get("/jobs/<int:job_id>")
def job_progress(job_id: int) -> ResponseReturnValue:
    """A course's job as JSON: its state, how far it is, and any error (the page polls it)."""
    shown = progress(_job_of_course(job_id))
    return jsonify(state=shown.state, done=shown.done, total=shown.total,
                   percent=shown.percent, seconds_left=shown.seconds_left,
                   error=shown.error, result=shown.result)


@bp.post("/jobs/<int:job_id>/retry")
def retry_job(job_id: int) -> ResponseReturnValue:
    """Put a course's failed job back in the queue."""
    job = _job_of_course(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    jobs.try_again(job.id, current_user)
    db.session.commit()
    flash("Trying again: its progress is below.", "info")
    return redirect(safe_next(request.form.get("next"),
                              url_for("dashboard.course", course_id=job.course_id)))
