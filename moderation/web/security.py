"""Request-wide security: sessions, headers, transactions, and error pages."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, Response, current_app, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from moderation import db_setup
from moderation.extensions import db, login_manager
from moderation.services import accounts
from moderation.services.errors import NotFound, ServiceError

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What the database raises when it is down, restarting, or out of connections: a
# dependency that is away, not a bug, answered 503 with Retry-After.
DATABASE_AWAY = (OperationalError, InterfaceError, PoolTimeout)
# Fields a retry form keeps: never a password, which the person types again.
NOT_KEPT = frozenset({"password"})
TEXT_FIELDS = ("body", "message", "feedback", "prompt")
log = logging.getLogger(__name__)
# A year, this host only: a school's other hosts may still serve plain HTTP.
HSTS = "max-age=31536000"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, made Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)

    def get_cookie_samesite(self, app: Flask) -> str | None:
        # A session an LMS launch began lives in the LMS's frame, which sends only
        # SameSite=None cookies; browsers accept those only when Secure.
        if session.get("lti") and self.get_cookie_secure(app):
            return "None"
        return super().get_cookie_samesite(app)


def has_nul(values: MultiDict[str, str]) -> bool:
    """Whether any key or value of a request's multi-dict holds a NUL character.

    >>> from werkzeug.datastructures import MultiDict
    >>> has_nul(MultiDict([("q", "a\\x00b")])), has_nul(MultiDict([("q", "ab")]))
    (True, False)
    """
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def init_app(app: Flask) -> None:
    """Install the user loader, security headers, begin modes and error pages."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    # "basic": a phone moving between networks keeps its session.
    login_manager.session_protection = "basic"
    login_manager.user_loader(accounts.user_for_session)
    app.session_interface = SessionInterface()
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:
        # The client's address and the scheme as the proxies in front saw them, and no
        # more: a client's own X-Forwarded-For is not believed beyond the proxies counted.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies)

    @app.before_request
    def _refuse_nul_in_address() -> ResponseReturnValue | None:
        # Forms refuse a NUL beside its field (forms.Form); the address has no field.
        if has_nul(request.args):
            message = "The address has a NUL character in it. Remove it and try again."
            return render_template("error.html", status=400, message=message), 400
        return None

    @app.before_request
    def _begin_mode() -> None:
        # Readers begin DEFERRED on SQLite so they never wait for a writer; so do views
        # that only read whatever their method (the live preview), and views that take the
        # write lock themselves once they have read and analysed (submit, revise).
        view = app.view_functions.get(request.endpoint or "")
        db_setup.set_read_only(request.method in SAFE_METHODS or db_setup.begins_deferred(view))

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
            # A launch page that the LMS may frame says so by CSP alone (web/lti.py).
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "interest-cohort=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static":
            # Pages carry names and grades: no shared cache may keep them.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.teardown_request
    def _rollback_unfinished(exc: BaseException | None) -> None:
        if exc is not None:
            with contextlib.suppress(*DATABASE_AWAY):  # the connection gone, its transaction too
                db.session.rollback()

    for away in DATABASE_AWAY:
        app.register_error_handler(away, database_away)

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> ResponseReturnValue:
        db.session.rollback()
        return error_page(error.status, error.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> ResponseReturnValue:
        message = "Your form expired or came from another site. Go back, reload and try again."
        return error_page(400, message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        message = NotFound.MESSAGE if error.code == 404 else error.description
        return error_page(error.code, message)


def error_page(status: int, message: str | None) -> ResponseReturnValue:
    """The error page; if drawing it needs a database that is away (the navigation reads the
    signed-in user), the page that needs none."""
    try:
        return render_template("error.html", status=status, message=message), status
    except DATABASE_AWAY as error:
        return database_away(error)


def database_away(error: Exception) -> ResponseReturnValue:
    """A page that needs no database: 503, Retry-After, and what was typed, kept to resend."""
    with contextlib.suppress(*DATABASE_AWAY):
        db.session.rollback()
    # The class only: a driver's message may name hosts and users.
    log.warning("the database did not answer (%s): 503", type(error).__name__)
    kept: list[tuple[str, str]] = []
    text_field = None
    if request.method == "POST":
        kept = [(k, v) for k, v in request.form.items(multi=True) if k not in NOT_KEPT]
        text_field = next((name for name in TEXT_FIELDS if name in request.form), None)
    retry = str(current_app.config["RETRY_AFTER_SECONDS"])
    # Rendered without the app's context processors: Flask-Login's would load the user.
    page = current_app.jinja_env.get_template("unavailable.html").render(
        request=request, kept=kept, text_field=text_field,
        kept_text=request.form.get(text_field or "", ""))
    return page, 503, {"Retry-After": retry}
