"""In a real Chromium: a student reads why a comment was rejected, revises it, resubmits."""

from __future__ import annotations

import re

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Discussion, RejectionReason
from moderation.services.comments import decisions, posting
from tests.browser.conftest import BROWSER, sign_in
from tests.conftest import instructor_of

pytestmark = BROWSER

ORIGINAL = "The court lost its power when the state withdrew, as everyone says it did."
ADDED = " According to Smith (2019), the treaty was never ratified by the state."


def test_a_student_revises_a_rejected_comment(app, page, server, make_user, make_course,
                                              make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, min_words=10, max_words=200, moderation_mode="all")
    student = make_user("Robin Student")
    enrol(student, course)
    teacher = instructor_of(app, course)
    with app.app_context():
        comment = posting.submit_comment(db.session.get(Discussion, discussion.id),
                                       db.session.merge(student), ORIGINAL, "t").comment
        teacher_row = db.session.merge(teacher)
        decisions.reject(decisions.locked(comment.id, teacher_row), teacher_row,
                         RejectionReason.NEEDS_CITATION, "Who says so? Name your source.",
                         None)
        db.session.commit()
        comment_id = comment.id

    sign_in(page, server, student)
    assert "My comments (1 to revise)" in page.locator("header nav").inner_text()
    page.goto(f"{server}/discussions/{discussion.id}")
    rejected = page.locator(f"#comment-{comment_id}")
    assert "Rejected · only you can see this" in rejected.inner_text()
    assert "Reason: Needs a citation." in rejected.inner_text()
    assert "Who says so? Name your source." in rejected.inner_text()

    rejected.get_by_role("button", name="Revise").click()
    page.wait_for_url(f"{server}/comments/{comment_id}/revise")
    body = page.locator("#body")
    assert body.input_value() == ORIGINAL
    feedback = page.locator(".live-feedback")
    # The form opens with text, so the preview runs at once, then again while typing.
    feedback.filter(has_text="reading level: grade").wait_for()
    assert "14 words (asked: 10–200)" in feedback.inner_text()
    body.press("End")
    body.press_sequentially(ADDED)
    feedback.filter(has_text=re.compile(r"^26 words .*reading level")).wait_for()

    page.get_by_role("button", name="Submit the revision").click()
    page.wait_for_url(re.compile(rf"{re.escape(server)}/discussions/{discussion.id}\?at=\d+#comment-\d+"))
    assert "Your revision went back to Ina Structor, who rejected the comment" in \
        page.locator(".flash").inner_text()
    revision = page.locator(".comment.pending").filter(has_text="Smith (2019)")
    assert "Awaiting moderation" in revision.inner_text()
    assert page.locator(f"#comment-{comment_id}").count() == 0  # the revision took its place
    assert "to revise" not in page.locator("header nav").inner_text()
    with app.app_context():
        stored = db.session.scalar(select(Comment).where(Comment.revision_of_id == comment_id))
        assert stored.body == ORIGINAL + ADDED and stored.status == CommentStatus.PENDING
