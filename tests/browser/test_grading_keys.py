# ruff: noqa: F811 - the fixtures imported from tests/grading/conftest.py are parameters here
"""In Chromium: the keys of the per-student grading page, the queue's bulk key, the skip link."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Grade
from tests.browser.conftest import BROWSER, sign_in
from tests.grading.conftest import graded_course, make_comment  # noqa: F401 - fixtures

pytestmark = BROWSER


def test_grading_one_student_after_another_by_keyboard(
        app, page, server, graded_course, make_comment):  # noqa: F811 - fixtures
    c = graded_course  # the page's order: Nguyen Kai, Okafor Amara, Rivera Sam
    make_comment(c.discussion, c.kai)
    sign_in(page, server, c.teacher)
    base = f"{server}/teach/discussions/{c.discussion.id}/grades"
    page.goto(f"{base}/{c.kai.id}")

    # The skip link is the first stop of Tab and takes the focus past the navigation.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("?")
    help_box = page.locator("#keys-help")
    expect(help_box).to_be_visible()
    assert "use the suggested score" in help_box.inner_text()
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()

    suggested = page.get_by_role("button", name="Use the suggestion").get_attribute("data-value")
    page.keyboard.press("u")  # the suggestion goes into the score, which has the focus
    score = page.get_by_label("Score")
    expect(score).to_be_focused()
    assert float(score.input_value()) == float(suggested) > 0
    page.keyboard.press("Enter")  # Save and next
    page.wait_for_url(f"{base}/{c.amara.id}")
    page.locator(".flash").filter(has_text="Saved Kai Nguyen's grade.").wait_for()

    page.keyboard.press("s")
    expect(score).to_be_focused()
    page.keyboard.type("6")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Feedback")).to_be_focused()
    page.keyboard.type("Reply to a classmate next time.")
    page.keyboard.press("Control+Enter")  # from the feedback: Save and next
    page.wait_for_url(f"{base}/{c.sam.id}")
    page.keyboard.press("f")
    expect(page.get_by_label("Feedback")).to_be_focused()
    page.keyboard.press("Escape")  # out of the field: the keys work again
    page.keyboard.press("k")  # back to the previous student
    page.wait_for_url(f"{base}/{c.amara.id}")
    with app.app_context():
        grades = {g.student_id: g for g in db.session.scalars(select(Grade))}
        assert float(grades[c.kai.id].score) == float(suggested)
        assert (float(grades[c.amara.id].score), grades[c.amara.id].feedback) == (
            6, "Reply to a classmate next time.")


def test_the_bulk_decision_on_a_key(app, page, server, graded_course,
                                    make_comment):  # noqa: F811 - fixtures
    c = graded_course
    ids = [make_comment(c.discussion, s, status=CommentStatus.PENDING).id
           for s in (c.kai, c.amara, c.sam)]
    sign_in(page, server, c.teacher)
    page.goto(f"{server}/teach/discussions/{c.discussion.id}/queue")
    expect(page.locator(f"#row-{ids[0]}")).to_be_focused()
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("[data-selected-count]")).to_have_text("2 selected:")
    page.keyboard.press("b")  # apply the bulk bar's decision (Approve) to the two
    page.locator(".flash").filter(has_text="Approved 2").wait_for()
    with app.app_context():
        assert [db.session.get(Comment, i).status for i in ids] == [
            CommentStatus.APPROVED, CommentStatus.APPROVED, CommentStatus.PENDING]
