"""moderation: a comment moderation queue and classroom discussion grader."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from moderation.config import DEFAULTS, database_url_from_env, instance_secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT = PACKAGE_DIR.parent  # the repository, when running from a checkout


def template_folder() -> Path:
    """Pages ship inside the wheel; in a checkout they live in templates/ at the top."""
    packaged = PACKAGE_DIR / "templates"
    return packaged if packaged.is_dir() else CHECKOUT / "templates"


def instance_path() -> str | None:
    """$MODERATION_INSTANCE_PATH, else instance/ in a checkout, else Flask's rule.

    Installed from a wheel, Flask's rule puts it in `<prefix>/var/moderation-instance`.
    """
    configured = os.environ.get("MODERATION_INSTANCE_PATH")
    if configured:
        return configured
    if (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "templates").is_dir():
        return str(CHECKOUT / "instance")
    return None


def configured_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The app's settings, logging and database, without its web side or its jobs.

    Settings come from the defaults, then instance/config.py, then the environment, then
    `test_config`. `create_app` builds the whole app on it; a worker process that only
    reads and checks comments (`moderation.workers`) needs no more, and the pages, LTI and
    migrations it leaves out would cost each worker about 40 MB and a second of start-up.
    """
    app = Flask(
        __name__,
        instance_path=instance_path(),
        instance_relative_config=True,
        template_folder=str(template_folder()),
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config.from_prefixed_env("MODERATION")
    if test_config is not None:
        app.config.from_mapping(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    uri = app.config["SQLALCHEMY_DATABASE_URI"] or (
        "sqlite:///" + str(Path(app.instance_path) / "moderation.sqlite")
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url_from_env(uri)
    if not app.config["SECRET_KEY"]:
        # Debug mode too gets a generated key: a debug server reachable from a network must
        # not sign sessions with a key anyone can read here.
        if app.testing:
            app.config["SECRET_KEY"] = "test-only-not-secret"
        else:
            app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://")):
        timeout = app.config["REDIS_TIMEOUT_SECONDS"]
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {
            "socket_connect_timeout": timeout, "socket_timeout": timeout})

    from moderation import db_setup, logs
    from moderation.extensions import db

    logs.init_app(app)
    db.init_app(app)
    db_setup.init_app(app)
    return app


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app: its settings and database (`configured_app`), jobs, pages and commands."""
    app = configured_app(test_config)

    from moderation import jobs
    from moderation.extensions import csrf, db, limiter, login_manager, migrate
    from moderation.services.grades import derived

    jobs.init_app(app)
    derived.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from moderation.web.throttle import retry_after_on_refusal

    app.after_request(retry_after_on_refusal)

    from moderation import cli
    from moderation.web import (
        auth,
        dashboard,
        discussions,
        health,
        lti,
        mail_links,
        rendering,
        security,
    )
    from moderation.web.ids import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    security.init_app(app)
    rendering.init_app(app)
    mail_links.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(discussions.bp)
    app.register_blueprint(dashboard.blueprint())
    app.register_blueprint(health.bp)
    lti.init_app(app)
    cli.init_app(app)
    return app
