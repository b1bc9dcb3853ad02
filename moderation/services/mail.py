"""Outgoing mail: a job recorded with the change that causes it, sent by the worker.

A message is a job ("mail.send") written in the same transaction as its cause, so a
rolled-back change never sends mail, a mail server that is down never undoes a change
(the job tries again with backoff, then shows as failed to the administrator: `moderation
jobs list --failed`), and nothing is lost between the commit and the queue. With an SMTP
server configured (`MAIL_SERVER`) messages go there; in development (`MAIL_CONSOLE`, which
`make run` turns on when no server is set) each message is printed whole on the worker's
standard output, so a link mailed to a student can be followed on the same machine. With
neither, nothing is sent and `enabled()` says so: callers then offer what works without
mail (links that staff copy and hand out).
"""

from __future__ import annotations

import email.policy
import smtplib
import sys
from collections.abc import Callable
from email import message_from_string
from email.message import EmailMessage
from typing import Any, Literal

from flask import current_app

from moderation.services import jobs

KIND = "mail.send"


def enabled() -> bool:
    """Whether mail reaches anyone (an SMTP server, or the development console) with links."""
    config = current_app.config
    reaches = bool(config.get("MAIL_SERVER") or config.get("MAIL_CONSOLE"))
    return reaches and bool(config.get("SERVER_NAME") or current_app.debug
                            or current_app.testing)


def queue(to: str, subject: str, body: str) -> None:
    """Queue a plain-text message: a job of the current transaction, sent once it commits."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = one_line(subject)
    # 7bit keeps a long link on one line (quoted-printable would break it with "=").
    message.set_content(body, cte="7bit" if body.isascii() else "quoted-printable")
    jobs.enqueue(KIND, {"to": to, "message": message.as_string()}, max_attempts=8)


# The pages a message links to, by what they are for. The web layer owns their addresses
# (web/mail_links.py builds them and installs its builder under LINKS_KEY at start-up):
# services name a page, never a route.
Page = Literal["revise", "email_link", "invitation"]
LINKS_KEY = "moderation.mail_links"


def link(page: Page, **values: Any) -> str | None:
    """A page's full address for a message, or None when the site's address is unknown
    (a command run without SERVER_NAME)."""
    build: Callable[..., str | None] | None = current_app.extensions.get(LINKS_KEY)
    return build(page, **values) if build is not None else None


def one_line(text: str) -> str:
    """Fold a text onto one line: a header with a line break is refused (and an injection)."""
    return " ".join(text.split())


def send(text: str) -> None:
    """Send one message (the job's handler): SMTP, or the console; raises if it cannot."""
    message = message_from_string(text, policy=email.policy.default)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        if config.get("MAIL_CONSOLE"):
            print(f"\n----- mail (not sent: no MAIL_SERVER) -----\nTo: {message['To']}\n"
                  f"Subject: {message['Subject']}\n\n{message.get_content()}"
                  "----- end of mail -----", file=sys.stdout, flush=True)
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
