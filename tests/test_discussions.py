"""Instructors create, edit, open and close discussions; prompts render safely."""

from __future__ import annotations

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import AuditEvent, Discussion, DiscussionState, ModerationMode
from tests.conftest import instructor_of

FORM = {
    "title": "Week 2: Sources", "prompt": "Read **this** article.", "opens_at": "",
    "due_at": "2030-03-01T17:00", "points_possible": "10", "required_replies": "2",
    "min_words": "75", "max_words": "600", "reply_min_words": "25", "reply_max_words": "300",
    "moderation_mode": "all", "lms_assignment_id": "1201",
}


def test_create_edit_open_close(app, client, make_course, login_as):
    course = make_course()
    login_as(instructor_of(app, course))
    response = client.post(f"/teach/courses/{course.id}/discussions/new", data=FORM)
    assert response.status_code == 302
    with app.app_context():
        discussion = db.session.scalar(select(Discussion))
        assert discussion.state == DiscussionState.DRAFT
        assert discussion.moderation_mode == ModerationMode.ALL
        assert discussion.due_at.isoformat() == "2030-03-01T17:00:00+00:00"
        discussion_id = discussion.id

    edit_page = client.get(f"/teach/discussions/{discussion_id}/edit").text
    assert 'value="2030-03-01T17:00"' in edit_page and "Week 2: Sources" in edit_page
    response = client.post(f"/teach/discussions/{discussion_id}/edit",
                           data=FORM | {"title": "Week 2: Evidence", "max_words": "500"})
    assert response.status_code == 302
    assert client.post(f"/teach/discussions/{discussion_id}/open").status_code == 302
    with app.app_context():
        discussion = db.session.get(Discussion, discussion_id)
        assert (discussion.title, discussion.max_words) == ("Week 2: Evidence", 500)
        assert discussion.state == DiscussionState.OPEN
    assert client.post(f"/teach/discussions/{discussion_id}/close").status_code == 302
    with app.app_context():
        assert db.session.get(Discussion, discussion_id).state == DiscussionState.CLOSED
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions[-4:] == ["discussion.created", "discussion.updated", "discussion.open",
                                "discussion.closed"]


def test_invalid_settings_are_refused_beside_the_field(app, client, make_course, login_as):
    course = make_course()
    login_as(instructor_of(app, course))
    response = client.post(f"/teach/courses/{course.id}/discussions/new",
                           data=FORM | {"min_words": "500", "max_words": "100"})
    assert response.status_code == 422
    assert "The maximum must be at least the minimum." in response.text
    assert 'value="Week 2: Sources"' in response.text
    response = client.post(f"/teach/courses/{course.id}/discussions/new",
                           data=FORM | {"opens_at": "2030-03-02T09:00"})
    assert response.status_code == 422 and "must come after the opening date" in response.text
    with app.app_context():
        assert db.session.scalar(select(Discussion)) is None


def test_students_do_not_see_drafts(client, make_user, make_course, make_discussion, enrol,
                                    login_as):
    course = make_course()
    draft = make_discussion(course, DiscussionState.DRAFT, title="Secret draft")
    student = make_user()
    enrol(student, course)
    login_as(student)
    assert "Secret draft" not in client.get(f"/courses/{course.id}").text
    assert client.get(f"/discussions/{draft.id}").status_code == 404


def test_closed_discussion_is_readable_but_takes_no_comments(client, make_user, make_course,
                                                             make_discussion, enrol, login_as):
    course = make_course()
    closed = make_discussion(course, DiscussionState.CLOSED)
    student = make_user()
    enrol(student, course)
    login_as(student)
    page = client.get(f"/discussions/{closed.id}")
    assert page.status_code == 200 and "not accepting comments" in page.text
    response = client.post(f"/discussions/{closed.id}/comments",
                           data={"body": "one two three four", "submission_token": "t1"})
    assert response.status_code == 409
    assert "one two three four" in response.text


def test_prompt_markdown_is_sanitised(client, make_user, make_course, make_discussion, enrol,
                                      login_as):
    course = make_course()
    prompt = ("# Heading\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1)) "
              "[mail](mailto:a@b.example) [data](data:text/html,hi) "
              "[good](https://example.org/article)")
    discussion = make_discussion(course, prompt=prompt)
    student = make_user()
    enrol(student, course)
    login_as(student)
    html = client.get(f"/discussions/{discussion.id}").text
    assert "<h1>Heading</h1>" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="mailto' not in html
    assert 'href="data:' not in html
    assert 'href="https://example.org/article"' in html
