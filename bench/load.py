"""Load without loss: our submit against the framework floor (and main), side by side.

Starts, on 127.0.0.1, under gunicorn with the gunicorn.conf.py and the same worker count:
the framework floor (`bench/floor.py`: Flask-Login session, Flask-WTF CSRF form, WTForms
validation, one ORM transaction writing a comment and an audit row), our app, and with
--baseline another checkout of it (`main`, on its own database at its own schema), each of
ours with a `moderation worker`; optionally the bare insert ceiling (`bench/ceiling.py`).
On SQLite (WAL, files in a temp folder) and, with --postgres, on PostgreSQL (emptied
first; main gets `<name>_main`). In each repetition every app is driven in turn by the
same number of clients for a bounded time (the order rotated each repetition), then each
gets a deadline burst: 300 new students submitting once, 50 at a time. The clients are
distinct students who sign in and submit 150-300-word comments through the real form.
Prints submissions/s, p50 and p99, the ratios (median of per-repetition ratios), the
bursts' times against the floor's, and the counts: every 2xx/3xx answer has exactly one
stored comment with its flags, no 5xx, no "database is locked", and double submits with
one token make one row.

    git -C /work/main archive main | tar -x -C /tmp/main-tree      # the "before" code,
    # migrated, seeded and counted by its own code (bench/baseline.py)
    .venv/bin/python bench/load.py --baseline /tmp/main-tree --clients 8 --seconds 12 \
        --ratelimit-storage redis://127.0.0.1:6379/14 \
        --postgres postgresql+psycopg://postgres@127.0.0.1/perf_load
    .venv/bin/python bench/load.py --seconds 5 --repeat 1 --clients 8 --burst 0 0  # a look

Exits 1 if any count shows a lost, doubled or broken row.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where bench/queue.py would stand in
# for the standard library's queue (which multiprocessing needs): the checkout goes there.
sys.path[0] = str(ROOT)

if TYPE_CHECKING:
    from bench.load_run import Burst, Run

# Client processes re-import this module (multiprocessing's spawn), so everything heavy
# (Flask, SQLAlchemy, the app) is imported inside main() and the functions it calls.

LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ROW_NAMES = {
    "ceiling": "bare Flask + SQLAlchemy insert (the ceiling)",
    "floor": "framework floor (Flask-Login, Flask-WTF CSRF, WTForms, comment + audit row)",
    "main": "our submit, baseline checkout (before)",
    "real": "our submit, this checkout (sign-in session, CSRF, analysis, flags)",
}


def duration(seconds: float) -> str:
    """12 ms, 198 ms, 3.4 s.

    >>> duration(0.0123), duration(3.42)
    ('12 ms', '3.4 s')
    """
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s"


def cell(runs: Sequence[Run]) -> str:
    """Median rate over the repeats, and p50/p99 over every timed submit of them."""
    from bench.load_run import median_rate, percentile

    latencies = [s for r in runs for s in r.latencies()]
    return (f"{median_rate(runs):,.0f}/s, p50 {duration(percentile(latencies, 50))}, "
            f"p99 {duration(percentile(latencies, 99))}")


def table(runs: Sequence[Run], clients: Sequence[int]) -> list[str]:
    """The figures, laid out as in issue #9."""
    columns = [(db, n) for db in LABELS if any(r.database == db for r in runs) for n in clients]
    header = [f"{LABELS[db]}{' WAL' if db == 'sqlite' else ''}, {n} clients" if i == 0
              else f"{LABELS[db]}, {n}" for i, (db, n) in enumerate(columns)]
    lines = ["| | " + " | ".join(header) + " |", "|---" * (len(columns) + 1) + "|"]
    groups = {(db, n, app): [r for r in runs if (r.database, r.clients, r.app) == (db, n, app)]
              for db, n in columns for app in ROW_NAMES}
    present = [app for app in ROW_NAMES if any(r.app == app for r in runs)]
    for app in present:
        lines.append(f"| {ROW_NAMES[app]} | " + " | ".join(
            cell(groups[db, n, app]) if groups[db, n, app] else "—" for db, n in columns) + " |")
    for app, reference in (("real", "floor"), ("main", "floor"), ("real", "main"),
                           ("real", "ceiling"), ("floor", "ceiling")):
        if app in present and reference in present:
            lines.append(f"| {app} / {reference} (median of per-repetition ratios) | "
                         + " | ".join(ratio(runs, db, n, app, reference)
                                      for db, n in columns) + " |")
    return lines


