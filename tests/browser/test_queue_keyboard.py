"""In a real Chromium: the instructor works the queue with the keyboard alone."""

from __future__ import annotations

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import AuditEvent, Comment, CommentStatus, Discussion, User
from moderation.services.comments import posting
from tests.browser.conftest import BROWSER, CHROMIUM, FLAGS, sign_in
from tests.conftest import instructor_of

pytestmark = BROWSER


def held(app, discussion, student, text, token):
    with app.app_context():
        comment = posting.submit_comment(db.session.get(Discussion, discussion.id),
                                       db.session.get(User, student.id), text, token).comment
        assert comment.status == CommentStatus.PENDING
        db.session.commit()
        return comment.id


def test_working_the_queue_with_the_keyboard(app, page, server, make_user, make_course,
                                            make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, min_words=10)
    students = [make_user(f"Student {n}") for n in range(3)]
    for s in students:
        enrol(s, course)
    ids = [held(app, discussion, s, f"Too short number {n}.", f"k{n}")
           for n, s in enumerate(students)]
    sign_in(page, server, instructor_of(app, course))
    page.goto(f"{server}/teach/courses/{course.id}/queue")

    # The first comment has the focus; "a" approves it in place and focus moves on.
    assert page.evaluate("document.activeElement.id") == f"row-{ids[0]}"
    page.keyboard.press("a")
    page.wait_for_selector(f"#row-{ids[0]}.decided")
    assert page.evaluate("document.activeElement.id") == f"row-{ids[1]}"

    # "r" opens the reasons of the focused comment; choose one and submit, all by keyboard.
    page.keyboard.press("r")
    reason = page.locator(f"#row-{ids[1]} select[name=reason]")
    assert reason.evaluate("el => el === document.activeElement")
    reason.select_option("too_short")
    page.keyboard.press("Tab")
    page.keyboard.type("Please develop your point.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#row-{ids[1]}.decided")
    assert page.evaluate("document.activeElement.id") == f"row-{ids[2]}"

    # "x" selects; "?" shows the keys; "o" opens the comment, "j" there goes on.
    page.keyboard.press("x")
    assert page.locator(f"#row-{ids[2]} [data-select]").is_checked()
    page.keyboard.press("?")
    assert page.locator("#keys-help").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("o")
    page.wait_for_url(f"**/teach/comments/{ids[2]}")
    page.keyboard.press("a")  # approve from the comment's own page: back to the queue
    page.wait_for_url(f"**/teach/courses/{course.id}/queue#row-{ids[2]}")

    with app.app_context():
        statuses = dict(db.session.execute(select(Comment.id, Comment.status)).all())
        assert statuses == {ids[0]: CommentStatus.APPROVED, ids[1]: CommentStatus.REJECTED,
                            ids[2]: CommentStatus.APPROVED}
        rejected = db.session.get(Comment, ids[1])
        assert (rejected.decision_reason, rejected.decision_message) == (
            "too_short", "Please develop your point.")
        assert db.session.scalar(select(db.func.count()).select_from(AuditEvent).where(
            AuditEvent.action.like("comment.%"))) == 3


def test_every_decision_works_without_javascript(app, server, make_user, make_course,
                                                 make_discussion, enrol):
    """The same page with scripts off: plain forms post and come back to the list."""
    from playwright.sync_api import sync_playwright

    course = make_course()
    discussion = make_discussion(course, min_words=10)
    student = make_user("Student")
    enrol(student, course)
    cid = held(app, discussion, student, "Too short here.", "nojs")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, server, instructor_of(app, course))
        page.goto(f"{server}/teach/courses/{course.id}/queue")
        page.locator(f"#row-{cid} summary").click()
        page.locator(f"#row-{cid} select[name=reason]").select_option("off_topic")
        page.locator(f"#row-{cid} details form button").click()
        page.wait_for_url(f"**/teach/courses/{course.id}/queue#row-{cid}")
        assert "Rejected Student's comment" in page.content()
        browser.close()
    with app.app_context():
        assert db.session.get(Comment, cid).status == CommentStatus.REJECTED
