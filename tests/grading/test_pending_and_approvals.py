"""Issue 17, items 1 and 2: students whose comments await moderation are left alone by
Accept and Release and named on the page; "missing" means posted nothing; an instructor's
approval of a held response earns what its measures earn."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import CommentStatus, Grade, RejectionReason, Severity
from moderation.services.comments import decisions
from moderation.services.errors import InvalidInput
from moderation.services.grades import sheet
from tests.grading.conftest import reload
from tests.grading.fresh import stale_suggestions

TEXT = ("The withdrawal shows the limits of the court more than it weakens it, because the "
        "treaty was never ratified and the court depends on states to act.")


def grade_of(discussion, student) -> Grade | None:
    return db.session.scalar(select(Grade).where(Grade.discussion_id == discussion.id,
                                                 Grade.student_id == student.id))


@pytest.fixture
def class_of_four(app, graded_course, make_user, enrol, make_comment):
    """Amara posted and was approved; Sam's response waits; Kai and Lee were rejected; and
    Noor posted nothing."""
    c = graded_course
    c.lee, c.noor = make_user("Lee Park"), make_user("Noor Haddad")
    enrol(c.lee, c.course)
    enrol(c.noor, c.course)
    make_comment(c.discussion, c.amara)
    c.sam_pending = make_comment(c.discussion, c.sam, status=CommentStatus.PENDING)
    make_comment(c.discussion, c.kai, status=CommentStatus.REJECTED)
    make_comment(c.discussion, c.lee, status=CommentStatus.REJECTED)
    return c


def test_accept_leaves_students_with_pending_comments_alone_and_names_them(
        app, client, login_as, class_of_four):
    c = class_of_four
    login_as(c.teacher)
    page = client.get(f"/teach/discussions/{c.discussion.id}/grades").text
    # The header counts only who posted nothing at all, and says who waits for moderation.
    assert "1 posted nothing" in page
    assert re.search(r'<a href="/teach/discussions/\d+/queue">1 student has comments '
                     r'awaiting moderation</a>:\s*<bdi>Sam Rivera</bdi> \(1\)', page)
    assert page.count("missing</mark>") == 1  # Noor only, not the rejected Kai and Lee
    assert "Accept suggestions for the 4 ungraded" in page  # not Sam
    response = client.post(f"/teach/discussions/{c.discussion.id}/grades/accept",
                           follow_redirects=True)
    assert "Accepted 4 suggested scores (1 who posted nothing got 0)." in response.text
    assert "Not accepted for 1 student whose comments await moderation: Sam Rivera." \
        in response.text
    with app.app_context():
        discussion = reload(c.discussion)
        assert grade_of(discussion, c.sam).score is None  # left alone
        kai = grade_of(discussion, c.kai)
        assert kai.score == 0 and kai.breakdown["missing"] is False
        assert "Nothing approved: 1 was rejected." in kai.breakdown["notes"]
        assert grade_of(discussion, c.noor).breakdown["missing"] is True
        # Approving Sam's comment later: the suggestion follows, Sam can then be accepted.
        teacher = reload(c.teacher)
        decisions.approve(decisions.locked(c.sam_pending.id, teacher), teacher,
                          CommentStatus.PENDING)
        db.session.commit()
        assert grade_of(discussion, c.sam).suggested_score == 6
        assert stale_suggestions(c.course.id) == []


def test_release_leaves_students_with_pending_comments_alone_unless_asked_by_name(
        app, client, login_as, class_of_four):
    c = class_of_four
    with app.app_context():
        discussion, teacher = reload(c.discussion), reload(c.teacher)
        for student in (c.amara, c.sam):
            sheet.save_grade(discussion, student.id, teacher,
                               sheet.GradeEntry(7, None, None, version=1))
        db.session.commit()
    login_as(c.teacher)
    page = client.get(f"/teach/discussions/{c.discussion.id}/grades").text
    assert "Release 1 grade to students" in page  # Amara's; Sam's waits
    assert "Release anyway" in page
    response = client.post(f"/teach/discussions/{c.discussion.id}/grades/release",
                           follow_redirects=True)
    assert "Released 1 grade." in response.text
    assert "Not released for 1 student whose comments await moderation: Sam Rivera." \
        in response.text
    with app.app_context():
        discussion = reload(c.discussion)
        assert grade_of(discussion, c.amara).released
        sam = grade_of(discussion, c.sam)
        assert not sam.released
        # One row's button that did not say so is refused, naming the student.
        with pytest.raises(InvalidInput, match="Sam Rivera has 1 comment awaiting"):
            sheet.set_released(discussion, reload(c.teacher), True, student_id=c.sam.id,
                                 version=sam.version_id)
        db.session.rollback()
        # Every remaining grade waiting: a clear refusal, nothing changed.
        with pytest.raises(InvalidInput, match=r"await moderation \(Sam Rivera\)"):
            sheet.set_released(discussion, reload(c.teacher), True)
        db.session.rollback()
        version = grade_of(discussion, c.sam).version_id
    # The row's "Release anyway" says how many wait; it releases.
    response = client.post(
        f"/teach/discussions/{c.discussion.id}/grades/{c.sam.id}/release",
        data={f"r{c.sam.id}-version": version, f"r{c.sam.id}-awaiting": 1})
    assert response.status_code == 303
    with app.app_context():
        assert grade_of(reload(c.discussion), c.sam).released


def test_an_approval_after_a_quality_hold_earns_the_substantive_points(app, graded_course,
                                                                      make_comment):
    c = graded_course
    spelling = make_comment(c.discussion, c.amara, status=CommentStatus.PENDING,
                            flags=(("spelling", Severity.HOLD),
                                   ("empty_citation", Severity.HOLD)))
    short = make_comment(c.discussion, c.kai, "Too short.", status=CommentStatus.PENDING,
                         flags=(("too_short", Severity.HOLD),))
    with app.app_context():
        teacher = reload(c.teacher)
        for held in (spelling, short):
            decisions.approve(decisions.locked(held.id, teacher), teacher, CommentStatus.PENDING)
        db.session.commit()
        discussion = reload(c.discussion)
        amara = grade_of(discussion, c.amara)
        assert amara.suggested_score == 6  # 4 substantive + on time + readable
        assert amara.breakdown["lines"][0]["detail"] == (
            "Response of 27 words (asked 5–200 words); approved by the instructor after a "
            "hold for empty_citation, spelling")
        # The word range is measured, not held: an approved short response still misses it.
        kai = grade_of(discussion, c.kai)
        assert kai.breakdown["lines"][0]["earned"] == 0
        assert kai.breakdown["lines"][0]["detail"] == (
            "Response of 2 words, fewer than asked (5–200 words); approved by the instructor "
            "after a hold for too_short")
        # Reopened, it waits again: the hold counts once more until someone approves it.
        decisions.reopen(decisions.locked(spelling.id, teacher), teacher,
                         CommentStatus.APPROVED)
        db.session.commit()
        assert grade_of(discussion, c.amara).suggested_score == 0
        assert stale_suggestions(c.course.id) == []


def test_the_grading_page_says_what_an_approval_changes_before_accept(client, login_as,
                                                                       graded_course):
    login_as(graded_course.teacher)
    page = client.get(f"/teach/discussions/{graded_course.discussion.id}/grades").text
    said = page.index("Approving a response a rule held lifts the hold")
    assert said < page.index("Accept suggestions for the")
    assert "the word range, reading grade, timing and sources are still measured" in page


def test_a_rejection_is_not_missing_and_says_so(app, graded_course, make_comment):
    c = graded_course
    make_comment(c.discussion, c.kai, status=CommentStatus.REJECTED)
    with app.app_context():
        [row] = [r for r in sheet.sheet(reload(c.discussion)) if r.student.id == c.kai.id]
        assert not row.suggestion.missing and row.suggestion.score == 0
        assert row.suggestion.notes == ("Nothing approved: 1 was rejected.",)
        # A student with nothing at all is the only one missing.
        assert [r.student.id for r in sheet.sheet(reload(c.discussion))
                if r.suggestion.missing] == [c.amara.id, c.sam.id]


def test_decisions_in_bulk_follow_through_to_the_stored_suggestions(app, graded_course,
                                                                     make_comment):
    c = graded_course
    pending = [make_comment(c.discussion, s, status=CommentStatus.PENDING)
               for s in (c.amara, c.sam, c.kai)]
    with app.app_context():
        teacher = reload(c.teacher)
        decisions.bulk(c.course.id, [p.id for p in pending[:2]], teacher,
                       decisions.Decision(CommentStatus.APPROVED), CommentStatus.PENDING)
        decisions.bulk(c.course.id, [pending[2].id], teacher,
                       decisions.Decision(CommentStatus.REJECTED, RejectionReason.OFF_TOPIC),
                       CommentStatus.PENDING)
        db.session.commit()
        assert stale_suggestions(c.course.id) == []
        assert grade_of(reload(c.discussion), c.kai).breakdown["awaiting"] == 0
