"""Migration 0003 on a populated database: courses get the default rubric, grades keep theirs."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from moderation.extensions import db
from tests.conftest import DATABASES, database_url, make_app, reset_postgres


@pytest.fixture(params=DATABASES)
def empty_app(request, tmp_path):
    app = make_app(database_url(request.param, tmp_path), tmp_path / "instance")
    if request.param == "postgresql":
        reset_postgres(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_upgrade_to_0003_keeps_grades_and_gives_courses_the_default_rubric(empty_app):
    now = "2026-01-01 00:00:00"
    with empty_app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO \"user\" (id, email, display_name, sortable_name, active, "
                "can_create_courses, session_token, created_at) VALUES "
                f"(1, 'a@s.test', 'A', 'A', true, false, 'tok', '{now}')"))
            conn.execute(text(
                "INSERT INTO course (id, title, code, join_code, policy, tas_manage, "
                f"tas_export, created_at) VALUES (7, 'C', 'C7', 'J7', '{{}}', false, false, "
                f"'{now}')"))
            conn.execute(text(
                "INSERT INTO discussion (id, course_id, title, prompt, state, points_possible, "
                "required_replies, min_words, max_words, reply_min_words, reply_max_words, "
                "moderation_mode, policy_overrides, created_at, updated_at) VALUES "
                f"(3, 7, 'D', '', 'open', 10, 2, 1, 600, 1, 300, 'flagged', '{{}}', '{now}', "
                f"'{now}')"))
            conn.execute(text(
                "INSERT INTO grade (discussion_id, student_id, score, breakdown, released, "
                f"updated_at, version_id) VALUES (3, 1, 8.5, '{{}}', true, '{now}', 4)"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT rubric FROM course")).scalar() in ("{}", {})
            assert conn.execute(text("SELECT rubric FROM discussion")).scalar() is None
            assert tuple(conn.execute(text(
                "SELECT score, quality_points, graded_at, version_id FROM grade")).one()) == (
                8.5, None, None, 4)
        downgrade(revision="0002")
        upgrade()
