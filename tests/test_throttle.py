"""How fast people may try: failures per account, client address and device; never a room."""

from __future__ import annotations

import pytest

from moderation.extensions import db
from moderation.models import Membership
from tests.conftest import PASSWORD


def limited(**limits: object) -> dict[str, object]:
    return {"RATELIMIT_ENABLED": True, **limits}


@pytest.mark.parametrize("app_config", [limited(LOGIN_ACCOUNT_FAILURE_LIMIT="3 per minute")])
def test_failures_at_an_account_refuse_new_devices_and_say_when_to_try_again(app, make_user):
    user = make_user()
    guesser = app.test_client()
    for _ in range(3):
        wrong = guesser.post("/login", data={"email": user.email, "password": "guess"})
        assert wrong.status_code == 401
    refused = app.test_client().post("/login", data={"email": user.email.upper(),
                                                     "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many failed sign-ins. Try again in" in refused.text
    assert f'value="{user.email.upper()}"' in refused.text  # the form keeps what was typed
    assert PASSWORD not in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Other accounts are not affected.
    other = make_user()
    assert app.test_client().post("/login", data={"email": other.email, "password": PASSWORD}
                                  ).status_code == 302


@pytest.mark.parametrize("app_config", [limited(LOGIN_ACCOUNT_FAILURE_LIMIT="3 per minute",
                                                LOGIN_CLIENT_FAILURE_LIMIT="5 per minute",
                                                LOGIN_DEVICE_FAILURE_LIMIT="2 per minute")])
def test_a_device_that_signed_in_before_is_never_refused_for_someone_elses_failures(
        app, make_user):
    user = make_user()
    laptop = app.test_client()
    assert laptop.post("/login", data={"email": user.email, "password": PASSWORD}
                       ).status_code == 302
    laptop.post("/logout")
    attacker = app.test_client()  # the same address here (127.0.0.1): a shared network
    for _ in range(6):
        attacker.post("/login", data={"email": user.email, "password": "guess"})
    assert attacker.post("/login", data={"email": user.email, "password": PASSWORD}
                         ).status_code == 429
    assert laptop.post("/login", data={"email": user.email, "password": PASSWORD}
                       ).status_code == 302
    laptop.post("/logout")
    # The device's own failures still count, against the device.
    for _ in range(2):
        assert laptop.post("/login", data={"email": user.email, "password": "typo"}
                           ).status_code == 401
    assert laptop.post("/login", data={"email": user.email, "password": PASSWORD}
                       ).status_code == 429


@pytest.mark.parametrize("app_config", [limited()])
def test_a_class_of_31_in_one_room_signs_up_and_signs_in_together(app, make_course):
    """With the default limits, one address (a classroom behind one router)."""
    course = make_course()
    for n in range(31):
        student = app.test_client()
        email = f"student{n}@school.test"
        joined = student.post("/signup", data={
            "display_name": f"Student {n}", "email": email, "password": PASSWORD,
            "join_code": course.join_code})
        assert joined.status_code == 302, (n, joined.status_code)
        student.post("/logout")
        assert student.post("/login", data={"email": email, "password": "typo here"}
                            ).status_code == 401
        assert student.post("/login", data={"email": email, "password": PASSWORD}
                            ).status_code == 302, n
    with app.app_context():
        assert db.session.query(Membership).filter_by(course_id=course.id).count() == 32


@pytest.mark.parametrize("app_config", [limited(PROXY_COUNT=1,
                                                LOGIN_CLIENT_FAILURE_LIMIT="3 per minute")])
def test_behind_the_proxy_failures_count_per_real_client_address(app, make_user):
    user = make_user()
    guesser = app.test_client()
    spoofed = {"X-Forwarded-For": "10.0.0.9, 10.0.0.1"}  # the proxy appends the real one
    for n in range(3):
        guesser.post("/login", data={"email": f"nobody{n}@school.test", "password": "x"},
                     headers=spoofed)
    assert guesser.post("/login", data={"email": user.email, "password": PASSWORD},
                        headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 429
    # A student at another address, behind the same proxy, is not refused.
    assert app.test_client().post("/login", data={"email": user.email, "password": PASSWORD},
                                  headers={"X-Forwarded-For": "10.0.0.2"}).status_code == 302


@pytest.mark.parametrize("app_config", [limited(SIGNUP_RATE_LIMIT="3 per minute")])
def test_guessing_join_codes_while_signed_in_is_limited_per_user(app, make_user, make_course):
    course = make_course()
    guesser, other = make_user(), make_user()
    client = app.test_client()
    client.post("/login", data={"email": guesser.email, "password": PASSWORD})
    for code in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC"):
        assert client.post("/courses/join", data={"join_code": code}).status_code == 422
    refused = client.post("/courses/join", data={"join_code": course.join_code})
    assert refused.status_code == 429
    assert "Too many attempts. Try again in" in refused.text
    assert f'value="{course.join_code}"' in refused.text
    second = app.test_client()
    second.post("/login", data={"email": other.email, "password": PASSWORD})
    assert second.post("/courses/join", data={"join_code": course.join_code}).status_code == 302
