"""Degrade, don't fail: Redis away means limits per worker; a database away means a 503 page."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event, func, select

from moderation.extensions import db
from moderation.models import Comment
from tests.conftest import PASSWORD, POSTGRES_URL

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once
TEXT = "The article argues that the court keeps its support among members, and I agree."


@pytest.fixture
def classroom(app, client, make_course, make_discussion, make_user, enrol):
    course = make_course()
    discussion = make_discussion(course)
    student = make_user("Sam Student")
    enrol(student, course)
    return course, discussion, student


def submit(client, discussion, text: str = TEXT, token: str = "tok-1"):
    return client.post(f"/discussions/{discussion.id}/comments",
                       data={"body": text, "submission_token": token})


@pytest.mark.parametrize("app_config", [{
    "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": CLOSED_PORT,
    "SUBMIT_RATE_LIMIT": "2 per minute", "PREVIEW_RATE_LIMIT": "2 per minute"}])
def test_with_redis_away_everything_works_and_is_still_limited_per_worker(
        app, client, make_course, make_discussion, caplog):
    caplog.set_level(logging.INFO)
    course = make_course()
    discussion = make_discussion(course)
    joined = client.post("/signup", data={"display_name": "Ada", "email": "ada@school.test",
                                          "password": PASSWORD, "join_code": course.join_code})
    assert joined.status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": "ada@school.test", "password": PASSWORD}
                       ).status_code == 302
    statuses = [submit(client, discussion, f"{TEXT} Take {n}.", f"t{n}").status_code
                for n in range(3)]
    assert statuses == [303, 303, 429]  # the limit holds, counted in this worker
    previews = [client.post(f"/discussions/{discussion.id}/preview",
                            json={"body": TEXT}).status_code for _ in range(3)]
    assert previews == [200, 200, 429]
    falling_back = [r for r in caplog.records if "falling back to in-memory" in r.getMessage()]
    # Said once when Redis goes (none here if an earlier test's app already switched this
    # process's limiter over), never on every request.
    assert len(falling_back) <= 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 2


def kept_form(page: str) -> dict[str, str]:
    """The fields the 503 page keeps, as its retry form would send them."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    text = re.search(r'<textarea id="body" name="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert text is not None
    fields["body"] = text.group(1)
    return fields


@pytest.mark.parametrize("db_kind", ["postgresql"])
def test_a_database_gone_in_the_middle_of_a_submit_answers_503_and_keeps_the_text(
        app, client, login_as, classroom, db_kind):
    """The server ends our connection just before the comment's INSERT (a restart)."""
    course, discussion, student = classroom
    login_as(student)
    raw = psycopg.connect(POSTGRES_URL.replace("postgresql+psycopg", "postgresql"),
                          autocommit=True)

    def cut(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO comment"):
            pid = conn.connection.dbapi_connection.info.backend_pid
            raw.execute("SELECT pg_terminate_backend(%s)", (pid,))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", cut)
    try:
        response = submit(client, discussion)
    finally:
        event.remove(engine, "before_cursor_execute", cut)
        raw.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "cannot reach its database" in response.text
    fields = kept_form(response.text)
    assert fields["body"] == TEXT and fields["submission_token"] == "tok-1"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0  # nothing half
    # The database is back: the kept form, sent again (twice), stores the comment once.
    again = client.post(f"/discussions/{discussion.id}/comments", data=fields)
    assert again.status_code == 303
    client.post(f"/discussions/{discussion.id}/comments", data=fields)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_a_database_file_gone_answers_503_pages_that_need_no_database(
        app, client, login_as, classroom, tmp_path: Path, db_kind):
    course, discussion, student = classroom
    login_as(student)
    database = tmp_path / "test.sqlite"
    with app.app_context():
        db.engine.dispose()
    database.rename(tmp_path / "moved.sqlite")  # SQLite now opens an empty file instead
    try:
        page = client.get(f"/discussions/{discussion.id}")
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        posted = submit(client, discussion)
        assert posted.status_code == 503
        assert kept_form(posted.text)["body"] == TEXT
        assert 'name="password"' not in client.post(
            "/login", data={"email": student.email, "password": PASSWORD}).text
    finally:
        with app.app_context():
            db.engine.dispose()
        database.unlink(missing_ok=True)
        (tmp_path / "moved.sqlite").rename(database)
    assert client.get(f"/discussions/{discussion.id}").status_code == 200
