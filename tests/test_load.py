"""The load bench, small: a few students submit for a few seconds and nothing is lost.

The same code as `bench/load.py` (real gunicorn, our gunicorn.conf.py, students signing
in and posting through the form, deliberate double submits), asserting the counts, not
the speed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.databases import postgres_database, sqlite_database
from bench.load_run import run_database
from tests.conftest import DATABASES, POSTGRES_URL

pytestmark = pytest.mark.server


@pytest.mark.parametrize("kind", DATABASES)
def test_every_answered_submit_is_stored_once_with_its_flags(kind: str, tmp_path: Path):
    if kind == "sqlite":
        database = sqlite_database(tmp_path)
    elif POSTGRES_URL:
        database = postgres_database(POSTGRES_URL, tmp_path)
    else:
        pytest.skip("set MODERATION_TEST_DATABASE_URL to run on PostgreSQL")
    (floor, run), _ = run_database(database, clients=[4], seconds=2, repeat=1, workers=2,
                                   processes=1, apps=["floor", "real"], double_every=3,
                                   progress=False)
    assert floor.counts.problems() == []  # the framework floor the bench compares with
    assert floor.counts.submissions == floor.counts.stored >= 8
    counts = run.counts
    assert counts.problems() == []
    assert counts.submissions == counts.stored >= 8
    assert counts.doubles >= 4  # each student's second post, then every third
    assert counts.flagged >= 1  # flags were written (and match a fresh analysis)
    assert counts.statuses.keys() == {303}
