"""Time the whole pipeline on the worst inputs we could find, at 20,000 and 65,536 characters.

Prints milliseconds per input (the goal: 50 ms for any text up to MAX_COMMENT_CHARS,
20,000 characters) and asserts nothing. The inputs are defined in
tests/analysis/test_worst_cases.py, where the suite checks what they find.
Run with `.venv/bin/python bench/worst_case.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where bench/queue.py would stand in
# for the standard library's queue (psycopg and multiprocessing import it): the checkout goes there.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from moderation.analysis import analyze  # noqa: E402
from tests.analysis.test_worst_cases import WORST_CASES, worst_context  # noqa: E402

GOAL_MS = 50.0


def main() -> None:
    context = worst_context()
    # Load every dictionary and model once: a misspelling, a banned word, an unknown word.
    analyze("Warm up: I beleive this fuсking Kessenwald report is an idiot's.", context)
    print("worst cases: whole pipeline, analyze(text, context); median of 3 fresh texts, "
          "wall clock\nand (in brackets) this process's CPU time, which other work on a "
          "shared machine does not inflate")
    print(f"{'input':32s} {'20,000 chars':>22s} {'65,536 chars':>22s}")
    worst = worst_cpu = 0.0
    for name, make in WORST_CASES.items():
        row = []
        for size in (20_000, 65_536):
            wall, cpu = [], []
            for seed in (1, 2, 3):  # fresh text each time: nothing cached from the last
                text = make(size, seed)[:size]
                start, start_cpu = time.perf_counter(), time.process_time()
                analyze(text, context)
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            row.append((statistics.median(wall), statistics.median(cpu)))
        worst, worst_cpu = max(worst, row[0][0]), max(worst_cpu, row[0][1])
        flag = "" if row[0][0] <= GOAL_MS else "  over the goal"
        print(f"{name:32s} " + " ".join(f"{w:9.1f} ms ({c:5.1f} ms)" for w, c in row) + flag)
    print(f"\nworst at 20,000 characters: {worst:.1f} ms wall, {worst_cpu:.1f} ms CPU "
          f"(goal <= {GOAL_MS:.0f} ms)")


if __name__ == "__main__":
    main()
