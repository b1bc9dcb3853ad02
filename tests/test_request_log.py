"""Logs: one line per request with its id; no query strings, credentials or student text."""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bench import server
from bench.classroom import seed_classroom
from bench.databases import bench_app, prepare, sqlite_database
from bench.load_client import Client, ClientSpec
from moderation.extensions import db
from moderation.logs import QueryStringFilter, RequestIdFilter

SANE_ID = "lb-5f0c2a1e-request"


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client):
    assert client.get("/login", headers={"X-Request-ID": SANE_ID}).headers[
        "X-Request-ID"] == SANE_ID
    for bad in ("short", "two words here", 'quote"d-0123456789', "x" * 200):
        made = client.get("/login", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert made != bad and re.fullmatch(r"[0-9a-f]{32}", made)
    first, second = (client.get("/login").headers["X-Request-ID"] for _ in range(2))
    assert first != second


@pytest.mark.parametrize("path, logged", [
    ("/activate/abc.def", "/activate/<token>"),
    ("/activate/abc.def/", "/activate/<token>/"),
    ("/activate/abc.def/x/y", "/activate/<token>/x/y"),
    ("/invitations/abc", "/invitations/<token>"),
    ("/email/abc/", "/email/<token>/"),
    ("/discussions/7", "/discussions/7"),
])
def test_every_token_bearing_path_is_logged_masked_whatever_the_routing(app, client, path,
                                                                       logged):
    from flask import request

    from moderation.logs import LOGGED_PATH_KEY

    seen = []
    app.after_request(lambda response: seen.append(request.environ[LOGGED_PATH_KEY])
                      or response)
    client.get(path)
    assert seen == [logged]


def test_the_apps_own_log_lines_carry_the_request_id(app, caplog):
    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    app.testing = False  # let Flask log the exception as in production
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = app.test_client().get("/boom?q=private", headers={"X-Request-ID": SANE_ID})
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.name == app.logger.name]
    assert record.request_id == SANE_ID
    assert "private" not in record.getMessage()


def test_database_errors_never_carry_the_values_sent(app):
    body = "A student's words that must stay out of every log"
    with app.app_context(), pytest.raises(DBAPIError) as raised:
        db.session.execute(text("SELECT no_such_column WHERE :body IS NOT NULL"),
                           {"body": body})
    assert body not in str(raised.value)


def test_the_development_servers_request_lines_lose_their_query_string():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /signup?code=DEMO101 HTTP/1.1", "200", "-"), None)
    QueryStringFilter().filter(record)
    assert record.getMessage() == '"GET /signup HTTP/1.1" 200 -'


@pytest.mark.server
def test_under_gunicorn_each_request_has_one_line_with_its_id_and_nothing_private(
        tmp_path: Path):
    database = sqlite_database(tmp_path)
    app = bench_app(database)
    prepare(database, app)
    room = seed_classroom(app, 1, "logs")
    secret = secrets.token_hex(6)  # appears in a query string, a token and a comment
    env = server.clean_env(DATABASE_URL=database.app_url, SECRET_KEY=secrets.token_hex(16),
                           MODERATION_INSTANCE_PATH=str(tmp_path / "instance"))
    seen: dict[str, str] = {}  # request id → the path its line must show
    with server.gunicorn(env, tmp_path / "logs", workers=1, name="logs") as running:
        student = Client(ClientSpec("real", running.host, running.port, seed=1,
                                    discussion_id=room.discussion_id,
                                    email=room.students[0].email,
                                    password=room.students[0].password))
        student.sign_in()
        connection = student.main
        requests = [
            ("GET", f"/healthz?probe={secret}", None, {}, "/healthz"),
            ("GET", f"/activate/{secret}?again={secret}", None, {}, "/activate/<token>"),
            # A path no route matches (a 404) still hides the token it carries.
            ("GET", f"/activate/{secret}/", None, {}, "/activate/<token>/"),
            ("GET", f"/invitations/{secret}/more", None, {}, "/invitations/<token>/more"),
            ("GET", f"/email/{secret}", None, {}, "/email/<token>"),
            ("POST", f"/discussions/{room.discussion_id}/comments?from={secret}",
             {"csrf_token": student.csrf, "submission_token": student.token(),
              "body": f"My comment mentions {secret} in the middle of a long sentence "
                      "about the proposal, which the logs must never repeat."},
             {"X-Request-ID": SANE_ID}, f"/discussions/{room.discussion_id}/comments"),
        ]
        for method, path, fields, headers, logged in requests:
            status, response, _ = connection.fetch(method, path, fields, headers)
            assert status < 500
            seen[response.getheader("X-Request-ID")] = logged
        assert SANE_ID in seen  # kept as the load balancer sent it
    logs = running.logs()
    assert secret not in logs
    access = running.access_log.read_text().splitlines()
    assert not [line for line in access if "?" in line]
    for request_id, path in seen.items():
        [line] = [line for line in access if line.endswith(f"rid={request_id}")]
        assert f" {path}\" " in line


@pytest.mark.server
def test_under_gunicorn_the_apps_own_lines_carry_the_request_id(tmp_path: Path):
    """A database that does not answer: /healthz says 503 and the app logs why, with the id."""
    env = server.clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/no-such-folder/db.sqlite",
                           SECRET_KEY=secrets.token_hex(16),
                           MODERATION_INSTANCE_PATH=str(tmp_path / "instance"))
    with server.gunicorn(env, tmp_path / "logs", workers=1, name="down",
                         ready_path="/login") as running:
        client = Client(ClientSpec("ceiling", running.host, running.port, seed=1))
        status, response, _ = client.main.fetch("GET", "/healthz")
        assert status == 503
        request_id = response.getheader("X-Request-ID")
    [line] = [line for line in running.error_log.read_text().splitlines()
              if "health check" in line]
    assert f"rid={request_id} " in line and "[WARNING]" in line
    assert "OperationalError" in line


@pytest.mark.server
def test_gunicorn_refuses_to_serve_without_the_sites_name(tmp_path: Path):
    """Links would otherwise come from each request's Host header, chosen by its sender."""
    env = server.clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite",
                           SECRET_KEY=secrets.token_hex(16), MODERATION_SERVER_NAME="",
                           MODERATION_INSTANCE_PATH=str(tmp_path / "instance"))
    with pytest.raises(RuntimeError, match="MODERATION_SERVER_NAME"), server.gunicorn(
            env, tmp_path / "logs", workers=1, name="unnamed"):
        pass


def test_outside_tests_mail_links_never_use_the_request_host(app):
    from moderation.services import mail

    app.config.update(TESTING=False, SERVER_NAME=None, MAIL_SERVER="127.0.0.1")
    with app.test_request_context("/", base_url="http://evil.example"):
        assert mail.link("revise", comment_id=7) is None
        assert not mail.enabled()  # so sign-up falls back to what works without mail
    app.config.update(SERVER_NAME="moderation.school.edu")
    with app.test_request_context("/", base_url="http://evil.example"):
        assert mail.link("revise", comment_id=7) == \
            "http://moderation.school.edu/comments/7/revise"
