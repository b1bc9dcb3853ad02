"""Creating courses, join codes, and joining."""

from __future__ import annotations

from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import AuditEvent, Course, Membership, Role
from tests.conftest import PASSWORD


def test_instructor_creates_a_course(app, client, make_user, login_as):
    teacher = make_user(instructor=True)
    login_as(teacher)
    response = client.post("/teach/courses/new", data={"title": "Ethics", "code": "PHIL101"})
    assert response.status_code == 302
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "PHIL101"))
        assert course is not None and len(course.join_code) == 8
        membership = db.session.scalar(select(Membership).where(Membership.course_id == course.id))
        assert membership.user_id == teacher.id and membership.role == Role.INSTRUCTOR
        assert db.session.scalar(select(AuditEvent.action)) == "course.created"


def test_duplicate_course_code_keeps_the_form(client, make_user, login_as, make_course):
    teacher = make_user(instructor=True)
    make_course(teacher, code="PHIL101")
    login_as(teacher)
    response = client.post("/teach/courses/new", data={"title": "Ethics II", "code": "PHIL101"})
    assert response.status_code == 409
    assert "already exists" in response.text and 'value="Ethics II"' in response.text


def test_students_cannot_create_courses(client, make_user, login_as):
    login_as(make_user())
    assert client.get("/teach/courses/new").status_code == 403
    assert client.post("/teach/courses/new", data={"title": "X", "code": "X1"}).status_code == 403


def test_join_by_code(app, client, make_user, make_course, login_as):
    course = make_course()
    student = make_user()
    login_as(student)
    response = client.post("/courses/join", data={"join_code": course.join_code.lower()})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/courses/{course.id}"
    # Joining twice changes nothing.
    client.post("/courses/join", data={"join_code": course.join_code})
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Membership)
                                  .where(Membership.user_id == student.id))
        assert count == 1


def test_bad_join_code(client, make_user, login_as):
    login_as(make_user())
    response = client.post("/courses/join", data={"join_code": "NOPE1234"})
    assert response.status_code == 422
    assert "No course has this join code" in response.text


def test_sign_up_with_join_code(app, client, make_course):
    course = make_course()
    data = {"display_name": "Ada Lovelace", "email": "Ada@School.test", "password": PASSWORD,
            "join_code": course.join_code}
    response = client.post("/signup", data=data)
    assert response.status_code == 302
    assert client.get(f"/courses/{course.id}").status_code == 200
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.role == Role.STUDENT))
        assert membership.user.email == "ada@school.test"
        assert membership.user.sortable_name == "Lovelace, Ada"


def test_sign_up_with_bad_code_keeps_the_form_and_stores_nothing(app, client):
    data = {"display_name": "Ada Lovelace", "email": "ada@school.test", "password": PASSWORD,
            "join_code": "WRONG123"}
    response = client.post("/signup", data=data)
    assert response.status_code == 422
    assert "No course has this join code" in response.text
    assert 'value="Ada Lovelace"' in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_regenerate_join_code(app, client, make_course, login_as):
    course = make_course()
    from tests.conftest import instructor_of

    login_as(instructor_of(app, course))
    response = client.post(f"/teach/courses/{course.id}/join-code")
    assert response.status_code == 302
    with app.app_context():
        new_code = db.session.get(Course, course.id).join_code
    assert new_code != course.join_code
    client.post("/logout")
    response = client.post("/signup", data={"display_name": "A B", "email": "a@b.test",
                                            "password": PASSWORD, "join_code": course.join_code})
    assert response.status_code == 422


def test_the_instructor_course_page_lists_discussions_queues_and_join_code(
        app, client, make_course, make_discussion, make_user, enrol, login_as):
    from moderation.models import DiscussionState
    from moderation.services.comments import posting
    from tests.conftest import instructor_of

    course = make_course()
    week1 = make_discussion(course, title="Week 1: The court")
    make_discussion(course, state=DiscussionState.DRAFT, title="Week 2: Draft")
    student = make_user()
    enrol(student, course)
    with app.app_context():
        posting.submit_comment(db.session.merge(week1), db.session.merge(student), "Too short.",
                             "held")  # held: below the word range
        db.session.commit()
        join_code = db.session.get(Course, course.id).join_code
    login_as(instructor_of(app, course))
    page = client.get(f"/teach/courses/{course.id}")
    assert page.status_code == 200
    assert "Week 1: The court" in page.text and "Week 2: Draft" in page.text
    assert join_code in page.text
    assert f"/teach/discussions/{week1.id}/queue" in page.text
    # The table's row (the course navigation names the discussion first).
    row = page.text.split("<tbody>")[1].split("Week 1: The court")[1].split("</tr>")[0]
    assert ">1 in queue<" in row  # one comment waiting
