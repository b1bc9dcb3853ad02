"""gunicorn settings for `make serve`: the package's own, so a wheel serves the same way.

Installed from the wheel: `gunicorn -c python:moderation.gunicorn_conf`.
"""

from moderation.gunicorn_conf import *  # noqa: F403
