"""The instructor side (/teach): one blueprint, a module per part of the dashboard."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from moderation.models import Membership
from moderation.services.courses import Permission, allows

bp = Blueprint("dashboard", __name__, url_prefix="/teach")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user; each view checks the course role."""


@bp.app_template_global()
def may(membership: object, permission: str) -> bool:
    """Whether the viewer may do this in the course: pages show only what they can use."""
    # `object`: a page rendered without a membership gets Jinja's Undefined, and shows less.
    return isinstance(membership, Membership) and allows(membership, Permission(permission))


def blueprint() -> Blueprint:
    """The dashboard blueprint, with the routes of every module of the dashboard on it."""
    from moderation.web.dashboard import (  # noqa: F401 - they add routes to bp
        audit,
        copies,
        courses,
        gradebook,
        grades,
        lms,
        newcomers,
        policy,
        queue,
        staff,
        time_zone,
    )

    return bp
