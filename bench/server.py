"""A gunicorn server on 127.0.0.1 with our gunicorn.conf.py, for the bench and the tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
# What a child may inherit; nothing else of the caller's environment (FLASK_*,
# MODERATION_*, DATABASE_URL) leaks into the server by accident.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    """The environment for a server: the basics, plus exactly these settings."""
    env = {key: os.environ[key] for key in INHERITED if key in os.environ}
    env.update(settings)
    return env


@dataclass
class Server:
    """A running gunicorn: where it listens, its master process and its log files."""

    host: str
    port: int
    process: subprocess.Popen[bytes]
    access_log: Path
    error_log: Path

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def workers(self) -> list[int]:
        """The process ids of the master's workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def logs(self) -> str:
        """Everything the server has logged so far (access and error logs)."""
        return self.access_log.read_text(errors="replace") + self.error_log.read_text(
            errors="replace")

    def mark(self) -> tuple[int, int]:
        """Where the logs end now, to read what a run adds (`logs_since`)."""
        return self.access_log.stat().st_size, self.error_log.stat().st_size

    def logs_since(self, mark: tuple[int, int]) -> str:
        """What the server has logged since `mark`."""
        parts = []
        for path, offset in zip((self.access_log, self.error_log), mark, strict=True):
            with path.open("rb") as fh:
                fh.seek(offset)
                parts.append(fh.read().decode(errors="replace"))
        return "".join(parts)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM); kill the whole group if it takes too long."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.kill_group()

    def kill_group(self) -> None:
        """SIGKILL whatever is left of this server's process group (orphaned workers)."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def wait_until_up(base: str, path: str = "/healthz", timeout: float = 90,
                  process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll until the server answers 200, or raise (at once if its process has exited)."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{base}: the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(base + path, timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base} did not answer {path} within {timeout:.0f} s")
        time.sleep(0.2)


@contextmanager
def gunicorn(env: dict[str, str], log_dir: Path, *, workers: int | None = None,
             app: str | None = None, name: str = "server",
             ready_path: str = "/healthz", root: Path = ROOT) -> Iterator[Server]:
    """Run gunicorn with gunicorn.conf.py on a free port until the block ends (`root`:
    another checkout's app and settings, such as main's for a before/after bench)."""
    port = free_port()
    command = [str(GUNICORN), "-c", str(root / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    if app is not None:
        command.append(app)
    # The site's name links are built from: gunicorn refuses to serve without one.
    env = {"MODERATION_SERVER_NAME": f"127.0.0.1:{port}", **env}
    log_dir.mkdir(parents=True, exist_ok=True)
    access_log, error_log = log_dir / f"{name}.access.log", log_dir / f"{name}.error.log"
    with access_log.open("wb") as out, error_log.open("wb") as err:
        # Its own session (process group), so a crash test can kill master and workers.
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=err,
                                   start_new_session=True)
    server = Server("127.0.0.1", port, process, access_log, error_log)
    try:
        try:
            wait_until_up(server.base, ready_path, process=process)
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n{server.logs()[-3000:]}") from None
        yield server
    finally:
        server.stop()


@contextmanager
def consumer(env: dict[str, str], log_dir: Path, *, name: str = "worker",
             root: Path = ROOT) -> Iterator[subprocess.Popen[bytes]]:
    """Run `moderation worker` (the jobs' consumer) with these settings until the block ends."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{name}.log").open("wb") as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / "moderation"), "worker"],
                                   cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
