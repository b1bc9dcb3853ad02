"""What each kind of job does: a thin call into the service that owns the work."""

from __future__ import annotations

from dataclasses import asdict

from moderation.extensions import db
from moderation.jobs import Permanent, handler, recurring
from moderation.models import Course, Discussion, User
from moderation.models.jobs import Job
from moderation.services import jobs, mail
from moderation.services.comments import fingerprints, rescore
from moderation.services.grades import derived
from moderation.services.lti import scores as lti_scores
from moderation.services.lti import sync as lti_sync


@handler(mail.KIND)
def send_mail(job: Job) -> None:
    """Send the message; once sent, keep no copy of it (its links carry tokens)."""
    mail.send(job.args["message"])
    job.args = {"to": job.args.get("to", "")}


@handler(rescore.JOB_KIND)
def rescore_comments(job: Job) -> None:
    """Rescore a course's (or a discussion's) undecided comments, a batch per commit."""
    course = db.session.get(Course, job.args["course_id"])
    discussion_id = job.args.get("discussion_id")
    discussion = db.session.get(Discussion, discussion_id) if discussion_id else None
    if course is None or (discussion_id and discussion is None):
        raise Permanent("The course or discussion no longer exists.")
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    total = rescore.count_undecided(course, discussion)
    jobs.report(job, 0, total)
    db.session.commit()

    def after_batch(totals: rescore.RescoreTotals) -> None:
        jobs.report(job, totals.comments, max(total, totals.comments))
        db.session.commit()  # the batch is written, and the page shows how far it is

    totals = rescore.rescore_undecided(course, actor, discussion, after_batch)
    job.args = {**job.args, "result": asdict(totals)}


@handler(fingerprints.PRUNE_KIND)
def prune_fingerprints(job: Job) -> None:
    """Mark fingerprints grown common in a course and drop their rows (idempotent)."""
    job.args = {**job.args, "marked": fingerprints.prune(job.args["course_id"],
                                                         job.args["hashes"])}


@handler(lti_scores.SEND_KIND)
def send_to_lms(job: Job) -> None:
    """Send the scores and read the rosters that wait (each row claimed, retried by itself)."""
    report = lti_sync.send_waiting()
    job.args = {"scores": report.scores, "rosters": report.rosters}


@recurring(lti_scores.SEND_KIND)
def lms_work_due() -> bool:
    """A score or roster whose retry time has come."""
    return lti_scores.anything_due()


@handler(derived.CATCH_UP_KIND)
def catch_up_suggestions(job: Job) -> None:
    """Refresh the stored suggestions submits marked, a batch per commit, until none is left
    (or as many batches as were marked when it began: a burst's later marks are the next job's)."""
    done = 0
    for refreshed in derived.catch_up_in_batches():
        db.session.commit()
        done += refreshed
    job.args = {"refreshed": done}


@recurring(derived.CATCH_UP_KIND)
def suggestions_marked() -> bool:
    """A stored suggestion a submit marked."""
    return derived.marked()
