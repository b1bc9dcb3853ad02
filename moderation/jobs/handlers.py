"""What each kind of job does: a thin call into the service that owns the work."""

from __future__ import annotations

from moderation.jobs import handler
from moderation.models.jobs import Job
from moderation.services import mail


@handler(mail.KIND)
def send_mail(job: Job) -> None:
    """Send the message; once sent, keep no copy of it (its links carry tokens)."""
    mail.send(job.args["message"])
    job.args = {"to": job.args.get("to", "")}
