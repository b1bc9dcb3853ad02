"""CSRF protection is on outside tests: a POST without a token fails."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_post_without_token_fails(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.text
    assert client.get("/").status_code == 302  # not signed in


def test_post_with_token_from_the_form_succeeds(client, make_user):
    user = make_user()
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    # Sign-out is a state change too: without the token it is refused.
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
