"""Roster import never hands one course's student to another course's instructor."""

from __future__ import annotations

import re

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Course, Membership, User
from moderation.services import roster
from tests.conftest import instructor_of

VICTIM = "name,email,section\nVictor Im,victor@school.test,A\n"
RENAMED = "name,email,section\nSomeone Else,victor@school.test,B\n"


def import_text(app, course, text, teacher=None):
    teacher = teacher or instructor_of(app, course)
    with app.app_context():
        result = roster.import_roster(db.session.get(Course, course.id), text,
                                      db.session.merge(teacher))
        db.session.commit()
        return result


def roster_page(client, course):
    response = client.get(f"/teach/courses/{course.id}/roster")
    assert response.status_code == 200
    return response.text


def activation_links(page: str) -> list[str]:
    return re.findall(r'value="(https?://[^"]*/activate/[^"]+)"', page)


def test_another_course_cannot_take_over_an_unactivated_student(app, client, make_course,
                                                                 login_as, runner):
    course_a, course_b = make_course(), make_course()
    import_text(app, course_a, VICTIM)
    teacher_a, teacher_b = instructor_of(app, course_a), instructor_of(app, course_b)
    login_as(teacher_a)
    [link_a] = activation_links(roster_page(client, course_a))
    client.post("/logout")

    result = import_text(app, course_b, RENAMED)
    assert result.existing_accounts == ["victor@school.test"]
    login_as(teacher_b)
    page = roster_page(client, course_b)
    assert activation_links(page) == []
    assert "also in a course you do not teach" in page
    client.post("/logout")
    with app.app_context():
        victim = db.session.scalar(select(User).where(User.email == "victor@school.test"))
        assert victim.display_name == "Victor Im"  # B's roster did not rename A's student
        # B enrolled the account in B only; A's view of it is unchanged.
        sections = dict(db.session.execute(
            select(Membership.course_id, Membership.section)
            .where(Membership.user_id == victim.id)).all())
        assert sections == {course_a.id: "A", course_b.id: "B"}

    # A's link was issued while the account was A's alone; it now belongs to a course A
    # does not teach, so the link no longer hands it over (to anyone holding it).
    token = link_a.rsplit("/", 1)[1]
    response = client.post(f"/activate/{token}", data={"password": "the attacker's pass"})
    assert response.status_code == 422 and "can no longer be used" in response.text
    with app.app_context():
        assert db.session.scalar(select(User.password_hash)
                                 .where(User.email == "victor@school.test")) is None

    # The school's administrator can still give the student a link.
    output = runner.invoke(args=["activation-link", "victor@school.test"]).output
    token = re.search(r"/activate/(\S+)", output).group(1)
    assert client.post(f"/activate/{token}",
                       data={"password": "victor's own password"}).status_code == 302


def test_an_activated_student_is_enrolled_but_never_renamed(app, client, make_course,
                                                           make_user, enrol, login_as):
    course_a, course_b = make_course(), make_course()
    student = make_user("Victor Im", email="victor@school.test")
    enrol(student, course_a)
    result = import_text(app, course_b, RENAMED)
    assert (result.added, result.existing_accounts) == (1, ["victor@school.test"])
    login_as(instructor_of(app, course_b))
    assert activation_links(roster_page(client, course_b)) == []
    with app.app_context():
        assert db.session.get(User, student.id).display_name == "Victor Im"
    client.post("/logout")
    login_as(student)  # the student sees the new course next time they sign in
    assert f"/courses/{course_b.id}" in client.get("/").text


def test_an_instructor_of_every_course_of_the_account_may_hand_it_over(
        app, client, make_course, make_user, login_as):
    teacher = make_user("Ina Structor", instructor=True)
    course_a, course_b = make_course(teacher), make_course(teacher)
    import_text(app, course_a, VICTIM)
    import_text(app, course_b, RENAMED)
    with app.app_context():
        victim = db.session.scalar(select(User).where(User.email == "victor@school.test"))
        assert victim.display_name == "Someone Else"  # still only this teacher's student
    login_as(teacher)
    [link] = activation_links(roster_page(client, course_b))
    client.post("/logout")
    response = client.post("/activate/" + link.rsplit("/", 1)[1],
                           data={"password": "a brand new password"})
    assert response.status_code == 302


def test_the_import_page_explains_existing_accounts(app, client, make_course, make_user,
                                                    enrol, login_as):
    course_a, course_b = make_course(), make_course()
    enrol(make_user(email="victor@school.test"), course_a)
    login_as(instructor_of(app, course_b))
    response = client.post(f"/teach/courses/{course_b.id}/roster", follow_redirects=True,
                           data={"file": (__import__("io").BytesIO(RENAMED.encode()), "r.csv")})
    assert response.status_code == 200
    assert "1 already had an account (victor@school.test): they are enrolled" in response.text


def test_email_domain_is_validated_beside_its_field(app, client, make_course, login_as):
    import io

    course = make_course()
    login_as(instructor_of(app, course))
    response = client.post(f"/teach/courses/{course.id}/roster", data={
        "file": (io.BytesIO(VICTIM.encode()), "r.csv"), "email_domain": "evil.test/x?"})
    assert response.status_code == 422
    assert 'id="email_domain-errors"' in response.text and "such as school.edu" in response.text
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "victor@school.test")) is None


