"""An address grants nothing until its holder proves it: sign-up, links, roster, takeover."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import AuditEvent, Course, Invitation, Membership, Role, User
from moderation.services import accounts, courses
from tests.conftest import PASSWORD, instructor_of, link_in, received

DATA = Path(__file__).parent / "data"


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def membership(app, email: str, course: Course) -> Membership | None:
    with app.app_context():
        user = accounts.find_user(email)
        found = user and courses.membership_of(user, db.session.get(Course, course.id))
        if found:
            db.session.expunge(found)
        return found


def test_sign_up_answers_the_same_whatever_the_address_and_makes_nothing(
        app, client, mailed, make_user, make_course):
    course = make_course()
    make_user("Vera Verified", email="vera@school.test")
    make_user("Una Unproved", email="una@school.test", verified=False)
    with app.app_context():
        before = users()
    pages = {}
    for email in ("vera@school.test", "una@school.test", "new@school.test"):
        response = app.test_client().post("/signup", data={
            "display_name": "Someone", "email": email, "join_code": course.join_code})
        assert response.status_code == 200
        pages[email] = response.text.replace(email, "EMAIL")
    assert pages["vera@school.test"] == pages["una@school.test"] == pages["new@school.test"]
    assert "Check your email" in pages["new@school.test"]
    with app.app_context():
        assert users() == before  # nothing is made until the link is opened
        assert db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.course_id == course.id)) == 1  # the instructor alone
    assert sorted(m["To"] for m in received(mailed)) == [
        "new@school.test", "una@school.test", "vera@school.test"]


def test_the_mailed_link_makes_the_account_joins_the_course_and_works_once(
        app, client, mailed, make_course):
    course = make_course()
    client.post("/signup", data={"display_name": "Nia New", "email": "Nia@School.test",
                                 "join_code": course.join_code})
    [message] = received(mailed)
    assert message["Subject"] == "Finish joining Course"
    link = link_in(message)
    page = client.get(link)
    assert page.status_code == 200 and 'value="Nia New"' in page.text
    done = client.post(link, data={"display_name": "Nia New", "password": PASSWORD})
    assert done.status_code == 302
    assert done.headers["Location"] == f"/courses/{course.id}"
    joined = membership(app, "nia@school.test", course)
    assert joined is not None and joined.role == Role.STUDENT
    with app.app_context():
        assert accounts.find_user("nia@school.test").email_verified
    client.post("/logout")
    assert client.get(link).status_code == 422  # used
    assert client.post("/login", data={"email": "nia@school.test", "password": PASSWORD}
                       ).status_code == 302


def test_a_verified_address_is_told_it_has_an_account_and_its_password_stays(
        app, client, mailed, make_user, make_course):
    course = make_course()
    vera = make_user("Vera Verified", email="vera@school.test")
    client.post("/signup", data={"display_name": "Mallory", "email": vera.email,
                                 "join_code": course.join_code})
    [message] = received(mailed)
    assert "already has an account" in message.get_content()
    assert membership(app, vera.email, course) is None
    assert client.post("/login", data={"email": vera.email, "password": PASSWORD}
                       ).status_code == 302


def test_whoever_proves_an_address_takes_it_from_its_unproved_holder(
        app, client, mailed, make_user, make_course):
    """A stranger signed up (before mail was set up) with someone else's address."""
    course = make_course()
    squatter = make_user("Mallory", email="fay@school.test", verified=False)
    mallory = app.test_client()
    assert mallory.post("/login", data={"email": squatter.email, "password": PASSWORD}
                        ).status_code == 302
    client.post("/signup", data={"display_name": "Fay Real", "email": "fay@school.test",
                                 "join_code": course.join_code})
    link = link_in(received(mailed)[0])
    page = client.get(link).text
    assert "Choose your password" in page and "anyone signed in to it is signed out" in page
    client.post(link, data={"display_name": "Fay Real", "password": "fay's own password"})
    assert mallory.get("/").status_code == 302  # signed out everywhere
    assert mallory.post("/login", data={"email": "fay@school.test", "password": PASSWORD}
                        ).status_code == 401
    with app.app_context():
        fay = accounts.find_user("fay@school.test")
        assert (fay.id, fay.display_name, fay.email_verified) == (squatter.id, "Fay Real",
                                                                   True)
    assert membership(app, "fay@school.test", course) is not None


def test_a_signed_in_holder_confirms_from_the_banner_without_a_new_password(
        app, client, mailed, make_user):
    una = make_user("Una Unproved", email="una@school.test", verified=False)
    client.post("/login", data={"email": una.email, "password": PASSWORD})
    home = client.get("/").text
    assert "Confirm that una@school.test is your address" in home
    client.post("/account/confirm-email", data={"next": "/my/comments"})
    [message] = received(mailed)
    link = link_in(message)
    page = client.get(link).text
    assert "Confirm your address" in page and "password" not in page.lower().split(
        "<form")[1]
    assert client.post(link, data={}).status_code == 302
    with app.app_context():
        assert accounts.find_user(una.email).email_verified
    assert "Confirm that" not in client.get("/").text
    assert client.post("/login", data={"email": una.email, "password": PASSWORD}
                       ).status_code == 302  # the password is unchanged


