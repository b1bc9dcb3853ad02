"""Load clients over plain http.client: students using the real form, or bare posts.

A student signs in through the sign-in form, reads the discussion page once for its CSRF
token, then submits comments through the real form, each with a fresh submission token
as a freshly rendered form would carry (the first one is the page's own). The 303 is not
followed: what is timed is the POST, as for the ceiling. A deliberate double submit sends
the same form on two connections at once, then reads both answers.

`client_process` runs several clients as threads in one process; the bench starts a few
such processes so the client side is not what limits the figures.
"""

from __future__ import annotations

import http.client
import multiprocessing.synchronize
import os
import re
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from bench.comments import Writer

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SUBMISSION_TOKEN = re.compile(r'name="submission_token" type="hidden" value="([^"]+)"')
COMMENT_ID = re.compile(r"#comment-(\d+)$")
NETWORK_ERRORS = (OSError, http.client.HTTPException)


@dataclass(frozen=True, slots=True)
class Answer:
    """One POST and what came back (status 0: the connection failed; see `error`)."""

    token: str
    status: int
    started: float  # time.monotonic(), the same clock in every process on Linux
    seconds: float
    comment_id: int | None = None  # from the Location header of a real submit
    double: bool = False
    error: str | None = None


@dataclass(frozen=True)
class ClientSpec:
    """Who a client is and what it posts to."""

    # "real" (a student, through our form), "floor" (a student of the framework floor,
    # bench/floor.py) or "ceiling" (bare inserts)
    kind: str
    host: str
    port: int
    seed: int
    discussion_id: int = 0
    email: str = ""
    password: str = ""
    double_every: int = 0  # every nth post is a deliberate double submit; 0: never


class Connection:
    """One keep-alive HTTP connection with the client's cookies."""

    def __init__(self, host: str, port: int, cookies: dict[str, str]) -> None:
        self.host, self.port, self.cookies = host, port, cookies
        self.conn = http.client.HTTPConnection(host, port, timeout=120)

    def send(self, method: str, path: str, fields: dict[str, str] | None = None,
             extra: dict[str, str] | None = None) -> None:
        """Send a request without waiting for its answer."""
        headers = {"Host": f"{self.host}:{self.port}", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body, headers)

    def receive(self) -> tuple[int, http.client.HTTPResponse, str]:
        """Read the answer to the last request sent; keep any cookie it sets."""
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if value and "expires=thu, 01 jan 1970" not in cookie.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response.status, response, text

    def fetch(self, method: str, path: str, fields: dict[str, str] | None = None,
              extra: dict[str, str] | None = None) -> tuple[int, http.client.HTTPResponse, str]:
        """Send a request and read its answer."""
        self.send(method, path, fields, extra)
        return self.receive()

    def reset(self) -> None:
        """Drop a broken connection; the next request opens a new one."""
        self.conn.close()
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)


