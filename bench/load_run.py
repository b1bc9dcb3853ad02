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
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import ceiling, floor, server
from bench.baseline import Baseline
from bench.classroom import FAST_PASSWORD_METHOD, seed_classroom
from bench.databases import Database, baseline_database, bench_app, prepare
from bench.load_client import Answer, ClientSpec, burst_process, client_process
from bench.no_loss import Counts, count_ceiling, count_comments, count_floor, scan_logs
from moderation.models import ModerationMode

# Raised for the run, and the output says so: each student posts far more than 10 comments
# a minute. (Signing in counts failures only: 32 students at one address need no raise.)
RAISED_LIMITS = {
    "MODERATION_SUBMIT_RATE_LIMIT": "1000000 per minute",
}
# "floor": the framework floor (bench/floor.py); "main": our submit as another checkout
# has it (--baseline, the code before a change), run beside ours.
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


def median_ratio(runs: Sequence[Run], app: str, reference: str) -> float:
    """The median over repetitions of (app's rate / reference's rate in the same
    repetition): each pair ran back to back, so a busy moment weighs on both."""
    pairs = {}
    for run in runs:
        pairs.setdefault(run.repeat, {})[run.app] = run.rate
    ratios = [apps[app] / apps[reference] for apps in pairs.values()
              if app in apps and apps.get(reference)]
    return statistics.median(ratios) if ratios else float("nan")


@contextmanager
def servers(database: Database, workers: int, apps: Sequence[str],
            ratelimit_storage: str, baseline: Path | None = None,
            jobs_redis: str | None = None) -> Iterator[dict[str, server.Server]]:
    """The apps under gunicorn with the gunicorn.conf.py and the same worker count; each
    of ours with a `moderation worker` beside it (as `make serve` runs it)."""
    secret = secrets.token_hex(16)
    with ExitStack() as stack:
        running = {}
        if "ceiling" in apps:
            running["ceiling"] = stack.enter_context(server.gunicorn(
                server.clean_env(DATABASE_URL=database.ceiling_url), database.folder / "logs",
                workers=workers, app="bench.ceiling:create_app()",
                name=f"{database.key}-ceiling"))
        if "floor" in apps:
            running["floor"] = stack.enter_context(server.gunicorn(
                server.clean_env(DATABASE_URL=database.ceiling_url, SECRET_KEY=secret),
                database.folder / "logs", workers=workers, app="bench.floor:create_app()",
                name=f"{database.key}-floor"))
        ours = [("real", database, server.ROOT)]
        if "main" in apps:
            if baseline is None:
                raise ValueError("the app 'main' needs a baseline checkout")
            ours.append(("main", baseline_database(database), baseline))
        for name, where, root in ours:
            if name not in apps:
                continue
            settings = dict(
                DATABASE_URL=where.app_url, SECRET_KEY=secret,
                MODERATION_INSTANCE_PATH=str(database.folder / f"instance-{name}"),
                MODERATION_RATELIMIT_STORAGE_URI=ratelimit_storage, **RAISED_LIMITS)
            if jobs_redis:
                settings["MODERATION_JOBS_REDIS_URL"] = jobs_redis
            if root != server.ROOT:
                settings["PYTHONPATH"] = str(root)
            env = server.clean_env(**settings)
            running[name] = stack.enter_context(server.gunicorn(
                env, database.folder / "logs", workers=workers, name=f"{database.key}-{name}",
                root=root))
            stack.enter_context(server.consumer(env, database.folder / "logs",
                                                name=f"{database.key}-{name}-worker",
                                                root=root))
        yield running


def drive(specs: Sequence[ClientSpec], seconds: float,
          processes: int) -> tuple[list[Answer], tuple[float, float], list[float]]:
    """Run the clients in `processes` processes; return answers, the window, CPU each."""
    chunks = [list(specs[i::processes]) for i in range(min(processes, len(specs)))]
    return _run_clients(client_process, [(chunk,) for chunk in chunks], seconds,
                        failed="start", start_timeout=300, end_timeout=seconds + 300)


