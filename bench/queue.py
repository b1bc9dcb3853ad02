"""Queue pages at class scale: 100,000 comments, 500 students, 40 discussions.

Builds the data directly (Core inserts, not the analysis pipeline: this measures the
pages), then times the course queue, a discussion queue and one comment's page through
the Flask test client, and a bulk approval of 500 comments. Prints medians; asserts
nothing.

    .venv/bin/python bench/queue.py                      # SQLite file in a temp folder
    .venv/bin/python bench/queue.py --database postgresql+psycopg://postgres@127.0.0.1/bench

The PostgreSQL database given is emptied first. To compare with another checkout (the code
before a change) on a machine others share, build a database with each, then time both
interleaved, a few runs of one and then of the other, page by page, each side warm:

    .venv/bin/python bench/queue.py --reuse --database URL \
        --baseline ../main --baseline-database BASELINE_URL
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where bench/queue.py would stand in
# for the standard library's queue (psycopg and multiprocessing import it): the checkout goes there.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import event, insert, select, text  # noqa: E402

from bench.comments import text_facts  # noqa: E402
from moderation import create_app  # noqa: E402
from moderation.extensions import db  # noqa: E402
from moderation.models import (  # noqa: E402
    Comment,
    Course,
    Discussion,
    Flag,
    Membership,
    User,
)

RULES = [("spelling", "note", 1), ("readability", "note", 1), ("too_short", "hold", 2),
         ("late", "note", 1), ("empty_citation", "hold", 2), ("copied", "hold", 2)]
WORDS = ["court", "treaty", "state", "signature", "withdrawal", "power", "evidence",
         "annexation", "peninsula", "minister", "report", "neutral", "institution", "verdict",
         "ratified", "jurisdiction"]


def build(app, comments: int, students: int, discussions: int) -> dict[str, int]:
    """Insert a course of the given size; return a few ids to visit."""
    rng = random.Random(7)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Tables and what came with them (the audit trigger's function): a clean slate.
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
        session = db.session
        session.execute(insert(User), [
            {"id": i, "email": f"u{i}@school.test", "display_name": f"Student {i}",
             "sortable_name": f"{i}, Student", "password_hash": "x",
             "session_token": f"tok{i}", "can_create_courses": i == 1}
            for i in range(1, students + 2)])
        session.execute(insert(Course), [{"id": 1, "title": "Bench", "code": "BENCH",
                                          "join_code": "BENCHJOIN", "policy": {}}])
        session.execute(insert(Membership), [
            {"course_id": 1, "user_id": i, "role": "instructor" if i == 1 else "student",
             "section": f"S{i % 5}"} for i in range(1, students + 2)])
        session.execute(insert(Discussion), [
            {"id": d, "course_id": 1, "title": f"Week {d}", "prompt": "Read and respond.",
             "state": "open", "due_at": now + timedelta(days=7 * d), "policy_overrides": {}}
            for d in range(1, discussions + 1)])
        batch, flags = [], []
        rejected: list[int] = []  # rejected by the instructor, not yet revised
        for cid in range(1, comments + 1):
            level = 0
            chosen = rng.sample(RULES, rng.choice((0, 0, 1, 1, 2, 3)))
            for rule, severity, lvl in chosen:
                flags.append({"comment_id": cid, "rule": rule, "severity": severity,
                              "message": f"{rule} message", "advice": "", "spans": [[0, 5]]})
                level = max(level, lvl)
            # A worked queue: most held comments decided, about 2% still waiting.
            status = rng.choices(("approved", "rejected", "pending"), (93, 5, 2))[0]
            words = rng.randint(20, 400)
            body = " ".join(rng.choices(WORDS, k=words)) + "."
            decided = {} if status == "pending" else {
                "decided_by_id": 1, "decided_at": now + timedelta(seconds=cid * 7 + 60)}
            # Some waiting comments revise one the instructor rejected (the reviewer filter).
            if status == "pending" and rejected and rng.random() < 0.3:
                decided["revision_of_id"] = rejected.pop(0)
            if status == "rejected":
                rejected.append(cid)
            batch.append({**decided,
                "id": cid, "discussion_id": rng.randint(1, discussions), "course_id": 1,
                "author_id": rng.randint(2, students + 1), "status": status,
                "body": body, **text_facts(body),
                "submitted_at": now + timedelta(seconds=cid * 7),
                "submission_token": f"s{cid}", "word_count": words, "flag_level": level,
                "metrics": {"words": words, "flesch_kincaid_grade": rng.uniform(5, 14),
                            "sentences": max(1, words // 18)},
            })
            if len(batch) == 5000:
                session.execute(insert(Comment), batch)
                session.execute(insert(Flag), flags)
                batch, flags = [], []
        if batch:
            session.execute(insert(Comment), batch)
            session.execute(insert(Flag), flags)
        session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        pending = session.scalar(select(Comment.id).where(Comment.status == "pending")
                                 .order_by(Comment.id).offset(300).limit(1))
        late = session.scalar(select(Comment.id).where(
            Comment.discussion_id == 3, Comment.parent_id.is_(None)).order_by(
            Comment.submitted_at.desc()).offset(100).limit(1))
        return {"comment": pending or 1, "discussion": 3, "late": late or 1}


def timed(client, url: str, runs: int) -> tuple[float, int]:
    """Median milliseconds over `runs` GETs (after one warm-up), and the queries of one."""
    statements = statements_of(client, url)
    return statistics.median(once(client, url) for _ in range(runs)), statements


def once(client, url: str) -> float:
    """Milliseconds of one GET."""
    return both(client, url)[0]


def both(client, url: str) -> tuple[float, float]:
    """Milliseconds of one GET: elapsed, and this process's CPU time (on SQLite the whole
    work, and far steadier than the clock on a machine others share)."""
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, url
    return elapsed, (time.process_time() - cpu) * 1000


def statements_of(client, url: str) -> int:
    """The statements one GET runs (after a warm-up GET)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    assert client.get(url).status_code == 200, url
    with client.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def ids_in(app) -> dict[str, int]:
    """The ids `build` returned, read back from a database it built."""
    with app.app_context():
        pending = db.session.scalar(select(Comment.id).where(Comment.status == "pending")
                                    .order_by(Comment.id).offset(300).limit(1))
        late = db.session.scalar(select(Comment.id).where(
            Comment.discussion_id == 3, Comment.parent_id.is_(None)).order_by(
            Comment.submitted_at.desc()).offset(100).limit(1))
        return {"comment": pending or 1, "discussion": 3, "late": late or 1}


