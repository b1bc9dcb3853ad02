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
from moderation.models import Comment

log = logging.getLogger(__name__)
OUTBOX = "moderation.outbox"


def rejected(comment: Comment) -> None:
    """Queue an email telling the author why their comment was rejected and how to revise."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return
    student, discussion = comment.author, comment.discussion
    title = _one_line(discussion.title)
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = student.email
    message["Subject"] = f"Your comment in \"{title}\" was not approved: please revise it"
    lines = [f"Hello {student.display_name},", "",
             f"Your instructor did not approve your comment in \"{title}\" "
             f"({_one_line(discussion.course.title)}).", "",
             f"Reason: {comment.reason_label or 'none given'}."]
    if comment.decision_message:
        lines += ["", "Your instructor's message:", "", *_quoted(comment.decision_message)]
    excerpt = _excerpt(comment.body)
    lines += ["", "Your comment began:" if excerpt != comment.body else "Your comment:", "",
              *_quoted(excerpt), ""]
    link = _revise_link(comment)
    if link:
        lines += ["You can revise it and submit it again while the discussion is open:", link]
    else:
        lines += ["You can revise it and submit it again from \"My comments\" while the "
                  "discussion is open."]
    lines += ["", "Only you and your instructors can see the rejected comment."]
    message.set_content("\n".join(lines))
    db.session.info.setdefault(OUTBOX, []).append(message)


def _revise_link(comment: Comment) -> str | None:
    """The revise page's full address, if it can be known (a request, or SERVER_NAME)."""
    if not (has_request_context() or current_app.config.get("SERVER_NAME")):
        return None  # e.g. a command run without SERVER_NAME: no host to link to
    return url_for("discussions.revise", comment_id=comment.id, _external=True)


def _one_line(text: str) -> str:
    # A header with a line break is refused (and would be an injection): titles fold.
    return " ".join(text.split())


def _excerpt(text: str, limit: int = 300) -> str:
    """The start of a text, cut at a word, so the student knows which comment it is."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip() + " …"


def _quoted(text: str) -> list[str]:
    return ["> " + line if line else ">" for line in text.splitlines()]


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
