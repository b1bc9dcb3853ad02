"""New-student moderation (issue 22): a course holds a student's comments until N of theirs
are approved, then they follow the discussion's mode; on both databases."""

from __future__ import annotations

import secrets

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from moderation.extensions import db
from moderation.models import AuditEvent, Comment, CommentStatus, Course, Discussion, User
from moderation.services import newcomers
from moderation.services.comments import decisions, posting
from tests.conftest import instructor_of
from tests.test_migrations import empty_app  # noqa: F401 - fixture

TEXTS = ["The court keeps its reach over what happened before the withdrawal, so leaving "
         "changes less than it seems at first sight.",
         "Neighbouring governments reacted slowly, and their silence told voters more than "
         "any speech by the foreign minister did.",
         "Judges depend on states to arrest suspects, which is why the treaty matters even "
         "for countries that never signed it.",
         "A budget cut would hurt the prosecutor's office sooner than any withdrawal could "
         "hurt the court as an institution."]
CLEAN = TEXTS[0]


@pytest.fixture
def course_with_newcomers(app, make_user, make_course, make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, min_words=5)  # the default mode: flagged
    student = make_user("Nell Newcomer")
    enrol(student, course)
    teacher = instructor_of(app, course)
    with app.app_context():
        newcomers.set_newcomer_approvals(db.session.get(Course, course.id),
                                         db.session.get(User, teacher.id), 2)
        db.session.commit()
    return course, discussion, student, teacher


def submit(app, discussion, student, n):
    with app.app_context():
        comment = posting.submit_comment(db.session.get(Discussion, discussion.id),
                                       db.session.get(User, student.id), TEXTS[n],
                                       secrets.token_hex(8)).comment
        db.session.commit()
        return comment.id, comment.status


def test_a_new_students_clean_comments_wait_until_enough_are_approved(
        app, course_with_newcomers):
    course, discussion, student, teacher = course_with_newcomers
    held = []
    for n in range(2):
        cid, status = submit(app, discussion, student, n)
        assert status == CommentStatus.PENDING  # clean, but Nell is new
        held.append(cid)
    with app.app_context():
        me = db.session.get(User, teacher.id)
        for cid in held:
            decisions.approve(db.session.get(Comment, cid), me, CommentStatus.PENDING)
        db.session.commit()
    assert submit(app, discussion, student, 3)[1] == CommentStatus.APPROVED  # no longer new


def test_the_preview_says_why_it_waits(app, client, login_as, course_with_newcomers):
    course, discussion, student, _ = course_with_newcomers
    login_as(student)
    response = client.post(f"/discussions/{discussion.id}/preview", json={"body": CLEAN})
    assert response.status_code == 200, response.text
    assert response.json["outcome"] == "held"
    assert response.json["summary"].startswith("Your first comments in this course wait")


def test_staff_and_courses_without_the_option_are_not_held(
        app, make_user, make_course, make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, min_words=5)
    student = make_user()
    enrol(student, course)
    assert submit(app, discussion, student, 1)[1] == CommentStatus.APPROVED
    assert submit(app, discussion, instructor_of(app, course), 2)[1] == CommentStatus.APPROVED


def test_a_rescore_keeps_a_new_students_comment_waiting(app, runner, course_with_newcomers):
    course, discussion, student, _ = course_with_newcomers
    cid, _ = submit(app, discussion, student, 1)
    with app.app_context():
        code = db.session.get(Course, course.id).code
    result = runner.invoke(args=["rescore", "--course", code])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(Comment, cid).status == CommentStatus.PENDING


def test_the_setting_on_the_course_page(app, client, login_as, course_with_newcomers):
    course, _, student, teacher = course_with_newcomers
    login_as(teacher)
    page = client.get(f"/teach/courses/{course.id}").text
    assert 'name="approvals" min="0" max="20" value="2"' in page
    url = f"/teach/courses/{course.id}/newcomers"
    refused = client.post(url, data={"approvals": "25"})
    assert refused.status_code == 422
    assert "choose a number from 0 (off) to 20" in refused.text
    assert client.post(url, data={"approvals": "0"}).status_code == 303
    with app.app_context():
        assert db.session.get(Course, course.id).newcomer_approvals == 0
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "course.newcomer_moderation_set")
            .order_by(AuditEvent.id)).all()
        assert [(e.before, e.after) for e in events] == [
            ({"newcomer_approvals": 0}, {"newcomer_approvals": 2}),
            ({"newcomer_approvals": 2}, {"newcomer_approvals": 0})]
    client.post("/logout")
    login_as(student)
    assert client.post(url, data={"approvals": "5"}).status_code == 403


def test_0011_adds_the_setting_off_for_every_course_and_goes_back(
        empty_app):  # noqa: F811 - fixture
    with empty_app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO course (id, title, code, join_code, policy, rubric, tas_manage, "
                "tas_export, created_at) VALUES (1, 'Law', 'LAW1', 'JOIN1234', '{}', '{}', "
                "false, false, '2026-01-01 00:00:00')"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT newcomer_approvals FROM course")).scalar() == 0
        with pytest.raises(Exception, match="(?i)check|constraint"), db.engine.begin() as conn:
            conn.execute(text("UPDATE course SET newcomer_approvals = 21"))
        downgrade(revision="0010")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT code FROM course")).scalar() == "LAW1"
