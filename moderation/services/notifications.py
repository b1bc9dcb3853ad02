"""Email to students about decisions: sent after the decision commits, only if SMTP is set up.

Off by default (no MAIL_SERVER). A message is queued on the database session and sent
once the transaction commits, so a rolled-back decision never sends mail, and a mail
server that is down never undoes a decision: the student still sees it on "My comments".
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import Flask, current_app, has_request_context, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session

from moderation.extensions import db
from moderation.models import Comment, RejectionReason

log = logging.getLogger(__name__)
OUTBOX = "moderation.outbox"


def rejected(comment: Comment) -> None:
    """Queue an email telling the author why their comment was rejected and how to revise."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return
    reason = RejectionReason(comment.decision_reason).label if comment.decision_reason else ""
    link = (url_for("discussions.my_comments", _external=True) if has_request_context()
            else "")
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = comment.author.email
    message["Subject"] = f"Your comment in \"{comment.discussion.title}\" needs a revision"
    lines = [f"Hello {comment.author.display_name},", "",
             f"Your comment in \"{comment.discussion.title}\" was not approved.",
             f"Reason: {reason}."]
    if comment.decision_message:
        lines += ["", "Your instructor's message:", comment.decision_message]
    lines += ["", "You can revise it and submit it again"
              + (f" from My comments: {link}" if link else " from My comments.")]
    message.set_content("\n".join(lines))
    db.session.info.setdefault(OUTBOX, []).append(message)


def _send(session: Session) -> None:
    outbox: list[EmailMessage] = session.info.pop(OUTBOX, [])
    if not outbox:
        return
    config = current_app.config
    try:
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            for message in outbox:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The decision stands; the student sees it on "My comments" in any case.
        log.warning("could not send %d notification(s): %s", len(outbox), error)


def _discard(session: Session, _previous: object = None) -> None:
    session.info.pop(OUTBOX, None)


def init_app(app: Flask) -> None:
    """Send queued mail after each commit; drop it after a rollback."""
    if not event.contains(Session, "after_commit", _send):
        event.listen(Session, "after_commit", _send)
        event.listen(Session, "after_soft_rollback", _discard)
