"""On PostgreSQL the app runs as a role that owns nothing: the audit log stays append-only."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from moderation.extensions import db
from moderation.models import CommentStatus, DiscussionState
from moderation.services import accounts, courses, discussions
from moderation.services.comments import decisions, posting
from tests.conftest import POSTGRES_URL, make_app, reset_postgres

pytestmark = pytest.mark.postgres

ERASERS = [
    "UPDATE audit_event SET action = 'forged'",
    "DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "DROP TABLE audit_event",
]


@pytest.fixture
def owner_app(tmp_path: Path):
    if not POSTGRES_URL:
        pytest.skip("set MODERATION_TEST_DATABASE_URL to run on PostgreSQL")
    app = make_app(POSTGRES_URL, tmp_path / "owner")
    reset_postgres(app)
    with app.app_context():
        upgrade()  # the migrations, as the owner runs them
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_app_role_works_and_cannot_erase_the_audit_log(owner_app, tmp_path):
    url = make_url(POSTGRES_URL)
    role = f"moderation_app_{url.database}"  # one per test database: runs may overlap
    with owner_app.app_context():
        db.session.execute(text(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} LOGIN; END IF; END $$"))
        db.session.commit()
    printed = owner_app.test_cli_runner().invoke(args=["db", "grants", role])
    assert printed.exit_code == 0, printed.output
    statements = [line for line in printed.output.splitlines() if line.startswith("GRANT")]
    assert 'GRANT SELECT, INSERT ON TABLE "audit_event" TO ' f'"{role}";' in statements
    with owner_app.app_context():
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()

    app = make_app(url.set(username=role).render_as_string(hide_password=False),
                   tmp_path / "app")
    with app.app_context():
        assert db.session.scalar(text("SELECT current_user")) == role
        # A day's work: accounts, a course, a discussion, a comment and a decision.
        teacher = accounts.create_user("t@school.test", "Teacher", "a long password",
                                       can_create_courses=True, verified=True)
        student = accounts.create_user("s@school.test", "Student", "a long password")
        course = courses.create_course(teacher, "Course", "ROLE1")
        courses.enrol(student, course)
        discussion = discussions.create_discussion(course, teacher, discussions.DiscussionFields(
            title="Week 1", prompt="Read and respond.", min_words=3))
        discussions.set_state(discussion, teacher, DiscussionState.OPEN)
        comment = posting.submit_comment(discussion, student, "A fair reading of the text.",
                                       "t1").comment
        decisions.approve(comment, teacher, comment.status)
        db.session.commit()
        assert comment.status == CommentStatus.APPROVED
        events = db.session.scalar(text("SELECT count(*) FROM audit_event"))
        assert events >= 4
        for statement in ERASERS:
            with pytest.raises(DBAPIError, match="permission denied|must be owner"):
                db.session.execute(text(statement))
            db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM audit_event")) == events
        db.session.remove()
        db.engine.dispose()


def test_even_the_owner_cannot_truncate_the_audit_log(owner_app):
    with owner_app.app_context():
        db.session.execute(text(
            "INSERT INTO audit_event (at, action) VALUES (now(), 'test.kept')"))
        db.session.commit()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("TRUNCATE audit_event"))
        db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM audit_event")) == 1


def test_on_sqlite_the_grants_command_says_there_are_none(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["db", "grants", "anyone"])
    assert result.exit_code != 0 and "SQLite has none" in result.output
