"""Request ids, and what log lines may say: paths only, never query strings or student text.

Every request gets an id: a sane incoming `X-Request-ID` (from a load balancer) is kept,
anything else is replaced by a fresh one. The id is echoed as a response header, so
gunicorn's access log (`gunicorn.conf.py`) writes it on each request's one line, and
`RequestIdFilter` puts it on every line the app itself logs during the request.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, has_request_context, request
from flask.logging import default_handler

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

HEADER = "X-Request-ID"
REQUEST_ID_KEY = "moderation.request_id"  # in the WSGI environ
# The path as logs may show it: gunicorn's access log reads it as %({moderation.path}e)s.
LOGGED_PATH_KEY = "moderation.path"
# Route arguments that are credentials (activation, invitation, mailed links): logged as
# `<token>`.
SECRET_ARGS = frozenset({"token"})
# What a load balancer's id looks like (a UUID, nginx's $request_id, AWS's Root=1-…);
# anything else could forge or garble log lines, so it is replaced.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{7,127}\Z")
_QUERY = re.compile(r"\?[^\s\"]*")


def sane_request_id(incoming: str | None) -> str:
    """Keep a well-formed incoming request id, or make a new one.

    >>> sane_request_id("3f2a9c1e-1b7d-4c55-9a0e-2f6d5c4b3a21")
    '3f2a9c1e-1b7d-4c55-9a0e-2f6d5c4b3a21'
    >>> len(sane_request_id("bad id\\" injected=1"))
    32
    """
    if incoming and _SANE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def without_query(line: str) -> str:
    """Drop every query string from a log line.

    >>> without_query('"GET /signup?code=DEMO101&x=1 HTTP/1.1" 200 -')
    '"GET /signup HTTP/1.1" 200 -'
    """
    return _QUERY.sub("", line)


def logged_path(path: str, token_prefixes: Iterable[str]) -> str:
    """The path with the segment after any token-bearing prefix shown as `<token>`.

    Whatever follows the token (a trailing slash, more segments: a 404) is kept, and the
    token still hidden.

    >>> logged_path("/activate/abc.def/", ["/activate/"])
    '/activate/<token>/'
    >>> logged_path("/discussions/7/comments", ["/activate/"])
    '/discussions/7/comments'
    """
    for prefix in token_prefixes:
        if path.startswith(prefix) and len(path) > len(prefix):
            _token, slash, rest = path[len(prefix):].partition("/")
            return f"{prefix}<token>{slash}{rest}"
    return path


def token_prefixes(app: Flask) -> list[str]:
    """The static start of every route that carries a credential, such as "/activate/".

    >>> from flask import Flask
    >>> demo = Flask("demo")
    >>> _ = demo.add_url_rule("/invitations/<token>", "i", lambda token: "")
    >>> token_prefixes(demo)
    ['/invitations/']
    """
    return sorted({rule.rule.split("<", 1)[0] for rule in app.url_map.iter_rules()
                   if SECRET_ARGS & rule.arguments})


def current_request_id() -> str | None:
    """The id of the request being handled, if any."""
    if has_request_context():
        return request.environ.get(REQUEST_ID_KEY)
    return None


class RequestIdFilter(logging.Filter):
    """Give every record a `request_id` (`-` outside a request) for formats to show."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class QueryStringFilter(logging.Filter):
    """Strip query strings from a server's request lines (Werkzeug's development server)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(without_query(a) if isinstance(a, str) else a
                                for a in record.args)
        if isinstance(record.msg, str):
            record.msg = without_query(record.msg)
        return True


class RequestIds:
    """WSGI middleware: an id for every request, in the environ and the response headers.

    It wraps the whole app, so even a request Flask refuses before any view runs (a 404,
    a 429, a CSRF failure) has its id on its log line.
    """

    def __init__(self, app: WSGIApplication, flask_app: Flask) -> None:
        self.app = app
        self.flask_app = flask_app
        self._prefixes: list[str] | None = None

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        request_id = sane_request_id(environ.get("HTTP_X_REQUEST_ID"))
        environ[REQUEST_ID_KEY] = request_id
        if self._prefixes is None:  # every route is known by the first request
            self._prefixes = token_prefixes(self.flask_app)
        # By the path itself, not the matched route: a token in a path no route matches
        # (a 404) is hidden too.
        environ[LOGGED_PATH_KEY] = logged_path(environ.get("PATH_INFO", ""), self._prefixes)

        def start(status: str, headers: list[tuple[str, str]],
                  exc_info: Any = None) -> Any:
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


APP_FORMAT = "[%(asctime)s] %(levelname)s rid=%(request_id)s %(name)s: %(message)s"


def _add_filter_once(target: logging.Filterer, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in target.filters):
        target.addFilter(kind())


def init_app(app: Flask) -> None:
    """Install request ids, and keep query strings and credentials out of log lines."""
    app.wsgi_app = RequestIds(app.wsgi_app, app)  # type: ignore[method-assign]

    # Under gunicorn, gunicorn.conf.py configures the handlers; elsewhere (the development
    # server, another WSGI server) Flask's own handler shows the id as well.
    _add_filter_once(default_handler, RequestIdFilter)
    default_handler.setFormatter(logging.Formatter(APP_FORMAT))
    # Werkzeug's development server logs the raw request line, query string included.
    _add_filter_once(logging.getLogger("werkzeug"), QueryStringFilter)
