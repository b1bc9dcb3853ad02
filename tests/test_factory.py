"""The app factory and its layered configuration."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from moderation import create_app


def test_testing_config_applies(app):
    assert app.testing
    assert app.config["WTF_CSRF_ENABLED"] is False


def test_defaults_are_production_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MODERATION_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert not app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'moderation.sqlite'}"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PASSWORD_METHOD"] == "scrypt:131072:8:1"


def test_secret_key_is_generated_once_with_mode_600(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MODERATION_INSTANCE_PATH", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert first == second and len(first) == 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_layers_instance_then_environment_then_test(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MODERATION_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text(
        "SECRET_KEY = 'from-instance'\nMAX_COMMENT_CHARS = 111\nSUBMIT_RATE_LIMIT = '1 per day'\n")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance"
    assert app.config["MAX_COMMENT_CHARS"] == 111

    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("MODERATION_MAX_COMMENT_CHARS", "222")
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.internal/moderation")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MAX_COMMENT_CHARS"] == 222  # parsed as JSON, so a number
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://someone@db.internal/moderation")
    assert app.config["SUBMIT_RATE_LIMIT"] == "1 per day"

    app = create_app({"MAX_COMMENT_CHARS": 333, "TESTING": True})
    assert app.config["MAX_COMMENT_CHARS"] == 333


def test_security_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_load_nothing_from_other_sites(client):
    html = client.get("/login").text
    assert "http://" not in html.replace("http://moderation.test", "")
    assert "https://" not in html
    assert client.get("/static/vendor/pico.min.css").status_code == 200


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(app, db_kind):
    from sqlalchemy import text

    from moderation.extensions import db

    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15_000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1024}])
def test_oversized_request_is_413_with_a_page(client):
    response = client.post("/login", data={"email": "a@b.test", "password": "x" * 4096})
    assert response.status_code == 413
    assert "<h1>" in response.text


def test_debug_mode_without_a_secret_key_generates_one(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    """A debug server reachable from a network must not sign sessions with a known key."""
    monkeypatch.setenv("MODERATION_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.debug
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert len(app.config["SECRET_KEY"]) == 64


def test_over_https_cookies_are_secure_and_hsts_is_sent(client, make_user):
    from tests.conftest import PASSWORD

    user = make_user()
    plain = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "Strict-Transport-Security" not in plain.headers
    assert "Secure" not in plain.headers["Set-Cookie"]
    secure = client.post("/login", base_url="https://moderation.test",
                         data={"email": user.email, "password": PASSWORD})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookies = secure.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in c for c in cookies)


@pytest.mark.parametrize("app_config", [{"PROXY_COUNT": 1}])
def test_behind_a_proxy_its_https_makes_cookies_secure(client, make_user):
    from tests.conftest import PASSWORD

    user = make_user()
    response = client.post("/login", headers={"X-Forwarded-Proto": "https"},
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert all("; Secure" in c for c in response.headers.getlist("Set-Cookie"))
