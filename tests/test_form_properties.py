"""Property-based: any text posted through the comment form gets a page, never a 500."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

counter = itertools.count()


@pytest.fixture
def db_kind():
    return "sqlite"  # one database is enough for input fuzzing; the DB tests cover both


@pytest.fixture
def discussion(make_user, make_course, make_discussion, enrol, login_as):
    """An open discussion with the client signed in as an enrolled student."""
    course = make_course()
    discussion = make_discussion(course)
    student = make_user()
    enrol(student, course)
    login_as(student)
    return discussion


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.text(max_size=300) | st.sampled_from(["", " ", "\x00", "a\x00b", "\r\n" * 3,
                                                      "<script>x</script>", "f*ck " * 10]))
def test_any_body_gets_a_page(client, discussion, body):
    response = client.post(f"/discussions/{discussion.id}/comments",
                           data={"body": body, "submission_token": f"p{next(counter)}"})
    assert response.status_code in (303, 409, 422), response.status_code
    if response.status_code != 303:
        assert "<textarea" in response.text  # the form, with the student's text, comes back
