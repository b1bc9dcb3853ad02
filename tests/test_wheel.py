"""Installed from a wheel, as a school deploys it: init-db, gunicorn, sign in, submit.

Builds the wheel, installs it into a fresh virtual environment, and runs it from a folder
outside the checkout, so nothing can come from the repository by accident.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.wheel


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """Just enough of a browser: cookies, and the CSRF token of the last page."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.page = ""

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            self.page = response.read().decode()
        return self.page

    def post(self, path: str, **fields: str) -> tuple[int, str]:
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', self.page)
        assert token, "no CSRF token on the page"
        data = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
        with self.opener.open(self.base + path, data=data, timeout=60) as response:
            self.page = response.read().decode()
            return response.status, response.url


def test_the_wheel_installs_and_serves(tmp_path: Path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    (tmp_path / "home").mkdir()
    if "PIP_INDEX_URL" in os.environ:
        env["PIP_INDEX_URL"] = os.environ["PIP_INDEX_URL"]
    dist, venv, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "site"
    elsewhere.mkdir()
    # setuptools stages files in build/ of the checkout: a stale one (a renamed module)
    # would end up in the wheel.
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT,
        cwd=elsewhere, env=env)
    [wheel] = dist.glob("moderation-*.whl")
    run(sys.executable, "-m", "venv", venv, cwd=elsewhere, env=env)
    run(venv / "bin" / "pip", "install", "-q", wheel, cwd=elsewhere, env=env)

    # Flask's rule for an installed package: the instance folder lives under the prefix.
    output = run(venv / "bin" / "moderation", "init-db", cwd=elsewhere, env=env)
    assert "Database ready" in output
    assert (venv / "var" / "moderation-instance" / "moderation.sqlite").is_file()
    seeded = run(venv / "bin" / "moderation", "seed-demo", cwd=elsewhere, env=env)
    password = re.search(r"student@demo\.example\.edu\s+password: (\S+)", seeded).group(1)

    port = free_port()
    # Without the site's name, the server refuses to start, and says what to set.
    refused = subprocess.run(
        [str(venv / "bin" / "gunicorn"), "-c", "python:moderation.gunicorn_conf",
         "--workers", "1", "--bind", f"127.0.0.1:{port}"], cwd=elsewhere, env=env,
        capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "MODERATION_SERVER_NAME" in refused.stderr
    env = {**env, "MODERATION_SERVER_NAME": f"127.0.0.1:{port}"}
    # The serving settings ship in the package: the same as `make serve` in a checkout.
    server = subprocess.Popen(
        [str(venv / "bin" / "gunicorn"), "-c", "python:moderation.gunicorn_conf",
         "--workers", "2", "--bind", f"127.0.0.1:{port}"], cwd=elsewhere, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        for _ in range(100):
            try:
                browser.get("/login")
                break
            except OSError:
                time.sleep(0.2)
        status, url = browser.post("/login", email="student@demo.example.edu",
                                   password=password)
        assert status == 200 and url.endswith("/")
        discussion = re.search(r'href="(/discussions/\d+)"',
                               browser.get(re.search(r'href="(/courses/\d+)"',
                                                     browser.page).group(1))).group(1)
        browser.get(discussion)
        token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"',
                          browser.page).group(1)
        body = ("Installed from the wheel, this comment goes through the whole pipeline: "
                "the banned list, the offensive model, spelling and readability all load "
                "from the package itself, not from a checkout of the repository.")
        status, url = browser.post(f"{discussion}/comments", body=body,
                                   submission_token=token)
        assert status == 200 and "#comment-" in url
        assert "Installed from the wheel" in browser.page
        with browser.opener.open(browser.base + "/static/vendor/pico.min.css") as css:
            assert css.status == 200
        with browser.opener.open(browser.base + "/healthz") as health:
            assert health.status == 200
            request_id = health.headers["X-Request-ID"]
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=30)
    assert "Traceback" not in log, log
    assert '"GET /healthz" 200 ' in log and f"rid={request_id}" in log, log
