"""Health: liveness (the process answers) and readiness (what it depends on, one by one).

A load balancer polls `/healthz`: 200 while the app can serve writes (the database
answers), even if Redis is away (rate limits are then counted per worker) or jobs are
late or their queue unreachable ("degraded": work waits safely in the database), and 503
when the database does not answer. `/livez` says only that the process runs, for
a supervisor deciding whether to restart it. Neither needs a session nor is rate limited.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from moderation import jobs as jobs_consumer
from moderation.extensions import db, limiter
from moderation.services import jobs

bp = Blueprint("health", __name__)


def database_state() -> dict[str, Any]:
    """Whether the database runs `SELECT 1`, and how long it took."""
    started = time.perf_counter()
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        # The class only: a driver's message may name hosts and users.
        current_app.logger.warning("health check: the database did not answer (%s)",
                                   type(error).__name__)
        return {"state": "down", "error": type(error).__name__}
    return {"state": "up", "ms": round((time.perf_counter() - started) * 1000, 1)}


def jobs_state() -> dict[str, Any]:
    """How much work waits and since when (from the database), and whether the queue answers.

    Work waiting longer than JOBS_LATE_SECONDS means no consumer runs (or it cannot keep
    up): "late". The queue unreachable is "down": jobs still wait safely in the database.
    """
    try:
        depth = jobs.depth()
    except SQLAlchemyError:
        return {"state": "unknown"}
    described = jobs_consumer.describe(current_app._get_current_object())  # type: ignore[attr-defined]
    late = depth["oldest_waiting_s"] > current_app.config["JOBS_LATE_SECONDS"]
    state = "down" if described["queue_state"] == "down" else ("late" if late else "up")
    return {"state": state, **described, **depth}


def redis_state() -> dict[str, Any]:
    """Whether the rate limits' shared store answers (when one is configured)."""
    uri = str(current_app.config.get("RATELIMIT_STORAGE_URI", ""))
    if not uri.startswith(("redis://", "rediss://")):
        return {"state": "unused"}
    try:
        up = bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 - any failure of the check means "not answering"
        up = False
    if up:
        return {"state": "up"}
    return {"state": "down", "effect": "rate limits counted in each worker until it answers"}


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int]:
    """Readiness: each dependency's state; 503 when the app cannot serve writes."""
    checks = {"database": database_state(), "redis": redis_state()}
    if checks["database"]["state"] == "up":
        checks["jobs"] = jobs_state()
    if checks["database"]["state"] != "up":
        status, code = "unavailable", 503
    elif any(c["state"] in ("down", "late") for c in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return jsonify(status=status, **checks), code


@bp.get("/livez")
@limiter.exempt
def livez() -> Response:
    """Liveness: the process answers; no dependency is asked."""
    return Response("ok\n", 200, mimetype="text/plain")