def _run_clients(target: Callable[..., None], leading: Sequence[tuple[Any, ...]],
                 seconds: float, *, failed: str, start_timeout: float, end_timeout: float,
                 ) -> tuple[list[Answer], tuple[float, float], list[float]]:
    """Start a client process per `leading` arguments, wait until each is ready, start
    them at once (the window: `seconds` from then), collect answers and CPU; timed runs
    and bursts alike."""
    context = multiprocessing.get_context("spawn")  # no database connection crosses a fork
    ready, results = context.Queue(), context.Queue()
    go = context.Event()
    window = context.Array("d", 2)
    workers = [context.Process(target=target, args=(*lead, ready, go, window, results))
               for lead in leading]
    for worker in workers:
        worker.start()
    try:
        failures = []
        for _ in workers:
            failures += _next(ready, workers, start_timeout)[1]
        if failures:
            raise RuntimeError(f"clients could not {failed}: " + "; ".join(failures[:5]))
        start = time.monotonic() + 0.3
        window[0], window[1] = start, start + seconds
        go.set()
        answers: list[Answer] = []
        cpu = []
        for _ in workers:
            _, got, used, _ = _next(results, workers, end_timeout)
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


@dataclass
class Target:
    """One app under load: where it listens and how to seed, drive and count it."""

    name: str
    running: server.Server
    app: Any = None  # our app in this process, on the database this target writes to
    baseline: Baseline | None = None  # main's own code, in a child, on main's database
    engine: Any = None  # the ceiling's and the floor's


def targets(database: Database, running: dict[str, server.Server],
            apps: Sequence[str], baseline: Baseline | None = None) -> dict[str, Target]:
    """Every running app with what the bench needs to seed and count it."""
    found = {}
    for name in apps:
        target = Target(name, running[name])
        if name == "real":
            target.app = bench_app(database)
        elif name == "main":
            target.baseline = baseline
        else:
            target.engine = ceiling.engine_for(database.ceiling_url)
        found[name] = target
    return found


def specs_for(target: Target, count: int, tag: str, seed: int,
              double_every: int) -> tuple[list[ClientSpec], int | None]:
    """`count` fresh students of this app (a new course for ours), one client each."""
    host, port = target.running.host, target.running.port
    if target.baseline is not None:
        discussion_id, students = target.baseline.seed(count, tag, ModerationMode.FLAGGED.value)
        return [ClientSpec("real", host, port, seed=seed + n, discussion_id=discussion_id,
                           email=email, password=password, double_every=double_every)
                for n, (email, password) in enumerate(students)], discussion_id
    if target.name == "real":
        room = seed_classroom(target.app, count, tag, ModerationMode.FLAGGED)
        return [ClientSpec("real", host, port, seed=seed + n, discussion_id=room.discussion_id,
                           email=s.email, password=s.password, double_every=double_every)
                for n, s in enumerate(room.students)], room.discussion_id
    if target.name == "floor":
        password = secrets.token_urlsafe(12)
        emails = [f"student{n}-{tag}@floor.example" for n in range(count)]
        floor.add_users(target.engine, emails, password, FAST_PASSWORD_METHOD)
        return [ClientSpec("floor", host, port, seed=seed + n, email=e, password=password,
                           double_every=double_every) for n, e in enumerate(emails)], None
    return [ClientSpec("ceiling", host, port, seed=seed + n) for n in range(count)], None


def count_for(target: Target, discussion_id: int | None, answers: Sequence[Answer]) -> Counts:
    """The no-loss counts of one run of this app."""
    if target.baseline is not None:
        assert discussion_id is not None
        return target.baseline.count(discussion_id, answers)
    if target.name == "real":
        assert discussion_id is not None
        return count_comments(target.app, discussion_id, answers)
    if target.name == "floor":
        return count_floor(target.engine, answers)
    return count_ceiling(target.engine, answers)


