"""Alembic migrations build the same schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

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


def test_upgrade_empty_database_to_head_matches_models(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
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
