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


def test_every_dashboard_post_without_a_token_fails(app, client, make_course, make_discussion):
    """Each state change under /teach, whoever posts it, needs the form's token."""
    from flask import url_for

    from tests.conftest import instructor_of

    course = make_course()
    discussion = make_discussion(course)
    teacher = instructor_of(app, course)
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": teacher.email, "password": PASSWORD,
                                "csrf_token": token})
    assert client.get(f"/teach/courses/{course.id}").status_code == 200  # signed in
    values = {"course_id": course.id, "discussion_id": discussion.id, "comment_id": 1,
              "membership_id": 1, "action": "close", "student_id": 1, "invitation_id": 1,
              "job_id": 1}
    posts = [rule for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/teach") and "POST" in rule.methods]
    assert len(posts) > 10
    for rule in posts:
        args = {arg: values[arg] for arg in rule.arguments}
        if "action" in rule.arguments:  # an any(...) of its own per route
            args["action"] = rule._converters["action"].regex[3:-1].split("|")[0]
        with app.test_request_context():
            url = url_for(rule.endpoint, **args)
        response = client.post(url, data={})
        assert response.status_code == 400 and "form expired" in response.text, url
