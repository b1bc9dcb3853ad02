# ruff: noqa: F811 - the fixtures imported from tests/grading/conftest.py are parameters here
"""In Chromium, the student's discussion page: the way to the form, the confirmation where
the student is looking, a quiet empty form, whom a reply answers, the released grade."""

from __future__ import annotations

from playwright.sync_api import expect

from moderation.extensions import db
from moderation.models import Discussion, User
from moderation.services.grades import sheet
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import BROWSER, sign_in
from tests.grading.conftest import graded_course, make_comment  # noqa: F401 - fixtures

pytestmark = BROWSER

RESPONSE = ("Leaving the court changes less than it seems, because the court keeps its reach "
            "over what happened before the withdrawal took effect.")


def test_respond_reply_and_read_the_grade_on_the_discussion(
        app, page, server, graded_course, make_comment):
    c = graded_course
    classmate = make_comment(c.discussion, c.kai, "The prosecutor can still open cases about "
                             "the years before the withdrawal, so little changes at once.")
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, server, c.amara)
    page.goto(f"{server}/discussions/{c.discussion.id}")

    # The form is one link away from the top, and the empty form does not warn.
    write = page.get_by_role("button", name="Write your response")  # a link styled so
    expect(write).to_be_in_viewport()
    write.click()
    page.wait_for_url("**#comment-form")
    words = page.locator(".live-feedback")
    expect(words).to_have_text("Asked: 5–200 words.")
    assert "out-of-range" not in (words.get_attribute("class") or "")
    page.fill("#body", RESPONSE)
    page.get_by_role("button", name="Submit").click()

    # The confirmation is in the posted comment, in view and focused; none at the top.
    note = page.locator("article.comment .just-posted")
    expect(note).to_be_focused()
    expect(note).to_be_in_viewport()
    assert "posted" in note.inner_text() or "awaiting" in note.inner_text()
    assert page.locator("main > .flash").count() == 0
    assert_accessible(page, "the discussion after submitting, 375 px")

    # A reply says whom it answers and quotes the start of it.
    page.locator(f"#comment-{classmate.id}").get_by_role("link", name="Reply").click()
    replying = page.locator(".replying-to")
    expect(replying).to_contain_text("Replying to Kai Nguyen")
    expect(replying).to_contain_text("The prosecutor can still open cases")

    # Once released, the grade shows on the discussion page too.
    with app.app_context():
        d = db.session.get(Discussion, c.discussion.id)
        teacher = db.session.get(User, c.teacher.id)
        sheet.accept_suggestions(d, teacher)
        sheet.set_released(d, teacher, True)
        db.session.commit()
    page.goto(f"{server}/discussions/{c.discussion.id}")
    grade = page.locator("#my-grade")
    expect(grade).to_contain_text("Your grade")
    expect(grade).to_contain_text("/ 10")
    assert_accessible(page, "the discussion with a released grade, 375 px")
