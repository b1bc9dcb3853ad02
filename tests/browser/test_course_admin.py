"""In a real Chromium: the policy, staff and audit pages work, with no CSP violation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import AuditEvent, Comment, CommentStatus
from moderation.services.comments import posting
from tests.browser.conftest import BROWSER, sign_in
from tests.conftest import instructor_of

pytestmark = BROWSER

TEXT = "Sanctions would work better than withdrawal, because the treaty was never ratified."


@pytest.fixture
def course_with_comment(app, make_user, make_course, make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course)
    student = make_user("Robin Student")
    enrol(student, course)
    with app.app_context():
        posting.submit_comment(db.session.merge(discussion), db.session.merge(student), TEXT, "t")
        db.session.commit()
    return course, instructor_of(app, course)


def test_policy_rescore_staff_and_audit_pages(app, page, server, course_with_comment):
    course, teacher = course_with_comment
    problems: list[str] = []
    # A CSP violation (an inline script or style) shows as a console error.
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)
    sign_in(page, server, teacher)
    page.goto(f"{server}/teach/courses/{course.id}")
    page.get_by_role("navigation", name="Course").get_by_role("link", name="Policy").click()
    page.fill("#watched_words", "sanction")
    page.get_by_role("button", name="Save policy").click()
    summary = page.get_by_text("Rescoring would move 0 pending comments to approved and 1 to held.")
    summary.wait_for()
    page.get_by_role("button", name="Rescore 1 comment now").click()
    page.get_by_text("Rescored 1 comment: 0 moved to approved, 1 to held.").wait_for()
    with app.app_context():
        assert db.session.scalar(select(Comment.status)) == CommentStatus.PENDING

    page.get_by_role("link", name="Staff").click()
    page.fill("#email", "tess@school.test")
    page.fill("#display_name", "Tess Assistant")
    page.get_by_role("button", name="Add TA").click()
    page.get_by_text("Invited tess@school.test to be a TA.").wait_for()
    link = page.get_by_label("Invitation link for tess@school.test").input_value()
    assert "/invitations/" in link
    page.get_by_label("TAs may export grades").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("TA permissions saved.").wait_for()

    page.get_by_role("link", name="Audit log").click()
    page.get_by_role("cell", name="Rescoring changed a comment's status").wait_for()
    page.select_option("#action", label="Invited someone by email")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("email: tess@school.test").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these entries as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
            "audit.exported")
    assert problems == []