def test_forgot_password_mails_a_link_only_to_an_account_and_answers_the_same(
        app, client, mailed, make_user):
    vera = make_user("Vera Verified", email="vera@school.test")
    assert "Forgot your password?" in client.get("/login").text
    known = client.post("/password/forgot", data={"email": vera.email})
    unknown = client.post("/password/forgot", data={"email": "nobody@school.test"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(vera.email, "X") == unknown.text.replace("nobody@school.test", "X")
    [message] = received(mailed)
    assert message["To"] == vera.email and message["Subject"] == "Set a new password"
    link = link_in(message)
    client.post(link, data={"display_name": "Vera Verified", "password": "a brand new one"})
    client.post("/logout")
    assert client.post("/login", data={"email": vera.email, "password": "a brand new one"}
                       ).status_code == 302
    assert client.get(link).status_code == 422


def test_roster_lines_of_unproved_addresses_become_invitations(
        app, client, login_as, make_user, make_course):
    """The squatter joined by code; the roster line (with its LMS ids) is not theirs."""
    course = make_course()
    teacher = instructor_of(app, course)
    squatter = make_user("Mallory", email="aokafor@school.test", verified=False)
    mallory = app.test_client()
    mallory.post("/login", data={"email": squatter.email, "password": PASSWORD})
    assert mallory.post("/courses/join", data={"join_code": course.join_code}
                        ).status_code == 302
    login_as(teacher)
    url = f"/teach/courses/{course.id}/roster"
    with (DATA / "canvas_gradebook.csv").open("rb") as fh:
        imported = client.post(url, data={"file": (fh, "roster.csv")})
    assert imported.status_code == 302
    page = client.get(url).text
    assert "1 invited (aokafor@school.test)" in page
    assert 'aria-label="Invitation link for aokafor@school.test"' in page
    joined = membership(app, "aokafor@school.test", course)
    assert joined.lms_user_id is None and joined.sis_user_id is None  # the line waits
    with app.app_context():
        [invited] = db.session.scalars(select(Invitation)).all()
        assert (invited.email, invited.lms_user_id, invited.role) == (
            "aokafor@school.test", "7", Role.STUDENT)
    # The real student opens the link: the account and its place become theirs.
    link = page.split('aria-label="Invitation link for aokafor@school.test" ')[0]
    link = link.rsplit('value="', 1)[1].split('"')[0].split("moderation.test", 1)[1]
    student = app.test_client()
    student.post(link, data={"display_name": "Amara Okafor", "password": "amara's password"})
    assert mallory.get("/").status_code == 302
    joined = membership(app, "aokafor@school.test", course)
    assert (joined.lms_user_id, joined.sis_user_id) == ("7", "S1007")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "course.invitation_accepted")) == 1


def test_without_mail_sign_up_is_immediate_and_the_address_stays_unproved(app, client,
                                                                          make_course):
    course = make_course()
    response = client.post("/signup", data={"display_name": "Ola", "email": "ola@school.test",
                                            "password": PASSWORD,
                                            "join_code": course.join_code})
    assert response.status_code == 302
    with app.app_context():
        assert not accounts.find_user("ola@school.test").email_verified
    assert "Forgot your password?" not in client.get("/login").text


def test_make_run_prints_mail_on_the_console(app, client, capsys, make_course):
    """`make run` turns MAIL_CONSOLE on when no mail server is set: sign-up works end to end."""
    app.config.update(MAIL_CONSOLE=True)
    course = make_course()
    client.post("/signup", data={"display_name": "Dev", "email": "dev@school.test",
                                 "join_code": course.join_code})
    out = capsys.readouterr().out
    assert "To: dev@school.test" in out and "http://moderation.test/email/" in out


@pytest.mark.parametrize("state", ["expired", "forged"])
def test_a_bad_link_is_refused_with_a_page_and_no_session(app, client, mailed, make_course,
                                                          state):
    course = make_course()
    client.post("/signup", data={"display_name": "Nia", "email": "nia@school.test",
                                 "join_code": course.join_code})
    link = link_in(received(mailed)[0])
    if state == "expired":
        app.config["EMAIL_LINK_MAX_AGE_HOURS"] = -1
    else:
        link = link[:-3] + "abc"
    response = client.post(link, data={"display_name": "Nia", "password": PASSWORD})
    assert response.status_code in (404, 422)
    assert client.get("/").status_code == 302
    with app.app_context():
        assert accounts.find_user("nia@school.test") is None