def ratio(runs: Sequence[Run], db: str, clients: int, app: str, reference: str) -> str:
    """The median over repetitions of the two apps' rates' ratio."""
    from bench.load_run import median_ratio

    value = median_ratio([r for r in runs if (r.database, r.clients) == (db, clients)],
                         app, reference)
    return "—" if value != value else f"{value:.2f}"


def burst_table(bursts: Sequence[Burst]) -> list[str]:
    """The deadline burst: time until every student's comment was answered, each app."""
    databases = [db for db in LABELS if any(b.database == db for b in bursts)]
    apps = [app for app in ROW_NAMES if any(b.app == app for b in bursts)]
    first = bursts[0]
    lines = [f"| burst: {first.students} students, {first.at_once} at a time | "
             + " | ".join(LABELS[db] for db in databases) + " |",
             "|---" * (len(databases) + 1) + "|"]
    medians: dict[tuple[str, str], float] = {}
    for app in apps:
        cells = []
        for db in databases:
            times = [b.seconds for b in bursts if (b.database, b.app) == (db, app)]
            stored = sum(b.counts.stored for b in bursts if (b.database, b.app) == (db, app))
            errors = sum(b.counts.server_errors + b.counts.network_errors
                         for b in bursts if (b.database, b.app) == (db, app))
            medians[db, app] = statistics.median(times)
            cells.append(f"{statistics.median(times):.2f} s (runs "
                         f"{', '.join(f'{t:.2f}' for t in times)}; {stored} stored, "
                         f"{errors} errors)")
        lines.append(f"| {ROW_NAMES[app]} | " + " | ".join(cells) + " |")
    for app in ("real", "main"):
        if app in apps and "floor" in apps:
            lines.append(f"| {app} time / floor time (median per repetition) | " + " | ".join(
                _burst_ratio(bursts, db, app) for db in databases) + " |")
    return lines


def _burst_ratio(bursts: Sequence[Burst], db: str, app: str) -> str:
    pairs: dict[int, dict[str, float]] = {}
    for b in bursts:
        if b.database == db:
            pairs.setdefault(b.repeat, {})[b.app] = b.seconds
    values = [p[app] / p["floor"] for p in pairs.values() if app in p and p.get("floor")]
    return f"{statistics.median(values):.2f}" if values else "—"


