"""End to end against a real LTI 1.3 platform on 127.0.0.1: deep linking, setting up a link,
learners' accounts, roles, and what a launch may never do (take over an account by email)."""

from __future__ import annotations

import re

import jwt
import requests

from moderation.extensions import db
from moderation.lti.claims import CLAIM
from moderation.models import (
    Comment,
    Course,
    Discussion,
    LtiIdentity,
    LtiResourceLink,
    Membership,
    Role,
    User,
)
from moderation.services import accounts
from tests.conftest import PASSWORD
from tests.lti.conftest import launch, rows, signed_in


def set_up(client, lms, link="link1", title=None):
    """The instructor's first launch of a link, creating its discussion; its id."""
    response = launch(client, lms, "teacher", link)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Which discussion does this link open?" in page.text
    done = client.post(response.headers["Location"], data={"discussion": "new",
                                                           "title": title or "Week 1"})
    assert done.status_code == 303
    with client.application.app_context():
        found = db.session.scalar(db.select(LtiResourceLink).where(
            LtiResourceLink.resource_link_id == link))
        return found.discussion_id


def test_deep_linking_places_a_discussion_with_a_line_item(app, client, lms):
    response = launch(client, lms, "teacher", deep=True)
    assert response.status_code == 303 and "/lti/deep-link/" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Add a moderation discussion" in page.text
    back = client.post(response.headers["Location"],
                       data={"discussion": "new", "title": "Week 2: the treaty"})
    assert back.status_code == 200
    # The signed response goes to the LMS's return URL, which may be posted to (form-action).
    assert f"form-action 'self' {lms.base}" in back.headers["Content-Security-Policy"]
    action = re.search(r'<form method="post" action="([^"]+)" data-autosubmit', back.text).group(1)
    token = re.search(r'name="JWT" value="([^"]+)"', back.text).group(1)
    assert action == f"{lms.base}/deep_link_return"
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    # The LMS verifies it with the tool's published keys and records the content item.
    assert requests.post(action, data={"JWT": token}, timeout=10).status_code == 200
    [item] = lms.state.deep_links
    with app.app_context():
        discussion = db.session.scalar(db.select(Discussion).where(
            Discussion.title == "Week 2: the treaty"))
        assert item["type"] == "ltiResourceLink"
        assert item["lineItem"] == {"scoreMaximum": discussion.points_possible,
                                    "label": "Week 2: the treaty",
                                    "resourceId": str(discussion.id)}
        assert item["custom"] == {"moderation_discussion_id": str(discussion.id)}
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["aud"] == lms.issuer and claims["iss"] == "tool-client-1"
        assert claims[CLAIM["message_type"]] == "LtiDeepLinkingResponse"
        discussion_id = discussion.id
    # A learner opening the placed link lands on that discussion.
    learner = app.test_client()
    opened = launch(learner, lms, "s1", "dl1")
    assert opened.headers["Location"].endswith(f"/discussions/{discussion_id}")


def test_a_learner_launch_makes_an_account_and_lands_on_the_discussion(app, client, lms):
    lms.add_link("link1", "Week 1")
    discussion_id = set_up(client, lms)
    learner = app.test_client()
    response = launch(learner, lms, "s1", "link1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/discussions/{discussion_id}")
    page = learner.get(response.headers["Location"])
    assert page.status_code == 200 and "Week 1" in page.text
    with app.app_context():
        identity = db.session.scalar(db.select(LtiIdentity).where(LtiIdentity.sub == "s1"))
        assert identity.issuer == lms.issuer and identity.lms_email == "ada@school.test"
        user = identity.user
        assert user.display_name == "Ada Lovelace" and user.launch_only
        assert user.email.endswith("@lti.invalid")  # never the LMS's address
        membership = db.session.scalar(db.select(Membership).where(
            Membership.user_id == user.id))
        assert membership.role == Role.STUDENT
    # A response posted through the page.
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page.text)
    posted = learner.post(f"/discussions/{discussion_id}/comments", data={
        "body": "The treaty shifted the balance of power among the members.",
        "submission_token": token.group(1) if token else "t1"})
    assert posted.status_code in (302, 303), posted.text
    with app.app_context():
        [comment] = db.session.scalars(db.select(Comment))
        assert comment.author_id == user.id and comment.discussion_id == discussion_id
    # A second launch signs in the same account.
    counts = len(rows(app, LtiIdentity)), len(rows(app, User))
    again = app.test_client()
    launch(again, lms, "s1", "link1")
    assert (len(rows(app, LtiIdentity)), len(rows(app, User))) == counts


def test_a_learner_before_the_instructor_is_told_and_gets_no_session(app, client, lms):
    lms.add_link("link1", "Week 1")
    response = launch(client, lms, "s1", "link1")
    assert response.status_code == 409 and "not set up" in response.text
    assert not signed_in(client) and rows(app, Course) == [] and rows(app, User) == []
    launch(app.test_client(), lms, "teacher", "link1")  # the course exists; the link is not set
    learner = app.test_client()
    response = launch(learner, lms, "s1", "link1")
    page = learner.get(response.headers["Location"])
    assert page.status_code == 409 and "has not set up this link yet" in page.text