def pages_of(ids: dict[str, int]) -> list[tuple[str, str]]:
    """The pages timed: every filter of the course queue, a discussion's queue, others."""
    return [
        ("course queue (pending, oldest first)", "/teach/courses/1/queue"),
        ("course queue (rejected)", "/teach/courses/1/queue?status=rejected"),
        ("course queue (approved)", "/teach/courses/1/queue?status=approved"),
        ("course queue (approved, most severe first)",
         "/teach/courses/1/queue?status=approved&sort=severity"),
        ("course queue (approved, severity hold)",
         "/teach/courses/1/queue?status=approved&severity=hold"),
        ("course queue (approved, rule)", "/teach/courses/1/queue?status=approved&rule=copied"),
        ("course queue (approved, section)", "/teach/courses/1/queue?status=approved&section=S3"),
        ("course queue (rule and section filters)",
         "/teach/courses/1/queue?status=approved&rule=copied&section=S3"),
        ("course queue (approved, one student)",
         "/teach/courses/1/queue?status=approved&student=42"),
        ("course queue (pending, revisions for me)", "/teach/courses/1/queue?reviewer=1"),
        ("course queue (approved, reviewer)", "/teach/courses/1/queue?status=approved&reviewer=1"),
        ("course queue (text search)", "/teach/courses/1/queue?status=approved&q=verdict"),
        # "verdict" is in 99% of the generated comments; a search usually finds a few.
        ("course queue (text search, no comment has it)",
         "/teach/courses/1/queue?status=approved&q=courthouse"),
        ("course queue (text search, most severe first)",
         "/teach/courses/1/queue?status=approved&q=verdict&sort=severity"),
        ("discussion queue", f"/teach/discussions/{ids['discussion']}/queue"),
        ("discussion queue (approved)",
         f"/teach/discussions/{ids['discussion']}/queue?status=approved"),
        ("discussion queue (approved, most severe first, rule)",
         f"/teach/discussions/{ids['discussion']}/queue?status=approved&sort=severity"
         "&rule=too_short"),
        ("discussion queue (approved, text search)",
         f"/teach/discussions/{ids['discussion']}/queue?status=approved&q=verdict"),
        ("one comment", f"/teach/comments/{ids['comment']}"),
        ("discussion page (2,500 comments), first page",
         f"/discussions/{ids['discussion']}"),
        ("discussion page, a later page",
         f"/discussions/{ids['discussion']}?at={ids['late']}"),
    ]


