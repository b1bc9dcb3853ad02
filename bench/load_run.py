"""Running the load bench on one database: servers, classes, clients, counts.

`bench/load.py` prints the figures; the tests call `run_database` with a few clients for
a few seconds and assert the counts.
"""

from __future__ import annotations

import multiprocessing
import queue
import secrets
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench import ceiling, server
from bench.classroom import seed_classroom
from bench.databases import Database, bench_app, prepare
from bench.load_client import Answer, ClientSpec, client_process
from bench.no_loss import Counts, count_ceiling, count_comments, scan_logs
from moderation.models import ModerationMode

# Raised for the run, and the output says so: each student posts far more than 10 comments
# a minute. (Signing in counts failures only: 32 students at one address need no raise.)
RAISED_LIMITS = {
    "MODERATION_SUBMIT_RATE_LIMIT": "1000000 per minute",
}
APPS = ("ceiling", "real")


@dataclass
class Run:
    """One timed run of one app with some clients."""

    database: str
    app: str
    clients: int
    repeat: int
    seconds: float
    answers: list[Answer]
    window: tuple[float, float]
    client_cpu: list[float]  # CPU seconds of each client process
    counts: Counts = field(default_factory=Counts)

    def timed(self) -> list[Answer]:
        """Answers to requests that started and finished inside the timed window."""
        start, end = self.window
        return [a for a in self.answers if a.started >= start and a.started + a.seconds <= end]

    @property
    def rate(self) -> float:
        """Submissions per second: distinct tokens answered 2xx/3xx in the window."""
        return len({a.token for a in self.timed() if 200 <= a.status < 400}) / self.seconds

    def latencies(self) -> list[float]:
        """Seconds per single submit (double submits are not timed)."""
        return [a.seconds for a in self.timed() if not a.double and a.status]


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median_rate(runs: Sequence[Run]) -> float:
    return statistics.median(r.rate for r in runs)


@contextmanager
def servers(database: Database, workers: int, apps: Sequence[str],
            ratelimit_storage: str) -> Iterator[dict[str, server.Server]]:
    """Both apps under gunicorn with our gunicorn.conf.py and the same worker count."""
    secret = secrets.token_hex(16)
    with ExitStack() as stack:
        running = {}
        if "ceiling" in apps:
            running["ceiling"] = stack.enter_context(server.gunicorn(
                server.clean_env(DATABASE_URL=database.ceiling_url), database.folder / "logs",
                workers=workers, app="bench.ceiling:create_app()",
                name=f"{database.key}-ceiling"))
        if "real" in apps:
            running["real"] = stack.enter_context(server.gunicorn(
                server.clean_env(DATABASE_URL=database.app_url, SECRET_KEY=secret,
                                 MODERATION_INSTANCE_PATH=str(database.folder / "instance"),
                                 MODERATION_RATELIMIT_STORAGE_URI=ratelimit_storage,
                                 **RAISED_LIMITS),
                database.folder / "logs", workers=workers, name=f"{database.key}-real"))
        yield running


def drive(specs: Sequence[ClientSpec], seconds: float,
          processes: int) -> tuple[list[Answer], tuple[float, float], list[float]]:
    """Run the clients in `processes` processes; return answers, the window, CPU each."""
    context = multiprocessing.get_context("spawn")  # no database connection crosses a fork
    ready, results = context.Queue(), context.Queue()
    go = context.Event()
    window = context.Array("d", 2)
    chunks = [list(specs[i::processes]) for i in range(min(processes, len(specs)))]
    workers = [context.Process(target=client_process, args=(chunk, ready, go, window, results))
               for chunk in chunks]
    for worker in workers:
        worker.start()
    try:
        failures = []
        for _ in workers:
            failures += _next(ready, workers, 300)[1]
        if failures:
            raise RuntimeError("clients could not start: " + "; ".join(failures[:5]))
        start = time.monotonic() + 0.3
        window[0], window[1] = start, start + seconds
        go.set()
        answers: list[Answer] = []
        cpu = []
        for _ in workers:
            _, got, used, _ = _next(results, workers, seconds + 300)
            answers += got
            cpu.append(used)
    finally:
        go.set()
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
    return answers, (window[0], window[1]), cpu


def _next(channel: Any, workers: Sequence[Any], timeout: float) -> Any:
    """The next message from client processes; fail at once if one of them died."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return channel.get(timeout=1)
        except queue.Empty:
            dead = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(f"client processes failed (exit codes {dead})") from None


def run_database(database: Database, *, clients: Sequence[int], seconds: float, repeat: int,
                 workers: int, processes: int, apps: Sequence[str] = APPS,
                 double_every: int = 25, ratelimit_storage: str = "memory://",
                 progress: bool = True) -> list[Run]:
    """Every run on one database: for each repeat and client count, each app in turn."""
    app = bench_app(database)
    prepare(database, app)
    runs = []
    ceiling_engine = ceiling.engine_for(database.ceiling_url)
    with servers(database, workers, apps, ratelimit_storage) as running:
        for rep in range(1, repeat + 1):
            for count in clients:
                for name in apps:
                    target = running[name]
                    if name == "real":
                        room = seed_classroom(app, count, f"{database.key}-{count}-{rep}",
                                              ModerationMode.FLAGGED)
                        specs = [ClientSpec("real", target.host, target.port,
                                            seed=rep * 100_000 + count * 1_000 + n,
                            discussion_id=room.discussion_id, email=s.email,
                            password=s.password, double_every=double_every)
                            for n, s in enumerate(room.students)]
                    else:
                        specs = [ClientSpec("ceiling", target.host, target.port, seed=n)
                                 for n in range(count)]
                    mark = target.mark()
                    answers, window, cpu = drive(specs, seconds, processes)
                    run = Run(database.key, name, count, rep, seconds, answers, window, cpu)
                    run.counts = (count_comments(app, room.discussion_id, answers)
                                  if name == "real" else count_ceiling(ceiling_engine, answers))
                    scan_logs(target.logs_since(mark), run.counts)
                    runs.append(run)
                    if progress:
                        print(describe(run, database), flush=True)
    ceiling_engine.dispose()
    return runs


def describe(run: Run, database: Database) -> str:
    """One progress line for a run."""
    latencies = run.latencies()
    return (f"  {database.label:<10} {run.clients:>2} clients  {run.app:<7} run {run.repeat}: "
            f"{run.rate:8.1f}/s  p50 {percentile(latencies, 50) * 1000:7.1f} ms  "
            f"p99 {percentile(latencies, 99) * 1000:7.1f} ms  ({run.counts.posts} posts, "
            f"client CPU {max(run.client_cpu) / run.seconds:.2f} core max per process)")
