"""Worker processes for long commands: each with its own app, database connection and caches.

`moderation rescore --jobs N` checks batches in N processes (the analysis is CPU work,
and SQLite and PostgreSQL both let several readers work at once) while the command's
own process writes each batch's changes, so writes stay in one transaction at a time.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from flask import Flask

from moderation import db_setup
from moderation.extensions import db
from moderation.services.comments import rescore

_app: Flask | None = None
_scopes: rescore.Scopes | None = None


def _start(config: dict[str, Any]) -> None:
    """Create this worker's app (same database and settings as the command's): its
    settings and database only, since a worker reads and checks but serves no page."""
    global _app, _scopes
    from moderation import configured_app

    _app = configured_app(config)
    _app.app_context().push()
    db_setup.set_read_only(True)  # a worker only reads: it never takes SQLite's write lock
    _scopes = rescore.Scopes()  # discussions are read once per worker


def _check(course_id: int | None, first: int, last: int) -> list[rescore.Change]:
    assert _scopes is not None
    try:
        return rescore.check_range(course_id, first, last, _scopes)
    finally:
        db.session.rollback()  # end the read: each batch sees what earlier ones wrote


def checked_batches(config: dict[str, Any], course_id: int | None,
                    ranges: Iterator[tuple[int, int]], jobs: int
                    ) -> Iterator[list[rescore.Change]]:
    """Check the batches in `jobs` processes; yield their changes in order, a few ahead.

    At most 2 × jobs batches are in flight, so memory stays bounded however large the
    database; the caller writes each batch as it comes.
    """
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no shared pool
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start,
                             initargs=(config,)) as pool:
        pending: list[Future[list[rescore.Change]]] = []
        for first, last in ranges:
            pending.append(pool.submit(_check, course_id, first, last))
            if len(pending) >= 2 * jobs:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()
