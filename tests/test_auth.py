"""Sign-in, sign-out, passwords and activation."""

from __future__ import annotations

import pytest

from moderation.extensions import db
from moderation.models import User
from moderation.services import accounts
from tests.conftest import PASSWORD, instructor_of


def test_sign_in_and_out(client, make_user):
    user = make_user()
    assert client.get("/").status_code == 302  # anonymous: sent to sign in
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("email_known", [True, False])
def test_wrong_password_gets_one_generic_message(client, make_user, email_known):
    user = make_user()
    email = user.email if email_known else "nobody@school.test"
    response = client.post("/login", data={"email": email, "password": "wrong password"})
    assert response.status_code == 401
    assert "Email or password is incorrect." in response.text
    assert email in response.text  # the typed email stays in the form
    assert client.get("/").status_code == 302


def test_sign_out_ends_every_session_of_the_user(app, make_user):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        device.post("/login", data={"email": user.email, "password": PASSWORD})
        assert device.get("/").status_code == 200
    phone.post("/logout")
    # The laptop still holds its cookie, but the session token behind it was rotated.
    assert laptop.get("/").status_code == 302


def test_inactive_and_unactivated_users_cannot_sign_in(app, client, make_user):
    user = make_user()
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401
    pending = make_user(password=None)
    response = client.post("/login", data={"email": pending.email, "password": PASSWORD})
    assert response.status_code == 401


def test_next_parameter_only_follows_local_paths(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD}
    response = client.post("/login?next=/my/comments", data=data)
    assert response.headers["Location"] == "/my/comments"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/", data=data)
    assert response.headers["Location"] == "/"


def test_production_password_hash_is_scrypt(tmp_path, monkeypatch):
    """Without the tests' fast override, passwords are hashed with scrypt at full cost."""
    from werkzeug.security import check_password_hash

    from moderation import create_app

    monkeypatch.setenv("MODERATION_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        hashed = accounts.hash_password("a long enough password")
    assert hashed.startswith("scrypt:131072:8:1$")
    assert check_password_hash(hashed, "a long enough password")


@pytest.mark.parametrize("password, ok", [("1234567", False), ("12345678", True),
                                          ("x" * 128, True), ("x" * 129, False)])
def test_password_length_rules(ctx, password, ok):
    if ok:
        accounts.check_password_rules(password)
    else:
        with pytest.raises(accounts.InvalidInput):
            accounts.check_password_rules(password)


def test_activation_link_works_once(app, client, make_user, make_course, enrol):
    user = make_user(password=None)
    course = make_course()
    enrol(user, course)
    teacher = instructor_of(app, course)
    with app.app_context():
        token = accounts.activation_token(db.session.get(User, user.id), teacher)
    response = client.post(f"/activate/{token}", data={"password": "short"})
    assert response.status_code == 422 and "at least 8" in response.text
    response = client.post(f"/activate/{token}", data={"password": "a fine new password"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    response = client.post(f"/activate/{token}", data={"password": "another password"})
    assert response.status_code == 422 and "already been used" in response.text
    # Opened again, the spent link says so at once, before a password is typed.
    response = client.get(f"/activate/{token}")
    assert response.status_code == 422 and "already been used" in response.text
    assert 'type="password"' not in response.text
    response = client.get("/activate/not-a-token")
    assert response.status_code == 404 and "not valid" in response.text
    response = client.post("/login", data={"email": user.email, "password": "a fine new password"})
    assert response.status_code == 302


def test_forged_activation_link_is_404(client):
    response = client.post("/activate/not-a-token", data={"password": "a fine new password"})
    assert response.status_code == 404


def test_login_throttle_is_shared_between_workers_through_redis(app, tmp_path, make_user):
    """A second worker process's failed sign-ins count here too: the store is Redis."""
    import os
    import subprocess
    import sys

    import redis

    from tests.conftest import make_app

    redis_url = os.environ.get("MODERATION_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("set MODERATION_TEST_REDIS_URL to test the shared limiter store")
    redis.Redis.from_url(redis_url).flushdb()  # a database index kept for tests
    user = make_user()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    config = {"RATELIMIT_ENABLED": True, "LOGIN_ACCOUNT_FAILURE_LIMIT": "2 per minute",
              "RATELIMIT_STORAGE_URI": redis_url}
    other_worker = f"""
from tests.conftest import make_app
from pathlib import Path
client = make_app({url!r}, Path({str(tmp_path / "b")!r}), **{config!r}).test_client()
for _ in range(2):
    data = {{"email": {user.email!r}, "password": "wrong password"}}
    status = client.post("/login", data=data).status_code
    assert status == 401, status
"""
    subprocess.run([sys.executable, "-c", other_worker], check=True, timeout=60)
    this_worker = make_app(url, tmp_path / "a", **config).test_client()
    response = this_worker.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
