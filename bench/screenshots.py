"""Refresh the README's screenshots from the browser journey: real pages, real data.

    .venv/bin/python bench/screenshots.py            # writes docs/screenshots/*.png
    .venv/bin/python bench/screenshots.py --out DIR  # somewhere else

Runs tests/browser/test_journey.py (Debian's Chromium, 1280 px wide) with its screenshots
sent to a scratch folder, then copies the two the README shows and checks each is 1280 px
wide and under 300 KB, so the repository does not grow a megabyte at every refresh.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The journey's screenshot name → the README's file name.
CHOSEN = {
    "discussion-live-feedback": "student-live-feedback.png",
    "queue": "instructor-queue.png",
}
WIDTH = 1280
MAX_BYTES = 300 * 1024


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, MODERATION_TEST_SCREENSHOTS=scratch)
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/browser/test_journey.py"], cwd=ROOT, env=env, check=False)
        if run.returncode:
            print("the journey failed: no screenshots written", file=sys.stderr)
            return run.returncode
        args.out.mkdir(parents=True, exist_ok=True)
        for name, target in CHOSEN.items():
            source = Path(scratch) / f"{name}.png"
            width, height = png_size(source)
            size = source.stat().st_size
            if width != WIDTH or size > MAX_BYTES:
                print(f"{name}: {width}×{height}, {size // 1024} KB: want {WIDTH} px wide "
                      f"and under {MAX_BYTES // 1024} KB", file=sys.stderr)
                return 1
            shutil.copyfile(source, args.out / target)
            print(f"{args.out / target}: {width}×{height}, {size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