class Client:
    """A student submitting through the form, or a bare poster for the ceiling."""

    def __init__(self, spec: ClientSpec) -> None:
        self.spec = spec
        self.cookies: dict[str, str] = {}
        self.main = Connection(spec.host, spec.port, self.cookies)
        self.other = Connection(spec.host, spec.port, self.cookies)  # for double submits
        self.writer = Writer(spec.seed)
        self.csrf = ""
        self.next_token = ""
        self.posts = 0

    def sign_in(self) -> None:
        """Sign in through the form and read the discussion page (real clients only)."""
        if self.spec.kind == "ceiling":
            return
        _, _, page = self.main.fetch("GET", "/login")
        status, _, _ = self.main.fetch("POST", "/login", {
            "csrf_token": csrf_of(page), "email": self.spec.email,
            "password": self.spec.password})
        if status != 302:
            raise RuntimeError(f"{self.spec.email} could not sign in ({status})")
        self.read_discussion()

    def read_discussion(self) -> str:
        """Read the discussion page: its CSRF token and its form's submission token."""
        path = (f"/discussions/{self.spec.discussion_id}" if self.spec.kind == "real"
                else "/discussion")
        status, _, page = self.main.fetch("GET", path)
        if status != 200:
            raise RuntimeError(f"the discussion page answered {status}")
        self.csrf = csrf_of(page)
        found = SUBMISSION_TOKEN.search(page)
        if not found:
            raise RuntimeError("no submission token on the discussion page")
        self.next_token = found.group(1)
        return page

    def token(self) -> str:
        """The page's own submission token first, then a fresh one per post."""
        token, self.next_token = self.next_token or secrets.token_urlsafe(24), ""
        return token

    def fields(self, token: str, body: str) -> tuple[str, dict[str, str]]:
        if self.spec.kind in ("real", "floor"):
            path = (f"/discussions/{self.spec.discussion_id}/comments"
                    if self.spec.kind == "real" else "/comments")
            return path, {"csrf_token": self.csrf, "body": body, "submission_token": token,
                          "parent_id": ""}
        return "/rows", {"token": token, "body": body}

    def post(self, token: str | None = None, body: str | None = None) -> list[Answer]:
        """Submit one comment (or, every nth time, the same form twice at once)."""
        self.posts += 1
        token = token or self.token()
        body = body or self.writer.comment()
        path, fields = self.fields(token, body)
        # The second post is a double, then every nth: each student makes at least one.
        double = (self.spec.kind != "ceiling" and self.spec.double_every > 0
                  and self.posts % self.spec.double_every == 2 % self.spec.double_every)
        if not double:
            return [self._one(self.main, path, fields, token)]
        started = time.monotonic()
        try:
            self.main.send("POST", path, fields)
            self.other.send("POST", path, fields)
        except NETWORK_ERRORS as error:
            self.main.reset()
            self.other.reset()
            return [Answer(token, 0, started, time.monotonic() - started, double=True,
                           error=type(error).__name__)]
        return [self._read(connection, token, started, double=True)
                for connection in (self.main, self.other)]

    def _one(self, connection: Connection, path: str, fields: dict[str, str],
             token: str) -> Answer:
        started = time.monotonic()
        try:
            connection.send("POST", path, fields)
        except NETWORK_ERRORS as error:
            connection.reset()
            return Answer(token, 0, started, time.monotonic() - started,
                          error=type(error).__name__)
        return self._read(connection, token, started)

    def _read(self, connection: Connection, token: str, started: float,
              double: bool = False) -> Answer:
        try:
            status, response, _ = connection.receive()
        except NETWORK_ERRORS as error:
            connection.reset()
            return Answer(token, 0, started, time.monotonic() - started, double=double,
                          error=type(error).__name__)
        seconds = time.monotonic() - started
        found = COMMENT_ID.search(response.getheader("Location") or "")
        return Answer(token, status, started, seconds,
                      int(found.group(1)) if found else None, double)


def csrf_of(page: str) -> str:
    """The CSRF token a page's form carries."""
    found = CSRF.search(page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def client_process(specs: list[ClientSpec], ready: Any,
                   go: multiprocessing.synchronize.Event, window: Any, results: Any) -> None:
    """Run clients as threads: sign in and post once each, report ready, then post until
    the window (start, end) set by the bench has passed; send back answers and CPU time."""
    answers: list[Answer] = []
    lock = threading.Lock()
    failures: list[str] = []
    warmed = threading.Barrier(len(specs) + 1)

    def run(spec: ClientSpec) -> None:
        mine: list[Answer] = []
        try:
            client = Client(spec)
            client.sign_in()
            mine += client.post()  # warm-up: both apps get the same one, untimed
        except Exception as error:  # noqa: BLE001 - reported to the bench below
            failures.append(f"{spec.email or spec.kind}: {error!r}")
            warmed.wait()
            return
        warmed.wait()
        go.wait()
        start, end = window[0], window[1]
        time.sleep(max(0.0, start - time.monotonic()))
        while time.monotonic() < end:
            mine += client.post()
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=run, args=(spec,)) for spec in specs]
    for thread in threads:
        thread.start()
    warmed.wait()
    ready.put((os.getpid(), failures[:]))
    before = os.times()
    for thread in threads:
        thread.join()
    after = os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    results.put((os.getpid(), answers, cpu, failures))


def burst_process(specs: list[ClientSpec], threads: int, ready: Any,
                  go: multiprocessing.synchronize.Event, window: Any, results: Any) -> None:
    """A deadline burst: every student signs in first (untimed), then at the window's
    start `threads` of them at a time each submit one comment; send back the answers."""
    clients: list[Client] = []
    failures: list[str] = []
    lock = threading.Lock()

    def sign_in(spec: ClientSpec) -> None:
        try:
            client = Client(spec)
            client.sign_in()
        except Exception as error:  # noqa: BLE001 - reported to the bench below
            failures.append(f"{spec.email or spec.kind}: {error!r}")
            return
        with lock:
            clients.append(client)

    def run_all(targets: list[Any], work: Any, width: int) -> None:
        pending = list(targets)

        def worker() -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    item = pending.pop()
                work(item)

        pool = [threading.Thread(target=worker) for _ in range(width)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()

    run_all(specs, sign_in, 16)
    ready.put((os.getpid(), failures[:]))
    answers: list[Answer] = []

    def submit(client: Client) -> None:
        got = client.post()
        with lock:
            answers.extend(got)

    go.wait()
    time.sleep(max(0.0, window[0] - time.monotonic()))
    before = os.times()
    run_all(clients, submit, threads)
    after = os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    results.put((os.getpid(), answers, cpu, failures))
