"""Fixtures: app → client → runner, login_as, and factories; every DB test runs on each database."""

from __future__ import annotations

import email
import email.message
import email.policy
import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from moderation import create_app
from moderation.extensions import db
from moderation.models import Course, Discussion, DiscussionState, Membership, Role, User, utcnow
from moderation.services import accounts, courses, discussions

POSTGRES_URL = os.environ.get("MODERATION_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("MODERATION_TEST_REDIS_URL")
PASSWORD = "correct horse battery"

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's FLASK_*, MODERATION_* and DATABASE_URL out of each test."""
    for key in list(os.environ):
        ours = key.startswith(("FLASK_", "MODERATION_")) or key in ("DATABASE_URL", "SECRET_KEY")
        if ours and not key.startswith("MODERATION_TEST_"):
            monkeypatch.delenv(key, raising=False)


def database_url(kind: str, tmp_path: Path) -> str:
    """Return the URL of an empty database of this kind, or skip."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    if not POSTGRES_URL:
        pytest.skip("set MODERATION_TEST_DATABASE_URL to run on PostgreSQL")
    return POSTGRES_URL


def reset_postgres(app: Flask) -> None:
    """Drop everything in the shared PostgreSQL test database."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def make_app(url: str, instance: Path, **config: object) -> Flask:
    """Create a test app on the given database."""
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        # A fast hash in tests; the production method is asserted in test_auth.
        "PASSWORD_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "moderation.test",
        # Each job runs as its transaction commits, in its own context, as the worker would.
        "JOBS_IMMEDIATE": True,
    }
    settings.update(config)
    os.environ["MODERATION_INSTANCE_PATH"] = str(instance)
    try:
        return create_app(settings)
    finally:
        del os.environ["MODERATION_INSTANCE_PATH"]


@pytest.fixture(params=DATABASES)
def db_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def app_config() -> dict[str, object]:
    """Extra config for the app fixture; override in a module to change it."""
    return {}


@pytest.fixture
def app(db_kind: str, tmp_path: Path, app_config: dict[str, object]) -> Iterator[Flask]:
    url = database_url(db_kind, tmp_path)
    app = make_app(url, tmp_path / "instance", **app_config)
    if db_kind == "postgresql":
        reset_postgres(app)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context for tests that call services directly."""
    with app.app_context():
        yield


def committed(obj):
    """Commit, reload and detach an object, so a test can hold it outside any app context."""
    db.session.commit()
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Return a factory of committed users with the password PASSWORD."""
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, *, instructor: bool = False, email: str | None = None,
             password: str | None = PASSWORD, verified: bool = True) -> User:
        n = next(counter)
        name = name or f"Student {n}"
        with app.app_context():
            user = accounts.create_user(email or f"user{n}@school.test", name, password,
                                        can_create_courses=instructor, verified=verified)
            return committed(user)

    return make


@pytest.fixture
def make_course(app: Flask, make_user: Callable[..., User]) -> Callable[..., Course]:
    """Return a factory of committed courses; the instructor is created unless given."""
    counter = iter(range(1, 10_000))

    def make(instructor: User | None = None, code: str | None = None) -> Course:
        instructor = instructor or make_user("Ina Structor", instructor=True)
        with app.app_context():
            course = courses.create_course(db.session.merge(instructor), "Course",
                                           code or f"C{next(counter)}")
            return committed(course)

    return make


@pytest.fixture
def enrol(app: Flask) -> Callable[..., Membership]:
    """Return a function that enrols a user in a course."""

    def do(user: User, course: Course, role: Role = Role.STUDENT) -> Membership:
        with app.app_context():
            membership = courses.enrol(db.session.merge(user), db.session.merge(course), role)
            db.session.commit()
            return membership

    return do


def instructor_of(app: Flask, course: Course) -> User:
    """Return the first instructor of a course."""
    with app.app_context():
        membership = db.session.scalars(
            db.select(Membership).where(Membership.course_id == course.id,
                                        Membership.role == Role.INSTRUCTOR)).first()
        user = membership.user
        db.session.expunge(user)
        return user


@pytest.fixture
def make_discussion(app: Flask) -> Callable[..., Discussion]:
    """Return a factory of committed discussions, open by default."""

    def make(course: Course, state: DiscussionState = DiscussionState.OPEN,
             **fields: object) -> Discussion:
        author = instructor_of(app, course)
        with app.app_context():
            course_row = db.session.merge(course)
            settings = {"title": "Week 1", "prompt": "Read the article and respond.",
                        "due_at": utcnow() + timedelta(days=7), "min_words": 3,
                        "max_words": 200, "reply_min_words": 2, "reply_max_words": 100}
            settings.update(fields)
            discussion = discussions.create_discussion(
                course_row, db.session.merge(author), discussions.DiscussionFields(**settings))
            if state != DiscussionState.DRAFT:
                discussions.set_state(discussion, db.session.merge(author), state)
            return committed(discussion)

    return make


@pytest.fixture
def login_as(client: FlaskClient, app: Flask) -> Callable[[User], None]:
    """Sign the test client in as a user (through the real sign-in form)."""

    def login(user: User) -> None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.text

    return login


@pytest.fixture
def inbox():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class Inbox(Sink):
        def __init__(self) -> None:
            self.messages: list[bytes] = []
            self.port = 0

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    handler.port = port
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield handler
    finally:
        server.stop()


def received(inbox) -> list[email.message.EmailMessage]:
    """The messages an inbox received, parsed, with their text in CRLF-free form."""
    return [email.message_from_bytes(raw, policy=email.policy.default)
            for raw in inbox.messages]


def link_in(message: email.message.EmailMessage) -> str:
    """The one link in a message, as a path the test client can open."""
    text = message.get_content().replace("\r\n", "\n")
    [url] = re.findall(r"https?://\S+", text)
    return url.split("moderation.test", 1)[1]


@pytest.fixture
def mailed(app, inbox):
    """Mail on: messages go to a real SMTP server on 127.0.0.1 (aiosmtpd) and are kept."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    return inbox
