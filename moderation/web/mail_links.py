"""The addresses of the pages a message links to: the web layer's, installed for
`services.mail.link` at start-up, so that services name a page and never a route."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, url_for

from moderation.services.mail import LINKS_KEY, Page

ENDPOINTS: dict[Page, str] = {
    "revise": "discussions.revise",  # a rejected comment's revise form
    "email_link": "auth.email_link",  # sign-up, new password, confirmation
    "invitation": "auth.invitation",  # a place kept for an address
}


def build(page: Page, **values: Any) -> str | None:
    """A page's full address for a message, built from the configured server name.

    Never from a request's Host header, which the sender of the request chooses: a link
    to evil.example carrying a student's token would hand the token over. None when the
    site's name is not configured (a command run without SERVER_NAME).
    """
    if not current_app.config.get("SERVER_NAME") and not (
            has_request_context() and (current_app.debug or current_app.testing)):
        return None
    return url_for(ENDPOINTS[page], _external=True, **values)


def init_app(app: Flask) -> None:
    """Let services.mail build the links of its messages."""
    app.extensions[LINKS_KEY] = build