def logged_in(app):
    """A test client signed in as the course's instructor."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "tok1"  # the instructor (Flask-Login's id is the session token)
        session["_fresh"] = True
    return client


def serve(app) -> None:
    """Baseline side of a comparison: read "runs path" lines, answer "ms,ms,... queries"."""
    client = logged_in(app)
    print(json.dumps(ids_in(app)), flush=True)
    for line in sys.stdin:
        runs, path = line.split(" ", 1)
        path = path.strip()
        if runs == "0":
            print(json.dumps(statements_of(client, path)), flush=True)
        else:
            print(json.dumps([both(client, path) for _ in range(int(runs))]), flush=True)


def compare(app, args) -> None:
    """Time each page here and in the baseline checkout's process, interleaved."""
    env = {**os.environ, "PYTHONPATH": args.baseline}
    child = subprocess.Popen(
        [sys.executable, str(Path(args.baseline) / "bench" / "queue.py"), "--serve",
         "--database", args.baseline_database], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, env=env, cwd=args.baseline)
    assert child.stdin is not None and child.stdout is not None
    theirs = json.loads(child.stdout.readline())
    ids = ids_in(app)
    assert theirs == ids, (theirs, ids)
    client = logged_in(app)
    print(f"{'page (median ms; target <= 100 ms)':<54} {'before':>7} {'after':>7}  "
          f"{'CPU before':>10} {'after':>6}  statements")
    chunk = 3
    for label, path in pages_of(ids):
        if args.only not in label:
            continue
        child.stdin.write(f"0 {path}\n")  # and a warm-up, as here
        child.stdin.flush()
        their_statements = json.loads(child.stdout.readline())
        statements = statements_of(client, path)
        before: list[tuple[float, float]] = []
        after: list[tuple[float, float]] = []
        for _ in range(max(1, args.runs // chunk)):
            child.stdin.write(f"{chunk} {path}\n")
            child.stdin.flush()
            before += [tuple(t) for t in json.loads(child.stdout.readline())]
            after += [both(client, path) for _ in range(chunk)]
        medians = [statistics.median(t[i] for t in side) for side in (before, after)
                   for i in (0, 1)]
        print(f"{label:<54} {medians[0]:>7.1f} {medians[2]:>7.1f}  {medians[1]:>10.1f} "
              f"{medians[3]:>6.1f}  {their_statements:>3} -> {statements}")
    child.stdin.close()
    child.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL (emptied); default SQLite file")
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--discussions", type=int, default=40)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true",
                        help="time the course already in --database (built by this bench)")
    parser.add_argument("--baseline", help="another checkout, timed interleaved with this one")
    parser.add_argument("--baseline-database", help="the database built by the baseline")
    parser.add_argument("--only", default="", help="time only the pages whose label has this")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-queue-")
    os.environ["MODERATION_INSTANCE_PATH"] = folder
    url = args.database or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    if args.serve:
        serve(app)
        return
    if args.baseline:
        compare(app, args)
        return
    start = time.perf_counter()
    ids = ids_in(app) if args.reuse else build(app, args.comments, args.students,
                                                args.discussions)
    built = time.perf_counter() - start
    print(f"database: {url.split('://')[0]}, {args.comments:,} comments, {args.students} "
          f"students, {args.discussions} discussions (built in {built:.0f} s)")
    client = logged_in(app)
    pages = pages_of(ids)
    print(f"{'page':<54} {'median ms':>10} {'queries':>8}   (target: <= 100 ms)")
    for label, path in pages:
        median, queries = timed(client, path, args.runs)
        print(f"{label:<54} {median:>10.1f} {queries:>8}")
    with app.app_context():
        chosen = list(db.session.scalars(select(Comment.id).where(Comment.status == "pending")
                                         .order_by(Comment.id).limit(500)))
    start = time.perf_counter()
    response = client.post("/teach/courses/1/queue/bulk",
                           data={"ids": [str(i) for i in chosen], "status": "approved"})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 303
    with app.app_context():
        approved = db.session.scalar(select(db.func.count()).select_from(Comment).where(
            Comment.id.in_(chosen), Comment.status == "approved"))
    print(f"{'bulk approve of ' + str(len(chosen)) + ' comments':<54} {elapsed:>10.1f}"
          f"          (target: <= 1000 ms; {approved} approved)")


if __name__ == "__main__":
    main()
