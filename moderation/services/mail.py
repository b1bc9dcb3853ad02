"""Outgoing mail: queued on the database session, sent after it commits.

A message is sent only once the transaction that caused it commits, so a rolled-back
change never sends mail, and a mail server that is down never undoes a change. With an
SMTP server configured (`MAIL_SERVER`) messages go there; in development (`MAIL_CONSOLE`,
which `moderation run` turns on when no server is set) each message is printed whole on
standard output, so a link mailed to a student can be followed on the same machine.
With neither, nothing is sent and `enabled()` says so: callers then offer what works
without mail (links that staff copy and hand out).
"""

from __future__ import annotations

import logging
import smtplib
import sys
from email.message import EmailMessage
from typing import Any

from flask import Flask, current_app, has_request_context, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session

from moderation.extensions import db

log = logging.getLogger(__name__)
OUTBOX = "moderation.outbox"


def enabled() -> bool:
    """Whether mail reaches anyone (an SMTP server, or the development console) with links."""
    config = current_app.config
    reaches = bool(config.get("MAIL_SERVER") or config.get("MAIL_CONSOLE"))
    return reaches and bool(config.get("SERVER_NAME") or current_app.debug
                            or current_app.testing)


def queue(to: str, subject: str, body: str) -> None:
    """Queue a plain-text message, sent after the current transaction commits."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = one_line(subject)
    message.set_content(body)
    db.session.info.setdefault(OUTBOX, []).append(message)


def link(endpoint: str, **values: Any) -> str | None:
    """A page's full address for a message, built from the configured server name.

    Never from a request's Host header, which the sender of the request chooses: a link
    to evil.example carrying a student's token would hand the token over. None when the
    site's name is not configured (a command run without SERVER_NAME).
    """
    if not current_app.config.get("SERVER_NAME") and not (
            has_request_context() and (current_app.debug or current_app.testing)):
        return None
    return url_for(endpoint, _external=True, **values)


def one_line(text: str) -> str:
    """Fold a text onto one line: a header with a line break is refused (and an injection)."""
    return " ".join(text.split())


def _send(session: Session) -> None:
    outbox: list[EmailMessage] = session.info.pop(OUTBOX, [])
    if not outbox:
        return
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        if config.get("MAIL_CONSOLE"):
            for message in outbox:
                print(f"\n----- mail (not sent: no MAIL_SERVER) -----\n{message}"
                      "----- end of mail -----", file=sys.stdout, flush=True)
        return
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
        # What caused the mail stands; the pages show the same state in any case.
        log.warning("could not send %d message(s): %s", len(outbox), error)


def _discard(session: Session, _previous: object = None) -> None:
    session.info.pop(OUTBOX, None)


def init_app(app: Flask) -> None:
    """Send queued mail after each commit; drop it after a rollback."""
    if not event.contains(Session, "after_commit", _send):
        event.listen(Session, "after_commit", _send)
        event.listen(Session, "after_soft_rollback", _discard)
