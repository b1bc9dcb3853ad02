"""The baseline checkout's side of the load bench, run by its own code in a child process.

`bench/load.py --baseline DIR` runs another checkout (`main`) beside this one. Its database
must be migrated, seeded and counted by its own models: this checkout's models carry
columns its schema lacks (since migration 0011, `course.newcomer_approvals`). So a child
Python with PYTHONPATH=DIR, started from DIR, imports the baseline's own `bench` and
`moderation` and does each step with them (`bench.databases.prepare`,
`bench.classroom.seed_classroom`, `bench.no_loss.count_comments`), answering one JSON line
per request.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.databases import Database
from bench.load_client import Answer
from bench.no_loss import Counts

# The child: the baseline's code only (DIR first on the path, nothing of this checkout).
# Its stdout is the protocol, so whatever the baseline prints goes to stderr.
CHILD = r"""
import dataclasses, json, os, sys
protocol = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
from bench.classroom import seed_classroom
from bench.databases import Database, bench_app, prepare
from bench.load_client import Answer
from bench.no_loss import count_comments
from moderation.models import ModerationMode

def build(kind, values):
    names = {f.name for f in dataclasses.fields(kind)}
    return kind(**{k: v for k, v in values.items() if k in names})

database = app = None
for line in sys.stdin:
    request = json.loads(line)
    op = request["op"]
    if op == "open":
        values = dict(request["database"], folder=__import__("pathlib").Path(
            request["database"]["folder"]))
        database = build(Database, values)
        app = bench_app(database)
        answer = {}
    elif op == "prepare":
        prepare(database, app)
        answer = {}
    elif op == "seed":
        room = seed_classroom(app, request["count"], request["tag"],
                              ModerationMode(request["mode"]))
        answer = {"discussion_id": room.discussion_id,
                  "students": [[s.email, s.password] for s in room.students]}
    elif op == "count":
        counts = count_comments(app, request["discussion_id"],
                                [build(Answer, a) for a in request["answers"]])
        answer = dataclasses.asdict(counts)
        answer["statuses"] = {str(k): v for k, v in counts.statuses.items()}
    else:
        raise SystemExit(f"unknown request {op!r}")
    protocol.write(json.dumps(answer) + "\n")
    protocol.flush()
"""


class Baseline:
    """The baseline checkout's code, in a child process, on the baseline's database."""

    def __init__(self, root: Path, database: Database) -> None:
        env = {**os.environ, "PYTHONPATH": str(root)}
        self.child = subprocess.Popen(
            [sys.executable, "-c", CHILD], cwd=root, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        fields = dataclasses.asdict(database)
        self._ask({"op": "open", "database": {**fields, "folder": str(database.folder)}})

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.child.stdin is not None and self.child.stdout is not None
        self.child.stdin.write(json.dumps(request) + "\n")
        self.child.stdin.flush()
        line = self.child.stdout.readline()
        if not line:
            raise RuntimeError(f"the baseline's code failed at {request['op']!r} "
                               f"(exit code {self.child.wait()}); its output is above")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def prepare(self) -> None:
        """Empty the baseline's database and migrate it to the baseline's latest schema."""
        self._ask({"op": "prepare"})

    def seed(self, count: int, tag: str, mode: str) -> tuple[int, list[tuple[str, str]]]:
        """A class of `count` students: the discussion id and each (email, password)."""
        room = self._ask({"op": "seed", "count": count, "tag": tag, "mode": mode})
        return room["discussion_id"], [(e, p) for e, p in room["students"]]

    def count(self, discussion_id: int, answers: Sequence[Answer]) -> Counts:
        """The baseline's own no-loss counts of one discussion."""
        found = self._ask({"op": "count", "discussion_id": discussion_id,
                           "answers": [dataclasses.asdict(a) for a in answers]})
        names = {f.name for f in dataclasses.fields(Counts)}
        counts = Counts(**{k: v for k, v in found.items() if k in names})
        counts.statuses = Counter({int(k): v for k, v in found["statuses"].items()})
        return counts

    def close(self) -> None:
        """End the child (its stdin closes: it leaves its loop)."""
        if self.child.stdin is not None:
            self.child.stdin.close()
        try:
            self.child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
