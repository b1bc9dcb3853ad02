"""The console commands: demo, instructors, passwords."""

from __future__ import annotations

import re
import subprocess
import sys

from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Course, Flag, User
from moderation.services import accounts


def password_in(output: str, email: str) -> str:
    return re.search(rf"{re.escape(email)}\s+password: (\S+)", output).group(1)


def test_seed_demo_prints_working_credentials_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    instructor_pw = password_in(first.output, "instructor@demo.example.edu")
    student_pw = password_in(first.output, "student@demo.example.edu")
    client = app.test_client()
    for email, password in (("instructor@demo.example.edu", instructor_pw),
                            ("student@demo.example.edu", student_pw)):
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302
        client.post("/logout")

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "is loaded" in again.output
    assert instructor_pw not in again.output and "reset-password" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Course)) == 1
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 4


def test_demo_comments_exercise_the_queue(app, runner):
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        statuses = dict(db.session.execute(
            select(User.email, Comment.status).join(Comment.author)).all())
        assert statuses["student@demo.example.edu"] == CommentStatus.PENDING  # too short
        reply = db.session.scalar(select(Comment).where(Comment.parent_id.is_not(None)))
        assert reply is not None and reply.status == CommentStatus.APPROVED
        rules = set(db.session.scalars(select(Flag.rule)))
        assert "too_short" in rules
        words = sorted(db.session.scalars(select(Comment.word_count)))
        assert words[0] < 25 and 160 <= words[-1] <= 200


def test_reset_password(app, runner, make_user):
    user = make_user()
    result = runner.invoke(args=["reset-password", user.email.upper()])
    assert result.exit_code == 0, result.output
    new = result.output.strip().split()[-1]
    with app.app_context():
        assert accounts.authenticate(user.email, new) is not None
    result = runner.invoke(args=["reset-password", "nobody@school.test"])
    assert result.exit_code != 0 and "No account" in result.output


def test_create_instructor(app, runner):
    result = runner.invoke(args=["create-instructor", "prof@school.test", "--name", "Pat Prof"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().split()[-1]
    with app.app_context():
        user = accounts.authenticate("prof@school.test", password)
        assert user is not None and user.can_create_courses


def test_console_script_is_the_same_group(tmp_path):
    """`moderation --help` lists the project's commands and Flask-Migrate's `db`."""
    env = {"MODERATION_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    output = subprocess.run(
        [sys.executable, "-c", "from moderation.cli import main; main()", "--help"],
        capture_output=True, text=True, env=env, check=True).stdout
    for command in ("init-db", "db", "seed-demo", "create-instructor", "reset-password",
                    "import-roster", "run"):
        assert re.search(rf"^\s+{command}\s", output, re.M), command