def run_database(database: Database, *, clients: Sequence[int], seconds: float, repeat: int,
                 workers: int, processes: int, apps: Sequence[str] = APPS,
                 double_every: int = 25, ratelimit_storage: str = "memory://",
                 progress: bool = True, baseline: Path | None = None,
                 burst: tuple[int, int] | None = None, jobs_redis: str | None = None,
                 ) -> tuple[list[Run], list[Burst]]:
    """Every run on one database: for each repeat, for each client count each app in turn
    (interleaved, the order rotated each repetition), then the burst (students, at a time)
    of each app in turn."""
    prepare(database, bench_app(database))
    runs: list[Run] = []
    bursts: list[Burst] = []
    with ExitStack() as stack:
        side = None
        if "main" in apps:
            if baseline is None:
                raise ValueError("the app 'main' needs a baseline checkout")
            # Migrated, seeded and counted by the baseline's own code: this checkout's
            # models are not its schema.
            side = Baseline(baseline, baseline_database(database))
            stack.callback(side.close)
            side.prepare()
        running = stack.enter_context(servers(database, workers, apps, ratelimit_storage,
                                              baseline, jobs_redis))
        found = targets(database, running, apps, side)
        for rep in range(1, repeat + 1):
            # Each repetition starts with the next app, so none always runs first or last.
            order = list(apps[(rep - 1) % len(apps):]) + list(apps[:(rep - 1) % len(apps)])
            for count in clients:
                for name in order:
                    target = found[name]
                    specs, discussion_id = specs_for(
                        target, count, f"{database.key}-{name}-{count}-{rep}",
                        rep * 100_000 + count * 1_000, double_every)
                    mark = target.running.mark()
                    answers, window, cpu = drive(specs, seconds, processes)
                    run = Run(database.key, name, count, rep, seconds, answers, window, cpu)
                    run.counts = count_for(target, discussion_id, answers)
                    scan_logs(target.running.logs_since(mark), run.counts)
                    runs.append(run)
                    if progress:
                        print(describe(run, database), flush=True)
            if burst:
                for name in order:
                    if name == "ceiling":
                        continue
                    target = found[name]
                    specs, discussion_id = specs_for(
                        target, burst[0], f"{database.key}-{name}-burst-{rep}",
                        rep * 100_000 + 900_000, 0)
                    mark = target.running.mark()
                    answers, window, cpu = drive_burst(specs, burst[1], processes)
                    done = max((a.started + a.seconds for a in answers), default=window[0])
                    result = Burst(database.key, name, rep, burst[0], burst[1],
                                   done - window[0], answers)
                    result.counts = count_for(target, discussion_id, answers)
                    scan_logs(target.running.logs_since(mark), result.counts)
                    bursts.append(result)
                    if progress:
                        print(f"  {database.label:<10} burst {name:<7} run {rep}: "
                              f"{result.students} students, {result.at_once} at a time: "
                              f"{result.seconds:.2f} s ({result.counts.stored} stored)",
                              flush=True)
        for target in found.values():
            if target.engine is not None:
                target.engine.dispose()
    return runs, bursts


@dataclass
class Burst:
    """A deadline burst: every student submits once, `at_once` at a time."""

    database: str
    app: str
    repeat: int
    students: int
    at_once: int
    seconds: float  # from the start until the last answer
    answers: list[Answer]
    counts: Counts = field(default_factory=Counts)


def drive_burst(specs: Sequence[ClientSpec], at_once: int,
                processes: int) -> tuple[list[Answer], tuple[float, float], list[float]]:
    """Sign every student in, then have them submit once each, `at_once` at a time."""
    count = min(processes, len(specs))
    chunks = [list(specs[i::count]) for i in range(count)]
    widths = [at_once // count + (1 if i < at_once % count else 0) for i in range(count)]
    return _run_clients(burst_process, list(zip(chunks, widths, strict=True)), 0,
                        failed="sign in", start_timeout=600, end_timeout=600)


def describe(run: Run, database: Database) -> str:
    """One progress line for a run."""
    latencies = run.latencies()
    return (f"  {database.label:<10} {run.clients:>2} clients  {run.app:<7} run {run.repeat}: "
            f"{run.rate:8.1f}/s  p50 {percentile(latencies, 50) * 1000:7.1f} ms  "
            f"p99 {percentile(latencies, 99) * 1000:7.1f} ms  ({run.counts.posts} posts, "
            f"client CPU {max(run.client_cpu) / run.seconds:.2f} core max per process)")
