"""Where a submit's time goes: cProfile over real form posts through the test client.

Seeds a class (bench/classroom.py) on a scratch SQLite file (or --postgres URL, emptied
first), lets each student post a few untimed comments so caches and the discussion are
warm, then profiles `--submits` posts through the real form (session, CSRF, analysis,
flags, fingerprints, audit, grading) and prints milliseconds per submit, statements per
submit, and the top functions by own time and by cumulative time.

    .venv/bin/python bench/profile_submit.py
    .venv/bin/python bench/profile_submit.py --earlier 1000 --submits 300
    .venv/bin/python bench/profile_submit.py --postgres postgresql://postgres@127.0.0.1/bench_load
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/queue.py must not stand in for the standard library's queue

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TOKEN = re.compile(r'name="submission_token" type="hidden" value="([^"]+)"')


def main(argv: Sequence[str] | None = None) -> int:
    from sqlalchemy import event

    from bench.classroom import seed_classroom
    from bench.comments import Writer
    from bench.databases import bench_app, postgres_database, prepare, sqlite_database
    from bench.load_run import RAISED_LIMITS
    from moderation.extensions import db

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--earlier", type=int, default=300,
                        help="untimed comments posted first (the discussion's size)")
    parser.add_argument("--submits", type=int, default=200, help="profiled submits")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", metavar="FILE", help="also write the raw profile here")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database, "
                        "which is EMPTIED first")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="moderation-profile-") as scratch:
        folder = Path(scratch)
        database = (postgres_database(args.postgres, folder) if args.postgres
                    else sqlite_database(folder))
        os.environ.update(RAISED_LIMITS)  # read by create_app; said so by the load bench too
        app = bench_app(database)
        prepare(database, app)
        room = seed_classroom(app, args.students, "profile")
        clients = []
        for n, account in enumerate(room.students):
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            client.post("/login", data={"csrf_token": CSRF.search(page)[1],  # type: ignore[index]
                                        "email": account.email, "password": account.password})
            clients.append((client, Writer(n)))
        path = f"/discussions/{room.discussion_id}"

        def post(n: int) -> None:
            client, writer = clients[n % len(clients)]
            page = client.get(path).get_data(as_text=True)
            answer = client.post(f"{path}/comments", data={
                "csrf_token": CSRF.search(page)[1],  # type: ignore[index]
                "submission_token": TOKEN.search(page)[1],  # type: ignore[index]
                "body": writer.comment(), "parent_id": ""})
            if answer.status_code != 303:
                raise RuntimeError(f"submit answered {answer.status_code}")

        for n in range(args.earlier):
            post(n)

        # Only the POST is profiled and counted: the page read for the tokens is not a submit.
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        with app.app_context():
            engine = db.engine
        profile = cProfile.Profile()
        spent = 0.0
        for n in range(args.submits):
            client, writer = clients[n % len(clients)]
            page = client.get(path).get_data(as_text=True)
            data = {"csrf_token": CSRF.search(page)[1],  # type: ignore[index]
                    "submission_token": TOKEN.search(page)[1],  # type: ignore[index]
                    "body": writer.comment(), "parent_id": ""}
            event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            profile.enable()
            answer = client.post(f"{path}/comments", data=data)
            profile.disable()
            spent += time.perf_counter() - started
            event.remove(engine, "before_cursor_execute", count)
            if answer.status_code != 303:
                raise RuntimeError(f"submit answered {answer.status_code}")

    print(f"{database.label}: {args.students} students, {args.earlier} earlier comments, "
          f"{args.submits} profiled submits")
    print(f"{spent / args.submits * 1000:.1f} ms per submit (under the profiler, which adds "
          f"to it), {statements / args.submits:.1f} statements per submit")
    if args.save:
        profile.dump_stats(args.save)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(order).print_stats(args.top)
        print(f"\nTop {args.top} by {order}:")
        print("\n".join(line for line in out.getvalue().splitlines()
                        if line.strip() and not line.startswith(("   Ordered", "         "))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