def counts_table(runs: Sequence[Run], clients: Sequence[int],
                 bursts: Sequence[Burst] = ()) -> list[str]:
    """The no-loss counts, summed over the repeats, for each app (and the bursts)."""
    from bench.no_loss import Counts

    columns = [(db, n) for db in LABELS if any(r.database == db for r in runs) for n in clients]
    columns += [(db, 0) for db in LABELS if any(b.database == db for b in bursts)]
    totals: dict[tuple[str, int, str], Counts] = {}
    for run in runs:
        totals.setdefault((run.database, run.clients, run.app), Counts()).add(run.counts)
    for burst in bursts:
        totals.setdefault((burst.database, 0, burst.app), Counts()).add(burst.counts)

    def show(c: Counts) -> str:
        rest = Counter({s: k for s, k in c.statuses.items() if not 200 <= s < 400})
        others = ", ".join(f"{k} × {s}" for s, k in sorted(rest.items())) or "none other"
        return (f"{c.submissions:,} answered, {c.stored:,} stored; lost {c.missing}, "
                f"doubled {c.doubled}, unanswered {c.stored_unanswered}, wrong "
                f"{c.wrong_comment}, flags unlike a fresh analysis {c.flags_wrong}; double "
                f"submits → one row {c.doubles_one_row} of {c.doubles}; 5xx "
                f"{c.server_errors}, failed connections {c.network_errors} ({others}); "
                f"locked {c.locked}, tracebacks {c.tracebacks}, audit orphans "
                f"{c.audit_orphans}")

    header = [f"{LABELS[db]}, {n} clients" if n else f"{LABELS[db]}, burst"
              for db, n in columns]
    apps = [app for app in ROW_NAMES if any(k[2] == app for k in totals)]
    lines = ["| counts, all runs | " + " | ".join(header) + " |",
             "|---" * (len(columns) + 1) + "|"]
    for app in apps:
        lines.append(f"| {app} | " + " | ".join(
            show(totals[db, n, app]) if (db, n, app) in totals else "—"
            for db, n in columns) + " |")
    return lines


def machine(workers: int, processes: int, clients: Sequence[int]) -> list[str]:
    """What the figures were measured on."""
    import gunicorn

    from moderation.gunicorn_conf import cores

    load = os.getloadavg()
    return [
        f"Machine: {cores()} cores ({platform.processor() or platform.machine()}), "
        f"load average {load[0]:.1f} at the start; Python {platform.python_version()}, "
        f"gunicorn {gunicorn.__version__} (sync workers, our gunicorn.conf.py), "
        f"SQLite {sqlite3.sqlite_version}.",
        f"Each app: {workers} gunicorn workers. Clients: {processes} processes of "
        f"{', '.join(f'{-(-n // processes)}' for n in clients)} threads "
        f"(http.client), started with the runs.",
    ]


def client_load(runs: Sequence[Run], cores: int) -> str:
    """How busy the client processes were: they must not be what limits the figures."""
    worst = max(max(r.client_cpu) / r.seconds for r in runs)
    share = max(sum(r.client_cpu) / r.seconds / cores for r in runs)
    verdict = ("the client is not the bottleneck" if worst < 0.7
               else "WARNING: a client process was near a full core; add --processes")
    return (f"Client CPU: at most {worst:.2f} of a core in any client process, at most "
            f"{share:.0%} of the machine in all ({verdict}).")


