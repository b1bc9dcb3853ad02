"""Default configuration; `instance/config.py`, the environment and tests override it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": None,  # filled in from DATABASE_URL or the instance folder
    # hide_parameters: an error's text never carries the values sent (a comment's body).
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    # Request bodies: a 64 KB comment plus form overhead, or a roster file.
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set MODERATION_SESSION_COOKIE_SECURE=true behind HTTPS
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a student may keep a draft open all evening
    # OWASP ASVS 11.4.2: an explicit, strong work factor.
    "PASSWORD_METHOD": "scrypt:131072:8:1",
    # Shared by all workers in production: set MODERATION_RATELIMIT_STORAGE_URI=redis://…
    "RATELIMIT_STORAGE_URI": "memory://",
    # No X-RateLimit-* headers on every answer: each cost two more Redis round trips
    # (GET, TTL) after the counting one. A refusal still says when to try again
    # (Retry-After, web/throttle.retry_after_on_refusal).
    "RATELIMIT_HEADERS_ENABLED": False,
    # Redis unreachable: count in each worker's memory (the same limits, per worker) until
    # it answers again, never refuse everyone; Flask-Limiter logs the switch both ways.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    # A Redis that does not answer costs a request half a second, not the OS's minutes.
    "REDIS_TIMEOUT_SECONDS": 0.5,
    # Jobs (mail, LMS passback, rescores) run in `moderation worker`; huey's queue of job ids
    # lives in instance/jobs-queue.sqlite unless JOBS_REDIS_URL names a Redis (several
    # machines). JOBS_IMMEDIATE runs each job as its transaction commits (tests).
    "JOBS_REDIS_URL": None,
    "JOBS_IMMEDIATE": False,
    "JOBS_WORKERS": 2,
    "JOBS_LATE_SECONDS": 300,  # /healthz says "degraded" when work waits longer
    # A consumer silent this long (killed, its machine gone) loses its job to another.
    "JOBS_LEASE_SECONDS": 300,
    # What a page says when the database does not answer: try again in this many seconds.
    "RETRY_AFTER_SECONDS": 5,
    # Sign-in counts failures only, so a room of students signing in together is never
    # refused: per account from devices that never signed in to it, per client address
    # (the real one: see PROXY_COUNT), and per device that did. A correct password from a
    # device that signed in before is never refused for someone else's failures.
    "LOGIN_ACCOUNT_FAILURE_LIMIT": "10 per 10 minutes",
    "LOGIN_CLIENT_FAILURE_LIMIT": "60 per 10 minutes",
    "LOGIN_DEVICE_FAILURE_LIMIT": "10 per 10 minutes",
    # Sign-up and joining by code, per client address (a class of 30 in one room, with
    # retries) and, for joining while signed in, per user.
    "SIGNUP_RATE_LIMIT": "100 per 10 minutes",
    # Links mailed to one address (sign-up, new password, confirmation): no mail bombing.
    "EMAIL_LINK_RATE_LIMIT": "5 per hour",
    # Proxies in front of the app that set X-Forwarded-For and X-Forwarded-Proto (0: none).
    # With the right count, limits see each student's address and cookies know HTTPS.
    "PROXY_COUNT": 0,
    "SUBMIT_RATE_LIMIT": "10 per minute",
    "PREVIEW_RATE_LIMIT": "60 per minute",  # live feedback while typing (debounced)
    "MAX_COMMENT_CHARS": 20_000,
    "ACTIVATION_MAX_AGE_DAYS": 30,  # activation and invitation links staff hand out
    "EMAIL_LINK_MAX_AGE_HOURS": 48,  # links mailed for sign-up, a new password, confirming
    # Mail printed on standard output instead of sent (`moderation run` turns it on when
    # MAIL_SERVER is unset, so sign-up works end to end on a developer's machine).
    "MAIL_CONSOLE": False,
    # Mail (sign-up links, invitations, rejections): off unless MAIL_SERVER is set. Links in
    # mail and on staff pages are built from SERVER_NAME (required by gunicorn), never from
    # a request's Host header.
    "SERVER_NAME": None,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,  # STARTTLS
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "moderation@localhost",
    # LTI 1.3. The tool's private keys are encrypted with a key derived from this (any long
    # random string); unset, from SECRET_KEY. Changing it makes the stored keys unreadable:
    # run `moderation lti rotate-key` after.
    "LTI_KEY_ENCRYPTION_KEY": None,
    "LTI_HTTP_TIMEOUT": 10,  # seconds for each call to an LMS (its keys, scores, rosters)
}


def database_url_from_env(value: str) -> str:
    """Normalise a DATABASE_URL so PostgreSQL uses the psycopg 3 driver.

    >>> database_url_from_env("postgres://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> database_url_from_env("postgresql://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> database_url_from_env("sqlite:////tmp/x.db")
    'sqlite:////tmp/x.db'
    """
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


def instance_secret_key(instance_path: str) -> str:
    """Return the secret key kept in the instance folder, creating it (mode 600) if needed."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key
