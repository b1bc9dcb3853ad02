"""Analysis works with the network off: nothing downloads at run time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Any attempt to reach the network fails loudly, in this process and in any child it starts.
GUARD = '''
import socket

def _refuse(*args, **kwargs):
    raise OSError("network access attempted while offline")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
'''

SCRIPT = '''
import json, sys
from moderation.analysis import Context, analyze
text = sys.stdin.read()
result = analyze(text, Context(prompt="Astrava left the court."))
print(json.dumps(result.to_dict()))
'''

TEXT = ("According to , Astrava beleive the court is weak. You are an idiot. "
        "Email me at sam@example.com. " * 3)


def run_offline(tmp_path: Path, prefix: list[str]) -> dict:
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    home = tmp_path / "home"  # no ~/.cache, no nltk_data: nothing prepared earlier helps
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PYTHONPATH": os.pathsep.join([str(guard_dir), str(Path.cwd())]),
        "NLTK_DATA": str(tmp_path / "no-nltk"),
    }
    done = subprocess.run([*prefix, sys.executable, "-c", SCRIPT], input=TEXT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def check(result: dict) -> None:
    assert result["decision"] == "hold"
    assert result["metrics"]["words"] > 0 and result["metrics"]["syllables"] > 0
    rules = {f["rule"] for f in result["findings"]}
    assert {"empty_citation", "spelling", "offensive", "personal_info"} <= rules


def test_analysis_runs_with_sockets_refused(tmp_path):
    check(run_offline(tmp_path, []))


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0,
                    reason="needs unshare and root for a network namespace")
def test_analysis_runs_in_a_namespace_with_no_network(tmp_path):
    """A real network namespace: only a down loopback, no route anywhere."""
    check(run_offline(tmp_path, ["unshare", "--net"]))


def test_the_guard_really_refuses_connections(tmp_path):
    """The offline guard is not a no-op: a connection attempt fails with its message."""
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    done = subprocess.run(
        [sys.executable, "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9')"],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(guard_dir)},
        capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "network access attempted while offline" in done.stderr