def main(argv: Sequence[str] | None = None) -> int:
    from bench.databases import postgres_database, sqlite_database
    from bench.load_run import RAISED_LIMITS, run_database
    from moderation.gunicorn_conf import cores, default_workers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="timed seconds per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--workers", type=int, default=default_workers(cores()),
                        help="gunicorn workers for each app (default: gunicorn.conf.py's)")
    parser.add_argument("--processes", type=int, default=max(2, 2 * cores()),
                        help="client processes (threads are spread over them)")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL "
                        "database, which is EMPTIED first")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--double-every", type=int, default=25,
                        help="every nth submit of a student is a deliberate double submit")
    parser.add_argument("--ratelimit-storage", default="memory://",
                        help="Flask-Limiter storage for the real app (e.g. redis://…)")
    parser.add_argument("--apps", nargs="+", choices=list(ROW_NAMES),
                        help="apps to run, in this order in each repetition (default: "
                        "floor, main with --baseline, real)")
    parser.add_argument("--baseline", metavar="DIR", type=Path,
                        help="another checkout of the project (e.g. `git archive main`), "
                        "run as the app 'main' beside this one, on its own database")
    parser.add_argument("--burst", type=int, nargs=2, metavar=("STUDENTS", "AT_ONCE"),
                        default=[300, 50], help="the deadline burst after each repetition "
                        "(0 0: none)")
    parser.add_argument("--jobs-redis", metavar="URL",
                        help="our apps' job queue on this Redis (default: their SQLite file)")
    args = parser.parse_args(argv)
    apps = args.apps or (["floor", "main", "real"] if args.baseline else ["floor", "real"])
    if "main" in apps and not args.baseline:
        parser.error("the app 'main' needs --baseline")
    if args.no_sqlite and not args.postgres:
        parser.error("--no-sqlite needs --postgres")

    lines = machine(args.workers, args.processes, args.clients)
    lines.append("Rate limits raised for the run: " + ", ".join(
        f"{k.removeprefix('MODERATION_')}={v}" for k, v in RAISED_LIMITS.items())
        + f" (storage {args.ratelimit_storage}).")
    lines.append(f"Runs: {args.seconds:g} s timed after each client signed in and posted once "
                 f"(untimed), {args.repeat} repeats; rate = median of the repeats, ratios = "
                 "median of per-repetition ratios; p50/p99 "
                 "over every timed single submit (each student's 2nd submit, then every "
                 f"{args.double_every}th, is a deliberate double: counted once in the "
                 "rate, not timed).")
    print("\n".join(lines), flush=True)
    lines.append(f"Apps (the order rotated by one each repetition): {', '.join(apps)}"
                 + (f" (main: {args.baseline})" if args.baseline else "") + "; each of ours "
                 "with a `moderation worker` beside it.")
    burst = tuple(args.burst) if args.burst[0] else None
    if burst:
        lines.append(f"Burst after each repetition: {burst[0]} new students each submit "
                     f"once, {burst[1]} at a time (signed in first, untimed); time = start "
                     "to the last answer.")
    runs: list[Run] = []
    bursts: list[Burst] = []
    with tempfile.TemporaryDirectory(prefix="moderation-load-") as scratch:
        databases = []
        if not args.no_sqlite:
            (Path(scratch) / "sqlite").mkdir()
            databases.append(sqlite_database(Path(scratch) / "sqlite"))
        if args.postgres:
            (Path(scratch) / "postgresql").mkdir()
            databases.append(postgres_database(args.postgres, Path(scratch) / "postgresql"))
        for database in databases:
            got, burst_runs = run_database(
                database, clients=args.clients, seconds=args.seconds, repeat=args.repeat,
                workers=args.workers, processes=args.processes, apps=apps,
                double_every=args.double_every, ratelimit_storage=args.ratelimit_storage,
                baseline=args.baseline, burst=burst, jobs_redis=args.jobs_redis)
            runs += got
            bursts += burst_runs
    print()
    print("\n".join(lines))
    print()
    print("\n".join(table(runs, args.clients)))
    print()
    if bursts:
        print("\n".join(burst_table(bursts)))
        print()
    print("\n".join(counts_table(runs, args.clients, bursts)))
    print()
    print(client_load(runs, cores()))
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}.")
    problems = [f"{r.database} {r.clients} {r.app} run {r.repeat}: {p}"
                for r in runs for p in r.counts.problems()]
    problems += [f"{b.database} burst {b.app} run {b.repeat}: {p}"
                 for b in bursts for p in b.counts.problems()]
    print("Each run's rate:")
    for key in dict.fromkeys((r.database, r.clients, r.app) for r in runs):
        rates = [r.rate for r in runs if (r.database, r.clients, r.app) == key]
        print(f"  {LABELS[key[0]]}, {key[1]} clients, {key[2]}: "
              f"{', '.join(f'{x:,.0f}' for x in rates)}/s (median "
              f"{statistics.median(rates):,.0f})")
    if problems:
        print("\nLOSS OR DAMAGE:\n  " + "\n  ".join(problems))
        return 1
    print("\nNo loss: every 2xx/3xx answer has exactly one stored row (its comment, with "
          "the flags a fresh analysis gives), no 5xx, no failed connection, no "
          '"database is locked", and every double submit made one row.')
    return 0


if __name__ == "__main__":
    sys.exit(main())
