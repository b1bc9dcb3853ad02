"""Where a submit's time goes: timed and profiled form posts through the test client.

Seeds a class (bench/classroom.py) on a scratch SQLite file (or --postgres URL, emptied
first), posts `--earlier` untimed comments through the real form (the discussion's size),
then times `--submits` more (session, CSRF, analysis, flags, fingerprints, audit,
grading: median, p90 and statements per submit), times `--previews` live-feedback
previews of a new 300-word draft, prints the process's RSS, and profiles `--profiled`
further submits with cProfile (top functions by own and by cumulative time). Every 25
posts, untimed, it runs the jobs then due, as the worker beside a server would.

    .venv/bin/python bench/profile_submit.py
    .venv/bin/python bench/profile_submit.py --earlier 1000 --profiled 0   # preview target
    .venv/bin/python bench/profile_submit.py --earlier 5000 --profiled 0   # flat with size?
    .venv/bin/python bench/profile_submit.py --earlier 0 --submits 10000 --profiled 0 \
        --students 200   # memory after 10,000 submits
    .venv/bin/python bench/profile_submit.py --postgres postgresql://postgres@127.0.0.1/bench_load
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/queue.py must not stand in for the standard library's queue



CHECKPOINTS = {1, 100, 1_000, 2_000, 5_000, 10_000, 20_000}
JOBS_EVERY = 25  # submits between two runs of the due jobs (a worker's pace under load)


def rss() -> int:
    """This process's resident memory in bytes."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main(argv: Sequence[str] | None = None) -> int:
    from sqlalchemy import event, func, select

    from bench.classroom import seed_classroom
    from bench.comments import Writer
    from bench.databases import bench_app, postgres_database, prepare, sqlite_database
    from bench.load_client import SUBMISSION_TOKEN, csrf_of
    from bench.load_run import RAISED_LIMITS
    from moderation.extensions import db
    from moderation.models import Comment

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--earlier", type=int, default=300,
                        help="untimed comments posted first (the discussion's size)")
    parser.add_argument("--submits", type=int, default=200, help="timed submits")
    parser.add_argument("--profiled", type=int, default=150,
                        help="submits under cProfile after the timed ones (0: no profile)")
    parser.add_argument("--previews", type=int, default=100, help="timed previews")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", metavar="FILE", help="also write the raw profile here")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database, "
                        "which is EMPTIED first")
    parser.add_argument("--ratelimit-storage", metavar="URL",
                        help="Flask-Limiter storage (e.g. redis://…, as in production)")
    args = parser.parse_args(argv)
    if args.ratelimit_storage:
        os.environ["MODERATION_RATELIMIT_STORAGE_URI"] = args.ratelimit_storage

    with tempfile.TemporaryDirectory(prefix="moderation-profile-") as scratch:
        folder = Path(scratch)
        database = (postgres_database(args.postgres, folder) if args.postgres
                    else sqlite_database(folder))
        # Read by create_app: limits raised for the run, as the load bench does.
        os.environ.update(RAISED_LIMITS, MODERATION_PREVIEW_RATE_LIMIT="1000000 per minute")
        app = bench_app(database)
        prepare(database, app)
        room = seed_classroom(app, args.students, "profile")
        clients = []
        for n, account in enumerate(room.students):
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            client.post("/login", data={"csrf_token": csrf_of(page), "email": account.email,
                                        "password": account.password})
            clients.append((client, Writer(n)))
        path = f"/discussions/{room.discussion_id}"

        def form(n: int) -> tuple[Any, dict[str, str]]:
            """The nth post's client and form, read off the discussion page as a browser would."""
            client, writer = clients[n % len(clients)]
            page = client.get(path).get_data(as_text=True)
            return client, {"csrf_token": csrf_of(page),
                            "submission_token": SUBMISSION_TOKEN.search(page)[1],
                            "body": writer.comment(), "parent_id": ""}

        def posted(answer: Any) -> None:
            if answer.status_code != 303:
                raise RuntimeError(f"submit answered {answer.status_code}")

        def work_jobs() -> None:
            """Run the jobs now due, untimed, as `moderation worker` beside a server would:
            left waiting, a fingerprint too common to keep is counted by every submit."""
            from moderation import jobs
            from moderation.services.jobs import due

            with app.app_context():
                waiting = due()
            for job_id in waiting:
                jobs.run(app, job_id)

        for n in range(args.earlier):
            client, data = form(n)
            posted(client.post(f"{path}/comments", data=data))
            if n % JOBS_EVERY == 0:
                work_jobs()

        # Only the POST is timed, counted and profiled: the page read for the tokens is not
        # part of a submit.
        statements = 0

        def count(*_: object) -> None:
            nonlocal statements
            statements += 1

        with app.app_context():
            engine = db.engine
        profile = cProfile.Profile()
        timed: list[float] = []
        memory = [(0, rss())]  # (timed submits so far, RSS)
        for n in range(args.submits + args.profiled):
            if n % JOBS_EVERY == 0:
                work_jobs()
            client, data = form(n)
            profiled = n >= args.submits
            if not profiled:
                event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            if profiled:
                profile.enable()
            answer = client.post(f"{path}/comments", data=data)
            if profiled:
                profile.disable()
            else:
                timed.append(time.perf_counter() - started)
                event.remove(engine, "before_cursor_execute", count)
                if len(timed) in CHECKPOINTS or len(timed) == args.submits:
                    memory.append((len(timed), rss()))
            posted(answer)

        # Live feedback: a 300-word draft, new each time, as a student types it.
        previews: list[float] = []
        submit_statements, statements = statements, 0
        for n in range(args.previews):
            client, writer = clients[n % len(clients)]
            page = client.get(path).get_data(as_text=True)
            draft = " ".join((writer.comment() + " " + writer.comment()).split()[:300])
            event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            answer = client.post(f"{path}/preview", json={"body": draft}, headers={
                "X-CSRFToken": csrf_of(page)})
            previews.append(time.perf_counter() - started)
            event.remove(engine, "before_cursor_execute", count)
            if answer.status_code != 200:
                raise RuntimeError(f"preview answered {answer.status_code}")
        with app.app_context():
            comments = db.session.scalar(select(func.count(Comment.id)))

    print(f"{database.label}: {args.students} students, {comments:,} comments in the "
          f"discussion at the end ({args.earlier:,} posted before the timed ones)")
    if timed:
        print(f"submit: median {statistics.median(timed) * 1000:.1f} ms, p90 "
              f"{statistics.quantiles(timed, n=10)[-1] * 1000:.1f} ms over {len(timed)} "
              f"posts; {submit_statements / len(timed):.1f} statements per submit")
    if previews:
        print(f"preview (300 words): median {statistics.median(previews) * 1000:.1f} ms over "
              f"{len(previews)}, {statements / len(previews):.1f} statements per preview")
    print("RSS of this process (the app and its test client, as one worker), after n timed "
          "submits: " + ", ".join(f"{n:,}: {size / 2**20:.0f} MB" for n, size in memory)
          + f"; at the end {rss() / 2**20:.0f} MB")
    if not args.profiled:
        return 0
    print(f"\nProfile of {args.profiled} more submits:")
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
