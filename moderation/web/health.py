"""The health check a load balancer polls: 200 when the database answers, 503 when not."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from moderation.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """Answer 200 if the database runs `SELECT 1`, else 503; no session, no page."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        # The class only: a driver's message may name hosts and users.
        current_app.logger.warning("health check: the database did not answer (%s)",
                                   type(error).__name__)
        return Response("database unavailable\n", 503, mimetype="text/plain")
    return Response("ok\n", 200, mimetype="text/plain")
