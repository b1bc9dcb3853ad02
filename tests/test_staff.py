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


def invitation_link(page: str, email: str) -> str:
    """The invitation link the staff page shows for an address, to copy."""
    before = page.split(f'aria-label="Invitation link for {email}" class="copy-link"')[0]
    return before.rsplit('value="', 1)[1].split('"')[0]


def test_adding_a_ta_answers_the_same_whether_or_not_the_address_has_an_account(
        app, client, staff_page, make_user):
    course, teacher, url = staff_page
    make_user("Tess Assistant", email="tess@school.test")
    pages = {}
    for email in ("tess@school.test", "nobody@school.test"):
        response = client.post(url, data={"email": email.title(), "display_name": ""})
        assert response.status_code == 302
        pages[email] = client.get(url).text
    said = {email: page.split('role="status">')[1].split("</p>")[0]
            for email, page in pages.items()}
    assert said["tess@school.test"] == said["nobody@school.test"].replace(
        "nobody@school.test", "tess@school.test")
    assert "Tess Assistant" not in pages["tess@school.test"]  # her name stays hers
    # Nobody is staff until they open the link: an address proves nothing by itself.
    assert role_of(app, "tess@school.test", course) is None
    assert [e.after for e in events(app, "course.invited")] == [
        {"email": "tess@school.test", "role": "ta"}, {"email": "nobody@school.test",
                                                      "role": "ta"}]
    assert events(app, "course.ta_added") == []


def test_an_existing_account_accepts_by_signing_in_and_keeps_its_name(
        app, client, staff_page, make_user):
    course, teacher, url = staff_page
    tess = make_user("Tess Assistant", email="tess@school.test")
    client.post(url, data={"email": "tess@school.test", "display_name": "Other Name"})
    link = invitation_link(client.get(url).text, "tess@school.test")
    client.post("/logout")
    page = client.get(link)
    assert page.status_code == 200 and "Sign in as tess@school.test" in page.text
    assert client.post(link, data={"display_name": "X", "password": "a new password"}
                       ).status_code == 200  # no password is set here for a proved account
    client.post("/login", data={"email": tess.email, "password": PASSWORD})
    accepted = client.post(link, data={})
    assert accepted.status_code == 302
    assert role_of(app, "tess@school.test", course) == "ta"
    with app.app_context():
        assert db.session.get(User, tess.id).display_name == "Tess Assistant"
    assert client.get(link).status_code == 422  # the link worked once
    [event] = events(app, "course.invitation_accepted")
    assert event.actor_id == tess.id and event.after["role"] == "ta"


def test_a_new_address_makes_its_account_from_the_invitation(app, client, staff_page):
    course, _, url = staff_page
    client.post(url, data={"email": "new.ta@school.test", "display_name": "Nia TA"})
    link = invitation_link(client.get(url).text, "new.ta@school.test")
    assert "/invitations/" in link and link.startswith("http://moderation.test/")
    client.post("/logout")
    page = client.get(link).text
    assert 'value="Nia TA"' in page  # the name the instructor typed, offered
    short = client.post(link, data={"display_name": "Nia TA", "password": "short"})
    assert short.status_code == 422 and role_of(app, "new.ta@school.test", course) is None
    accepted = client.post(link, data={"display_name": "Nia Teaching", "password": PASSWORD})
    assert accepted.status_code == 302
    assert role_of(app, "new.ta@school.test", course) == "ta"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.ta@school.test"))
        assert user.display_name == "Nia Teaching" and user.email_verified
    assert client.get(f"/teach/courses/{course.id}/queue").status_code == 200  # signed in


def test_whoever_typed_an_address_at_sign_up_never_becomes_staff_by_it(
        app, client, staff_page, make_user):
    """A pre-account takeover: a stranger signs up with the future TA's address."""
    course, _, url = staff_page
    squatter = make_user("Mallory", email="future.ta@school.test", verified=False)
    mallory = app.test_client()
    mallory.post("/login", data={"email": squatter.email, "password": PASSWORD})
    client.post(url, data={"email": "future.ta@school.test"})
    assert role_of(app, "future.ta@school.test", course) is None
    assert mallory.get(f"/teach/courses/{course.id}/queue").status_code == 404
    # The real holder opens the invitation (mailed to the address, or handed to them):
    link = invitation_link(client.get(url).text, "future.ta@school.test")
    client.post("/logout")
    assert "Choose your password" in client.get(link).text
    client.post(link, data={"display_name": "Fay Real", "password": "the real one's password"})
    assert role_of(app, "future.ta@school.test", course) == "ta"
    # The squatter's sessions ended, and their password no longer opens the account.
    assert mallory.get("/").status_code == 302
    assert mallory.post("/login", data={"email": squatter.email, "password": PASSWORD}
                        ).status_code == 401
    [claimed] = events(app, "user.address_claimed")
    assert claimed.before["name"] == "Mallory" and claimed.after["name"] == "Fay Real"


def test_a_cancelled_invitation_link_stops_working(app, client, staff_page):
    course, _, url = staff_page
    client.post(url, data={"email": "new.ta@school.test"})
    page = client.get(url).text
    link = invitation_link(page, "new.ta@school.test")
    cancel = page.split('/staff/invitations/')[1].split('"')[0]
    form = form_fields(page, f"{url}/invitations/{cancel}")
    assert client.post(f"{url}/invitations/{cancel}", data=form).status_code == 302
    assert 'aria-label="Invitation link for new.ta@school.test"' not in client.get(url).text
    client.post("/logout")
    assert client.get(link).status_code == 422


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
    assert events(app, "course.invited") == []


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
