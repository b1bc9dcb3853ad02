"""The staff page: instructors add and remove TAs and set what TAs may do; all audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import AuditEvent, Course, Membership, Role, User
from moderation.services import courses
from tests.conftest import PASSWORD, instructor_of
from tests.forms import form_fields


@pytest.fixture
def staff_page(app, client, login_as, make_course):
    course = make_course()
    teacher = instructor_of(app, course)
    login_as(teacher)
    return course, teacher, f"/teach/courses/{course.id}/staff"


def role_of(app, email: str, course: Course) -> str | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        membership = user and courses.membership_of(user, db.session.get(Course, course.id))
        return membership.role.value if membership else None


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


def test_an_existing_account_is_enrolled_as_ta_and_keeps_its_name(app, client, staff_page,
                                                                   make_user):
    course, teacher, url = staff_page
    tess = make_user("Tess Assistant", email="tess@school.test")
    response = client.post(url, data={"email": " Tess@School.test ", "display_name": "Other"})
    assert response.status_code == 302
    page = client.get(url).text
    assert "tess@school.test already had an account (Tess Assistant)" in page
    assert "<bdi>Tess Assistant</bdi>" in page
    assert role_of(app, "tess@school.test", course) == "ta"
    [added] = events(app, "course.ta_added")
    assert added.actor_id == teacher.id and added.after["new_account"] is False
    with app.app_context():
        assert db.session.get(User, tess.id).display_name == "Tess Assistant"


def test_a_new_email_gets_an_account_and_an_activation_link(app, client, staff_page):
    course, _, url = staff_page
    response = client.post(url, data={"email": "new.ta@school.test", "display_name": "Nia TA"})
    assert response.status_code == 302
    page = client.get(url).text
    assert "Created an account for new.ta@school.test" in page
    link = page.split('aria-label="Activation link for Nia TA" class="copy-link"')[0]
    link = link.rsplit('value="', 1)[1].split('"')[0]
    assert "/activate/" in link
    client.post("/logout")
    activated = client.post(link, data={"password": PASSWORD})
    assert activated.status_code in (302, 303)
    [added] = events(app, "course.ta_added")
    assert added.after == {"name": "Nia TA", "email": "new.ta@school.test", "role": "ta",
                           "new_account": True}


def test_a_new_email_needs_a_name_and_keeps_what_was_typed(app, client, staff_page):
    course, _, url = staff_page
    response = client.post(url, data={"email": "nobody@school.test", "display_name": " "})
    assert response.status_code == 422
    assert 'id="display_name-errors"' in response.text and "Enter the new TA" in response.text
    assert 'value="nobody@school.test"' in response.text
    assert role_of(app, "nobody@school.test", course) is None
    assert events(app, "course.ta_added") == []


@pytest.mark.parametrize("role, message", [
    (Role.STUDENT, "is a student in this course, so they cannot also be a TA here"),
    (Role.TA, "is already a TA of this course"),
    (Role.INSTRUCTOR, "already teaches this course as an instructor"),
])
def test_a_member_of_the_course_is_refused_beside_the_email(app, client, staff_page, make_user,
                                                             enrol, role, message):
    course, _, url = staff_page
    member = make_user("Sam Member", email="sam@school.test")
    enrol(member, course, role)
    response = client.post(url, data={"email": "sam@school.test"})
    assert response.status_code == 409
    error = response.text.split('id="email-errors" class="field-error">')[1].split("</small>")[0]
    assert message in error
    assert role_of(app, "sam@school.test", course) == role.value
    assert events(app, "course.ta_added") == []


def test_removing_a_ta_and_only_a_ta(app, client, staff_page, make_user, make_course, enrol):
    course, teacher, url = staff_page
    tess = make_user("Tess Assistant")
    enrol(tess, course, Role.TA)
    other_course = make_course()
    with app.app_context():
        ta_row = courses.membership_of(db.session.merge(tess), db.session.get(Course, course.id))
        mine = courses.membership_of(db.session.merge(teacher),
                                     db.session.get(Course, course.id))
        theirs = db.session.scalar(select(Membership.id).where(
            Membership.course_id == other_course.id))
        ta_id, my_id = ta_row.id, mine.id
    form = form_fields(client.get(url).text, f"{url}/{ta_id}/remove")
    assert client.post(f"{url}/{my_id}/remove", data=form).status_code == 409
    assert client.post(f"{url}/{theirs}/remove", data=form).status_code == 404
    assert client.post(f"{url}/{ta_id}/remove", data=form).status_code == 302
    assert role_of(app, tess.email, course) is None
    assert client.post(f"{url}/{ta_id}/remove", data=form).status_code == 404
    [removed] = events(app, "course.ta_removed")
    assert removed.before["email"] == tess.email and removed.actor_id == teacher.id


def test_the_checkboxes_let_tas_manage_and_export(app, client, staff_page, make_user, enrol,
                                                  login_as):
    course, _, url = staff_page
    tess = make_user("Tess Assistant")
    enrol(tess, course, Role.TA)
    form = form_fields(client.get(url).text, f"{url}/permissions")
    assert "tas_manage" not in form and "tas_export" not in form
    assert client.post(f"{url}/permissions", data={**form, "tas_manage": "y"}).status_code == 302
    with app.app_context():
        row = db.session.get(Course, course.id)
        assert (row.tas_manage, row.tas_export) == (True, False)
    assert "Nothing changed" in client.get(client.post(
        f"{url}/permissions", data={**form, "tas_manage": "y"}).headers["Location"]).text
    [event] = events(app, "course.ta_permissions_set")
    assert event.before == {"tas_manage": False, "tas_export": False}
    assert event.after == {"tas_manage": True, "tas_export": False}

    client.post("/logout")
    login_as(tess)
    assert client.get(f"/teach/courses/{course.id}/policy").status_code == 200
    assert client.get(url).status_code == 403  # the staff page stays the instructors'