def test_instructor_and_ta_roles(app, client, lms):
    lms.add_link("link1", "Week 1")
    discussion_id = set_up(client, lms)
    assert client.get(f"/teach/discussions/{discussion_id}/grades").status_code == 200
    ta = app.test_client()
    response = launch(ta, lms, "ta", "link1")
    page = ta.get(response.headers["Location"])
    assert "Grades (new window)" in page.text
    assert ta.get(f"/teach/discussions/{discussion_id}/grades").status_code == 200
    with app.app_context():
        roles = {m.user.display_name: m.role for m in db.session.scalars(db.select(Membership))}
    assert roles["Ina Structor"] == Role.INSTRUCTOR and roles["Tess Assistant"] == Role.TA
    # A TA may not choose the discussion (that is managing the course).
    assert ta.post(response.headers["Location"], data={"discussion": "new"}).status_code == 403


def test_mentors_and_guests_are_refused_plainly(app, client, lms):
    lms.add_link("link1", "Week 1")
    set_up(client, lms)
    for uid, role in (("m1", "mentor"), ("g1", "guest")):
        lms.add_person(uid, "Someone", role)
        browser = app.test_client()
        before = len(rows(app, User))
        response = launch(browser, lms, uid, "link1")
        assert response.status_code == 403
        assert "Mentors cannot" in response.text or "not one moderation knows" in response.text
        assert not signed_in(browser) and len(rows(app, User)) == before


def test_an_lms_email_never_takes_over_an_account_made_here(app, client, lms):
    with app.app_context():
        own = accounts.create_user("ada@school.test", "Ada Here", PASSWORD, verified=True)
        db.session.commit()
        own_id, own_token = own.id, own.session_token
    lms.add_link("link1", "Week 1")
    set_up(client, lms)
    learner = app.test_client()
    launch(learner, lms, "s1", "link1")  # the LMS says s1's email is ada@school.test
    with app.app_context():
        identity = db.session.scalar(db.select(LtiIdentity).where(LtiIdentity.sub == "s1"))
        assert identity.user_id != own_id
        own = db.session.get(User, own_id)
        assert own.session_token == own_token and own.memberships == []


def test_linking_needs_the_launch_and_the_password(app, client, lms):
    with app.app_context():
        accounts.create_user("ada@school.test", "Ada Here", PASSWORD, verified=True)
        db.session.commit()
    lms.add_link("link1", "Week 1")
    discussion_id = set_up(client, lms)
    learner = app.test_client()
    launch(learner, lms, "s1", "link1")
    offer = learner.get("/lti/link-account")
    link = re.search(r'href="(/lti/link-account/[^"]+)"', offer.text).group(1)
    window = app.test_client()  # a new window: signed in here with the password first
    assert window.get(link).status_code == 302  # to the sign-in page
    window.post("/login", data={"email": "ada@school.test", "password": PASSWORD})
    assert "Link this account" in window.get(link).text
    assert window.post(link).status_code == 200
    assert window.post(link).status_code == 422  # once only
    # The next launch signs in as the account made here, in the course.
    again = app.test_client()
    response = launch(again, lms, "s1", "link1")
    assert response.headers["Location"].endswith(f"/discussions/{discussion_id}")
    with app.app_context():
        identity = db.session.scalar(db.select(LtiIdentity).where(LtiIdentity.sub == "s1"))
        assert identity.user.email == "ada@school.test"
        assert identity.user.memberships[0].role == Role.STUDENT


def test_over_https_the_state_and_session_cookies_are_samesite_none(app, client, lms):
    lms.add_link("link1", "Week 1")
    set_up(app.test_client(), lms)
    for secure in (False, True):
        app.config["SESSION_COOKIE_SECURE"] = secure  # as a request over HTTPS makes it
        browser = app.test_client()
        start = requests.get(lms.start_url("s1", "link1"), allow_redirects=False, timeout=10)
        login = browser.get(start.headers["Location"].split("moderation.test", 1)[1])
        state_cookie = login.headers["Set-Cookie"]
        query = dict(p.split("=", 1) for p in login.headers["Location"].split("?", 1)[1]
                     .split("&"))
        from tests.lti.conftest import Begun, answer

        done = browser.post("/lti/launch", data=answer(Begun(
            requests.utils.unquote(query["state"]), "", login.headers["Location"])))
        session_cookie = next(c for c in done.headers.getlist("Set-Cookie")
                              if c.startswith("session="))
        for cookie in (state_cookie, session_cookie):
            assert "HttpOnly" in cookie
            if secure:
                assert "SameSite=None" in cookie and "Secure" in cookie, cookie
            else:
                assert "SameSite=Lax" in cookie and "Secure" not in cookie, cookie
