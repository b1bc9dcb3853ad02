"""gunicorn settings for serving the app; `gunicorn -c python:moderation.gunicorn_conf`.

`gunicorn.conf.py` at the top of a checkout (what `make serve` uses) is this module, so a
checkout and an installed wheel serve the same way. Command-line flags and
`GUNICORN_CMD_ARGS` override anything here.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

wsgi_app = "moderation:create_app()"

# Loopback unless told otherwise: a proxy or load balancer sits in front (gunicorn's own
# default listens everywhere when $PORT is set). `--bind 0.0.0.0:8000` to open it.
bind = ["127.0.0.1:8000"]


def cores() -> int:
    """CPUs this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(cpus: int) -> int:
    """gunicorn's (2 × cores) + 1, capped: each worker holds the analysis data (~150 MB).

    >>> default_workers(2), default_workers(8)
    (5, 12)
    """
    return min(2 * cpus + 1, 12)


# $WEB_CONCURRENCY (gunicorn's and most platforms' name for it) overrides the formula.
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers(cores()))
# Sync workers: the analysis is CPU-bound Python, so threads would only queue on the GIL;
# one request per process also lets `timeout` kill exactly the request that hung.
worker_class = "sync"
# A worker silent this long is killed and replaced. Above the longest wait for SQLite's
# write lock (the writers' queue 7.5 s, then SQLite's busy timeout 15 s), so a submit
# waiting its turn is never mistaken for a hung one.
timeout = 30
# SIGTERM (systemd's stop, Kubernetes): stop accepting, finish requests in flight, then exit.
graceful_timeout = 30

# Load the app once in the master and fork workers from it: a broken configuration fails
# at start, not in every worker; workers start at once and share the analysis data
# (see when_ready). The price: `kill -HUP` reloads settings but not code, so a deploy
# restarts the master. create_app opens no database connection (engines connect lazily),
# and post_fork drops any pool anyway, so no connection crosses a fork.
preload_app = True

# One line per request: the path only (never the query string, never the referrer, which
# carries the previous page's query string), with the request id the app echoes.
# moderation.path is the path with any credential in it hidden (moderation/logs.py).
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%(t)s %(h)s "%(m)s %({moderation.path}e)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
)
# The app's own lines (errors, warnings) carry the request id too.
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "moderation.logs.RequestIdFilter"}},
    "formatters": {
        "app": {"format": "[%(asctime)s] [%(process)d] [%(levelname)s] "
                          "rid=%(request_id)s %(name)s: %(message)s"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                  "formatter": "app", "filters": ["request_id"]},
        "access": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                   "formatter": "access"},
    },
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        "alembic": {"level": "WARNING"},  # its plugin notices at import are not news
    },
}
proc_name = "moderation"
# gunicorn 25+'s control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl), so two
# servers on one machine (staging beside production, the load bench) would take each
# other's. Signals do the same work: HUP reload, TERM graceful stop, TTIN/TTOU workers.
control_socket_disable = True

WARM_UP_TEXT = ("A short comment that loads every word list, the dictionnary and the "
                "offensive-language weights before any student is waiting for them "
                "(the misspelling builds the index of suggestions).")


def on_starting(server: Any) -> None:
    """Refuse to serve without the site's name: links in mail and on staff pages need it.

    Without it they would be built from each request's Host header, which whoever sends
    the request chooses (a link to evil.example carrying a student's token).
    """
    app = server.app.wsgi()
    config = getattr(app, "config", None)
    if config is not None and "moderation.analysis" in sys.modules \
            and not config.get("SERVER_NAME"):
        sys.exit("moderation: set MODERATION_SERVER_NAME to the site's host name, such as "
                 "moderation.school.edu (and MODERATION_PREFERRED_URL_SCHEME=https behind "
                 "HTTPS): links in mail and on the roster are built from it.")


def when_ready(server: Any) -> None:
    """In the master, before the first fork: load what every request needs, then freeze it.

    Workers then inherit it ready (no slow first submit) and share its pages;
    gc.freeze keeps the workers' garbage collector from writing to (and so copying) them.
    Also warns when rate limits would be counted per worker.
    """
    app = server.app.wsgi()
    if "moderation.analysis" in sys.modules:  # the moderation app, not some other app
        from moderation.analysis import analyze

        analyze(WARM_UP_TEXT)
    storage = str(getattr(app, "config", {}).get("RATELIMIT_STORAGE_URI", ""))
    if storage.startswith("memory://") and server.cfg.workers > 1:
        # Each worker would count alone: the sign-in throttle would allow N times its limit.
        server.log.warning("Rate limits are counted per worker (memory://); set "
                           "MODERATION_RATELIMIT_STORAGE_URI=redis://… to share them.")
    templates = getattr(app, "jinja_env", None)
    if templates is not None:
        for name in templates.list_templates(extensions=["html"]):
            templates.get_template(name)
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    """Drop any database connection inherited from the master: each worker opens its own."""
    app = server.app.wsgi()
    sqlalchemy = getattr(app, "extensions", {}).get("sqlalchemy")
    if sqlalchemy is not None:
        with app.app_context():
            for engine in sqlalchemy.engines.values():
                engine.dispose(close=False)
