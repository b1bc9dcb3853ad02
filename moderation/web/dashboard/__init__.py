"""The instructor side (/teach): one blueprint, a module per part of the dashboard."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("dashboard", __name__, url_prefix="/teach")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user; each view checks the course role."""


def blueprint() -> Blueprint:
    """The dashboard blueprint, with the routes of every module of the dashboard on it."""
    from moderation.web.dashboard import (  # noqa: F401 - they add routes to bp
        courses,
        gradebook,
        grading,
        queue,
    )

    return bp
