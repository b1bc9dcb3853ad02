"""Who sees what: pending comments, staff pages, and other courses' objects."""

from __future__ import annotations

import pytest

from moderation.extensions import db
from moderation.models import Comment
from moderation.services.comments import posting
from tests.conftest import instructor_of


@pytest.fixture
def course_with_pending(app, make_user, make_course, make_discussion, enrol):
    """Course A with a discussion, two students, and a pending comment by the first."""
    course = make_course()
    discussion = make_discussion(course)
    author, classmate = make_user("Pat Author"), make_user("Cam Classmate")
    enrol(author, course)
    enrol(classmate, course)
    with app.app_context():
        result = posting.submit_comment(db.session.merge(discussion), db.session.merge(author),
                                      "Too short.", "tok-pending")
        approved = posting.submit_comment(db.session.merge(discussion), db.session.merge(author),
                                        "An approved comment with enough words in it.", "tok-ok")
        db.session.commit()
        pending_id, approved_id = result.comment.id, approved.comment.id
        assert result.comment.status.value == "pending"
    return course, discussion, author, classmate, pending_id, approved_id


def test_a_student_never_sees_another_students_pending_comment(app, client, login_as,
                                                               course_with_pending):
    course, discussion, author, classmate, pending_id, approved_id = course_with_pending
    login_as(classmate)
    page = client.get(f"/discussions/{discussion.id}").text
    assert "An approved comment" in page
    assert "Too short." not in page
    client.post("/logout")
    login_as(author)
    page = client.get(f"/discussions/{discussion.id}").text
    assert "Too short." in page and "Awaiting moderation" in page


def test_instructors_see_pending_comments_in_the_queue(app, client, login_as, course_with_pending):
    course, discussion, *_ = course_with_pending
    login_as(instructor_of(app, course))
    page = client.get(f"/teach/discussions/{discussion.id}/queue").text
    assert "Too short." in page and "too_short" in page
    assert "An approved comment" not in page


@pytest.mark.parametrize("path", [
    "/teach/courses/{course}", "/teach/courses/{course}/roster",
    "/teach/courses/{course}/discussions/new", "/teach/discussions/{discussion}/edit",
    "/teach/discussions/{discussion}/queue",
])
def test_a_student_gets_403_on_instructor_pages(client, login_as, course_with_pending, path):
    course, discussion, author, *_ = course_with_pending
    login_as(author)
    url = path.format(course=course.id, discussion=discussion.id)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("method, path", [
    ("post", "/teach/courses/{course}/join-code"),
    ("post", "/teach/discussions/{discussion}/close"),
    ("post", "/teach/discussions/{discussion}/edit"),
])
def test_a_student_gets_403_on_instructor_actions(client, login_as, course_with_pending,
                                                  method, path):
    course, discussion, author, *_ = course_with_pending
    login_as(author)
    url = path.format(course=course.id, discussion=discussion.id)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("method, path", [
    ("get", "/teach/courses/{course}"), ("get", "/teach/courses/{course}/roster"),
    ("get", "/teach/discussions/{discussion}/edit"),
    ("get", "/teach/discussions/{discussion}/queue"), ("get", "/courses/{course}"),
    ("get", "/discussions/{discussion}"), ("post", "/teach/discussions/{discussion}/close"),
    ("post", "/teach/courses/{course}/join-code"),
    ("post", "/discussions/{discussion}/comments"),
])
def test_an_instructor_of_another_course_gets_404(app, client, login_as, make_course,
                                                  course_with_pending, method, path):
    course, discussion, *_ = course_with_pending
    other = make_course()
    login_as(instructor_of(app, other))
    url = path.format(course=course.id, discussion=discussion.id)
    assert getattr(client, method)(url).status_code == 404


def test_replying_to_a_pending_comment_is_refused(app, client, login_as, course_with_pending):
    course, discussion, author, classmate, pending_id, _ = course_with_pending
    login_as(classmate)
    response = client.post(f"/discussions/{discussion.id}/comments", data={
        "body": "Replying to something hidden.", "submission_token": "x",
        "parent_id": str(pending_id)})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 2


def test_anonymous_users_are_sent_to_sign_in(client, course_with_pending):
    course, discussion, *_ = course_with_pending
    for url in (f"/discussions/{discussion.id}", f"/teach/courses/{course.id}", "/my/comments"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
