"""Issue 17, item 6: the moderation modes a user can tell apart, and nothing else.

"none" published what no rule held, exactly as "flagged" did: it is gone (migration 0006
merges it into "flagged"; tests/test_migrations.py), and the form offers the two that differ.
"""

from __future__ import annotations

import re

import pytest

from moderation.extensions import db
from moderation.models import Discussion
from tests.conftest import instructor_of
from tests.test_discussions import FORM

CLEAN = ("The withdrawal shows the limits of the court more than it weakens it, because the "
         "treaty was never ratified and the court depends on states to act.")


def test_the_form_offers_two_modes_that_say_what_they_do(app, client, make_course, login_as):
    course = make_course()
    login_as(instructor_of(app, course))
    page = client.get(f"/teach/courses/{course.id}/discussions/new").text
    select = re.search(r'<select[^>]*id="moderation_mode".*?</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option[^>]*value="(\w+)"[^>]*>([^<]+)</option>', select.group())
    assert dict(options) == {
        "flagged": "Publish at once unless a rule holds the comment",
        "all": "Every comment waits for approval"}
    assert "a revision of a comment you rejected comes back to you first" in page
    refused = client.post(f"/teach/courses/{course.id}/discussions/new",
                          data=FORM | {"moderation_mode": "none"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.text


@pytest.mark.parametrize(("mode", "outcome", "summary"), [
    ("flagged", "posted", "This will be posted when you submit."),
    ("all", "held", "Every comment in this discussion waits for your instructor before "
                    "classmates see it."),
])
def test_a_student_can_tell_the_modes_apart_before_submitting(app, client, make_course,
                                                              make_discussion, make_user,
                                                              enrol, login_as, mode, outcome,
                                                              summary):
    course = make_course()
    discussion = make_discussion(course, moderation_mode=mode)
    student = make_user()
    enrol(student, course)
    login_as(student)
    said = client.post(f"/discussions/{discussion.id}/preview", json={"body": CLEAN}).get_json()
    assert (said["outcome"], said["summary"]) == (outcome, summary)
    client.post(f"/discussions/{discussion.id}/comments",
                data={"body": CLEAN, "submission_token": "t1"})
    with app.app_context():
        [comment] = db.session.get(Discussion, discussion.id).comments
        assert comment.status.value == ("approved" if mode == "flagged" else "pending")
