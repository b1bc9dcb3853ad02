"""In a real Chromium: live feedback while typing, and one row from a double click."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment, Course, Discussion, User
from moderation.services.comments import posting
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


CLASSMATE = ("Withdrawing a signature is mostly a statement to voters at home, not a legal act, "
             "and the court keeps its reach over what happened before the withdrawal.")
DRAFTS = {
    "too short": "The court has no power.",
    "banned word": "This ruling is complete fcuking nonsense, and the judges should know that "
                   "the treaty still binds them.",
    "copied": CLASSMATE,
    "fine": "Judges depend on states to arrest suspects, which is why the treaty matters even "
            "for countries that never signed it.",
}


@pytest.fixture
def with_classmate(app, student_in_discussion, make_user, enrol):
    """The discussion with a classmate's comment to copy."""
    student, discussion = student_in_discussion
    classmate = make_user("Casey Classmate")
    with app.app_context():
        course = db.session.get(Course, discussion.course_id)
        db.session.expunge(course)
    enrol(classmate, course)
    with app.app_context():
        posting.submit_comment(db.session.get(Discussion, discussion.id),
                               db.session.get(User, classmate.id), CLASSMATE, "classmate-1")
        db.session.commit()
    return student, discussion


def live_text(page, server, discussion, draft: str) -> tuple[str, list[str]]:
    """Everything the live feedback says about a draft, and its findings one by one."""
    page.goto(f"{server}/discussions/{discussion.id}")
    page.fill("#body", draft)
    page.locator("#body").press("End")
    page.locator("#body").press_sequentially(" ")  # typing starts the preview
    page.locator(".live-verdict:not([hidden])").wait_for()
    page.locator(".live-feedback").filter(has_text="reading level").wait_for()
    said = [page.locator(s).inner_text() for s in (".live-feedback", ".live-verdict")]
    findings = page.locator(".live-findings li").all_inner_texts()
    return "\n".join([*said, *findings]), findings


def test_the_live_verdict_says_each_thing_once(page, server, with_classmate):
    student, discussion = with_classmate
    sign_in(page, server, student)
    for kind, draft in DRAFTS.items():
        text, findings = live_text(page, server, discussion, draft)
        words = len(draft.split())
        assert len(re.findall(rf"\b{words} words?\b", text)) == 1, (kind, text)
        assert len(re.findall(r"\bgrade \d+", text)) <= 1, (kind, text)
        assert text.lower().count("instructor") <= 1, (kind, text)  # the outcome, once
        for finding in findings:
            message = finding.split(":", 1)[1].strip()  # after its label
            assert text.count(message) == 1, (kind, message, text)
        if kind == "too short":
            assert "Too short for this discussion." in text and "wait" in text
        if kind == "banned word":
            assert text.count("fcuking") == 1 and "would be refused" in text, text
        if kind == "copied":
            assert text.count("Casey Classmate") == 1 and text.count("100%") == 1, text
        if kind == "fine":
            assert findings == [] and "will be posted" in text, text
