"""Count the actions of the instructor's whole job for a class of 30, by mouse and keyboard.

    .venv/bin/python bench/whole_job.py

Runs tests/browser/test_whole_job.py (Debian's Chromium, 1280 px wide): moderate 30 waiting
comments (3 held by rules), accept the suggested grades, grade one by hand, release, download
the Canvas file and check it; once with the mouse alone, once with the keyboard alone (each
Tab counted). Prints the two counts the test measured, and whether the test met its targets
(mouse at most 25 actions, keyboard no more than mouse).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Run the journey and print its counts."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:logging", "-p", "no:cacheprovider",
         "tests/browser/test_whole_job.py"], cwd=ROOT, capture_output=True, text=True)
    counts = [line for line in done.stdout.splitlines() if line.startswith("whole job")]
    if not counts:
        print(done.stdout[-3000:], done.stderr[-2000:], sep="\n")
        return 1
    print(counts[-1])
    print("targets met" if done.returncode == 0 else "targets NOT met (see the test's output)")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
