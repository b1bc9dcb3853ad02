"""In a real Chromium: live feedback while typing, and one row from a double click."""

from __future__ import annotations

from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment
from tests.browser.conftest import BROWSER, sign_in

pytestmark = BROWSER


def test_live_feedback_while_typing(page, server, student_in_discussion):
    student, discussion = student_in_discussion
    sign_in(page, server, student)
    page.goto(f"{server}/discussions/{discussion.id}")
    page.locator("#body").press_sequentially("According to , the court has no power.")
    feedback = page.locator(".live-feedback")
    feedback.filter(has_text="reading level: grade").wait_for()
    assert "7 words (asked: 10–200)" in feedback.inner_text()
    findings = page.locator(".live-findings li")
    findings.filter(has_text="A citation is missing its source").wait_for()
    assert "out-of-range" in (feedback.get_attribute("class") or "")


def test_double_click_makes_one_comment(app, page, server, student_in_discussion):
    student, discussion = student_in_discussion
    sign_in(page, server, student)
    page.goto(f"{server}/discussions/{discussion.id}")
    page.fill("#body", "The withdrawal mostly shows the limits of the court, since the "
                       "treaty was never ratified by the state.")
    page.dblclick("#comment-form button[type=submit]")
    page.wait_for_url(f"{server}/discussions/{discussion.id}?at=*#comment-*")
    page.locator(".comment").filter(has_text="never ratified").first.wait_for()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
