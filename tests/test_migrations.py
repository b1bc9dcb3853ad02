"""Alembic migrations build the same schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from moderation.extensions import db
from moderation.models import search, text_key
from tests.conftest import DATABASES, database_url, make_app, reset_postgres


@pytest.fixture(params=DATABASES)
def empty_app(request, tmp_path):
    app = make_app(database_url(request.param, tmp_path), tmp_path / "instance")
    if request.param == "postgresql":
        reset_postgres(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_upgrade_empty_database_to_head_matches_models(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": search.is_search_object})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"user", "course", "membership", "discussion", "comment", "flag", "grade",
                "audit_event", "alembic_version"} <= tables


def test_constraints_are_named(empty_app):
    with empty_app.app_context():
        upgrade()
        inspector = inspect(db.engine)
        checks = {c["name"] for c in inspector.get_check_constraints("comment")}
        uniques = {c["name"] for c in inspector.get_unique_constraints("membership")}
        assert "ck_comment_comment_status" in checks
        assert "uq_membership_course_id_user_id" in uniques


def test_init_db_command_is_idempotent(empty_app):
    runner = empty_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "Database ready" in result.output


def test_upgrade_a_populated_database_keeps_and_backfills_its_rows(empty_app):
    """Comments written under 0001 get their course and flag level when 0002 runs."""
    from sqlalchemy import text

    with empty_app.app_context():
        upgrade(revision="0001")
        now = "2026-01-01 00:00:00"
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO \"user\" (id, email, display_name, sortable_name, active, "
                "can_create_courses, session_token, created_at) VALUES "
                f"(1, 'a@s.test', 'A', 'A', true, false, 'tok', '{now}')"))
            conn.execute(text(
                "INSERT INTO course (id, title, code, join_code, policy, created_at) VALUES "
                f"(7, 'C', 'C7', 'JOINC7', '{{}}', '{now}')"))
            conn.execute(text(
                "INSERT INTO discussion (id, course_id, title, prompt, state, points_possible, "
                "required_replies, min_words, max_words, reply_min_words, reply_max_words, "
                "moderation_mode, policy_overrides, created_at, updated_at) VALUES "
                f"(3, 7, 'D', '', 'open', 10, 2, 1, 600, 1, 300, 'flagged', '{{}}', '{now}', "
                f"'{now}')"))
            for cid, token, body in ((11, "t11", "text"),
                                     (12, "t12", "See  https://example.org for the report.")):
                conn.execute(text(
                    "INSERT INTO comment (id, discussion_id, author_id, body, status, "
                    "submitted_at, submission_token, word_count, metrics) VALUES "
                    f"({cid}, 3, 1, '{body}', 'pending', '{now}', '{token}', 1, '{{}}')"))
            conn.execute(text("INSERT INTO flag (comment_id, rule, severity, message, spans) "
                              "VALUES (11, 'late', 'note', 'm', '[]'), "
                              "(11, 'too_short', 'hold', 'm', '[]')"))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT id, course_id, flag_level FROM comment ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(11, 7, 2), (12, 7, 0)]
        # 0005 reads what each stored text says: its duplicate-check key, a cited source.
        with db.engine.connect() as conn:
            facts = conn.execute(text(
                "SELECT body_key, cites_source FROM comment ORDER BY id")).all()
        assert [tuple(f) for f in facts] == [
            (text_key("text"), False),
            (text_key("see https://example.org for the report."), True)]


def test_0006_merges_the_third_moderation_mode_and_stores_points_as_shown(empty_app):
    """Issue 17: "none" behaved as "flagged" does, so its discussions become "flagged" and
    the value is refused from then on; 9.999 was shown and exported as 10, so it is stored
    as 10."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with empty_app.app_context():
        upgrade(revision="0005")
        now = "2026-01-01 00:00:00"
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO \"user\" (id, email, display_name, sortable_name, active, "
                "can_create_courses, session_token, created_at) VALUES "
                f"(1, 'a@s.test', 'A', 'A', true, false, 'tok', '{now}')"))
            conn.execute(text(
                "INSERT INTO course (id, title, code, join_code, policy, rubric, tas_manage, "
                f"tas_export, created_at) VALUES (7, 'C', 'C7', 'JOINC7', '{{}}', '{{}}', "
                f"false, false, '{now}')"))
            for did, mode, points in ((3, "none", 9.999), (4, "all", 10)):
                conn.execute(text(
                    "INSERT INTO discussion (id, course_id, title, prompt, state, "
                    "points_possible, required_replies, min_words, max_words, "
                    "reply_min_words, reply_max_words, moderation_mode, policy_overrides, "
                    f"created_at, updated_at) VALUES ({did}, 7, 'D', '', 'open', {points}, 2, "
                    f"1, 600, 1, 300, '{mode}', '{{}}', '{now}', '{now}')"))
            conn.execute(text(
                "INSERT INTO grade (id, discussion_id, student_id, score, suggested_score, "
                "quality_points, breakdown, released, updated_at, version_id) VALUES "
                f"(1, 3, 1, 9.999, 2.675, 0.5, '{{}}', false, '{now}', 2)"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text(
                "SELECT id, moderation_mode, points_possible FROM discussion ORDER BY id")
            ).all() == [(3, "flagged", 10.0), (4, "all", 10.0)]
            assert tuple(conn.execute(text(
                "SELECT score, suggested_score, quality_points FROM grade")).one()) == (
                10.0, 2.68, 0.5)
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text("UPDATE discussion SET moderation_mode = 'none' WHERE id = 4"))


def test_0007_marks_proved_addresses_and_adds_invitations(empty_app):
    """Issue 16: an address counts as proved if its activation link was opened (the audit
    log says so) or the administrator made an instructor; a join-code sign-up's does not."""
    from sqlalchemy import text

    with empty_app.app_context():
        upgrade(revision="0006")
        now = "2026-01-01 00:00:00"
        with db.engine.begin() as conn:
            for uid, email, instructor in ((1, "activated@s.test", False),
                                           (2, "teacher@s.test", True),
                                           (3, "signed.up@s.test", False)):
                conn.execute(text(
                    "INSERT INTO \"user\" (id, email, display_name, sortable_name, active, "
                    "can_create_courses, session_token, created_at) VALUES "
                    f"({uid}, '{email}', 'A', 'A', true, {str(instructor).lower()}, "
                    f"'tok{uid}', '{now}')"))
            conn.execute(text(
                "INSERT INTO audit_event (at, actor_id, action, object_type, object_id) "
                "VALUES ('2026-02-02 10:00:00', 1, 'user.activated', 'user', 1)"))
        upgrade()
        with db.engine.connect() as conn:
            proved = dict(conn.execute(text(
                "SELECT id, email_verified_at IS NOT NULL FROM \"user\" ORDER BY id")).all())
            assert proved == {1: True, 2: True, 3: False}
            assert conn.execute(text("SELECT count(*) FROM invitation")).scalar() == 0
