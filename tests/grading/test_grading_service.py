"""Grading services on both databases: suggestions over stored comments, grades people set."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from moderation.extensions import db
from moderation.models import AuditEvent, CommentStatus, Course, Discussion, Grade, Severity
from moderation.services import courses
from moderation.services.comments import decisions
from moderation.services.errors import Conflict, Forbidden, InvalidInput
from moderation.services.grades import rubrics, sheet, suggestions
from tests.grading.conftest import reload


def grade_of(discussion, student) -> Grade | None:
    return db.session.scalar(select(Grade).where(Grade.discussion_id == discussion.id,
                                                 Grade.student_id == student.id))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def entry(score=None, feedback=None, quality=None, version=1):
    return sheet.GradeEntry(score=score, feedback=feedback, quality=quality, version=version)


def test_suggestion_counts_approved_comments_only(app, graded_course, make_comment):
    c = graded_course
    kai_response = make_comment(c.discussion, c.kai)
    make_comment(c.discussion, c.amara, "According to the prosecutor's report, the court "
                 "keeps its jurisdiction over the territory.")
    make_comment(c.discussion, c.amara, "I agree with this point.", parent=kai_response)
    make_comment(c.discussion, c.amara, "Yes, and the timing matters too.",
                 parent=kai_response, status=CommentStatus.PENDING)
    make_comment(c.discussion, c.amara, "No, the court is weak now.", parent=kai_response,
                 status=CommentStatus.REJECTED)
    with app.app_context():
        discussion = reload(c.discussion)
        rows = {row.student.id: row for row in sheet.sheet(discussion)}
        amara = rows[c.amara.id]
        assert [line.text for line in amara.suggestion.lines] == [
            "Response of 13 words (asked 5–200 words): 4.0 of 4 points",
            "1 of 2 replies: 1.5 of 3 points",
            "Response posted by the due date: 1.0 of 1 point",
            "Names a source: 1.0 of 1 point",
            "Reading grade 9.0 (band 4–18): 1.0 of 1 point",
        ]
        assert amara.suggestion.score == 8.5
        assert (amara.approved, amara.pending, amara.rejected) == (2, 1, 1)
        sam = rows[c.sam.id]
        assert (sam.suggestion.score, sam.suggestion.missing) == (0, True)
        assert c.ta.id not in rows  # staff are not graded


@pytest.mark.parametrize("stored", [True, False])
def test_a_source_is_read_from_what_was_stored_or_from_the_text(app, graded_course,
                                                              make_comment, stored):
    """Grading reads the stored cites_source; a row stored without it, its text."""
    from moderation.models import Comment

    c = graded_course
    make_comment(c.discussion, c.amara, "According to the prosecutor's report, the court "
                 "keeps its jurisdiction over the territory.")
    make_comment(c.discussion, c.kai, "The court keeps its jurisdiction over the territory, "
                 "as far as I can tell.")
    with app.app_context():
        if not stored:
            db.session.execute(Comment.__table__.update().values(cites_source=None))
            db.session.commit()
        rows = {row.student.id: row for row in sheet.sheet(reload(c.discussion))}
        assert "Names a source: 1.0 of 1 point" in [
            line.text for line in rows[c.amara.id].suggestion.lines]
        assert "Names a source: 1.0 of 1 point" not in [
            line.text for line in rows[c.kai.id].suggestion.lines]


def test_decisions_refresh_the_suggestion_and_never_touch_a_score(app, graded_course,
                                                                  make_comment):
    c = graded_course
    make_comment(c.discussion, c.sam)
    held = make_comment(c.discussion, c.sam, "Another reply here.",
                        parent=make_comment(c.discussion, c.kai),
                        status=CommentStatus.PENDING)
    with app.app_context():
        discussion = reload(c.discussion)  # each comment's commit stored its suggestion
        assert grade_of(discussion, c.sam).suggested_score == 6  # no reply approved yet
        teacher = reload(c.teacher)
        sheet.save_grade(discussion, c.sam.id, teacher, entry(7, "Good start."))
        db.session.commit()
        decisions.approve(decisions.locked(held.id, teacher), teacher, CommentStatus.PENDING)
        db.session.commit()
        grade = grade_of(discussion, c.sam)
        assert (grade.suggested_score, grade.score, grade.version_id) == (7.5, 7, 2)
        assert "1 of 2 replies" in str(grade.breakdown)
        decisions.reopen(decisions.locked(held.id, teacher), teacher, CommentStatus.APPROVED)
        db.session.commit()
        grade = grade_of(discussion, c.sam)
        assert (grade.suggested_score, grade.score) == (6, 7)


def test_a_second_save_from_a_stale_page_is_refused_with_who_set_it(app, graded_course):
    c = graded_course
    with app.app_context():
        discussion, teacher, ta = reload(c.discussion), reload(c.teacher), reload(c.ta)
        grade, changed = sheet.save_grade(discussion, c.kai.id, ta, entry(6, version=1))
        db.session.commit()
        assert changed and grade.version_id == 2
        with pytest.raises(Conflict, match=r"now 6 of 10, set by Tess Assistant at .* UTC"):
            sheet.save_grade(discussion, c.kai.id, teacher, entry(9, version=1))
        db.session.rollback()
        assert grade_of(discussion, c.kai).score == 6
        assert len(events("grade.saved")) == 1
        # The current version saves; the same values again change nothing.
        sheet.save_grade(discussion, c.kai.id, teacher, entry(9, "Cite a source.", version=2))
        db.session.commit()
        _, changed = sheet.save_grade(discussion, c.kai.id, teacher,
                                        entry(9, "Cite a source.", version=3))
        assert not changed
        [first, second] = events("grade.saved")
        assert second.before["score"] == 6 and second.after == {
            "score": 9, "feedback": "Cite a source.", "quality": None, "released": False}
        assert second.subject_id == c.kai.id and second.actor_id == c.teacher.id


def test_scores_and_quality_are_checked_beside_their_fields(app, graded_course):
    c = graded_course
    with app.app_context():
        discussion, teacher = reload(c.discussion), reload(c.teacher)
        with pytest.raises(InvalidInput, match="from 0 to 10") as error:
            sheet.save_grade(discussion, c.kai.id, teacher, entry(11))
        assert error.value.field == "score"
        with pytest.raises(InvalidInput, match="quality judgement from 0 to 0") as error:
            sheet.save_grade(discussion, c.kai.id, teacher, entry(5, quality=1))
        assert error.value.field == "quality"
        db.session.rollback()
        assert grade_of(discussion, c.kai) is None


def test_accept_all_fills_only_the_ungraded_each_audited(app, graded_course, make_comment):
    c = graded_course
    make_comment(c.discussion, c.amara)
    make_comment(c.discussion, c.kai)
    with app.app_context():
        discussion, teacher = reload(c.discussion), reload(c.teacher)
        sheet.save_grade(discussion, c.kai.id, teacher, entry(3))
        accepted = sheet.accept_suggestions(discussion, teacher)
        db.session.commit()
        assert sorted(g.student_id for g in accepted.grades) == sorted([c.amara.id, c.sam.id])
        assert (accepted.posted_nothing, accepted.waiting) == (1, [])
        assert grade_of(discussion, c.amara).score == 6  # response, on time, readable
        assert grade_of(discussion, c.sam).score == 0  # posted nothing
        assert grade_of(discussion, c.sam).breakdown["missing"] is True
        assert grade_of(discussion, c.kai).score == 3  # a person's score stays
        assert {e.subject_id for e in events("grade.accepted")} == {c.amara.id, c.sam.id}


def test_release_per_discussion_and_per_student(app, graded_course):
    c = graded_course
    with app.app_context():
        discussion, teacher, ta = reload(c.discussion), reload(c.teacher), reload(c.ta)
        with pytest.raises(InvalidInput, match="No grades here are graded"):
            sheet.set_released(discussion, teacher, True)
        db.session.rollback()
        for student, score in ((c.amara, 9), (c.kai, 6)):
            sheet.save_grade(discussion, student.id, teacher, entry(score))
        db.session.commit()
        with pytest.raises(Forbidden):
            sheet.set_released(discussion, ta, True)
        db.session.rollback()
        assert len(sheet.set_released(discussion, teacher, True)) == 2
        db.session.commit()
        assert [g.score for g in sheet.released_grades(reload(c.amara))] == [9]
        sheet.set_released(discussion, teacher, False, student_id=c.amara.id)
        db.session.commit()
        assert sheet.released_grades(reload(c.amara)) == []
        assert sheet.released_grades(reload(c.kai))[0].score == 6
        assert [e.subject_id for e in events("grade.unreleased")] == [c.amara.id]
        with pytest.raises(InvalidInput, match="score before releasing"):
            sheet.set_released(discussion, teacher, True, student_id=c.sam.id)


def test_tas_grade_and_release_only_when_allowed(app, graded_course):
    c = graded_course
    with app.app_context():
        discussion, ta = reload(c.discussion), reload(c.ta)
        sheet.save_grade(discussion, c.amara.id, ta, entry(8))
        db.session.get(Course, c.course.id).tas_manage = True
        db.session.commit()
        assert len(sheet.set_released(discussion, ta, True)) == 1
        with pytest.raises(Forbidden):
            sheet.save_grade(discussion, c.kai.id, reload(c.amara), entry(8))


def test_rubrics_add_up_or_are_refused_and_course_default_scales(app, graded_course,
                                                                  make_comment):
    c = graded_course
    make_comment(c.discussion, c.amara)
    with app.app_context():
        discussion, teacher = reload(c.discussion), reload(c.teacher)
        points = {"substantive": 5, "replies": 2, "on_time": 1, "citation": 1,
                  "readability": 0, "quality": 0}
        with pytest.raises(InvalidInput, match="add up to 9 points; the discussion is worth 10")\
                as error:
            rubrics.set_discussion_rubric(discussion, teacher, {"points": points})
        assert error.value.field == "total"
        db.session.rollback()
        points["quality"] = 1
        rubrics.set_discussion_rubric(discussion, reload(c.teacher), {"points": points})
        db.session.commit()
        assert grade_of(discussion, c.amara).suggested_score == 6  # 5 + 1; quality unjudged
        sheet.save_grade(discussion, c.amara.id, teacher, entry(None, quality=1))
        db.session.commit()
        assert grade_of(discussion, c.amara).suggested_score == 7
        # The course default applies again once the discussion's own is dropped, scaled.
        rubrics.set_course_rubric(db.session.get(Course, c.course.id), teacher,
                                  {"points": {"substantive": 10, "replies": 0, "on_time": 0,
                                              "citation": 0, "readability": 0,
                                              "quality": 10}})
        rubrics.set_discussion_rubric(discussion, teacher, None)
        db.session.commit()
        assert rubrics.rubric_of(discussion).rubric.points["substantive"] == 5
        assert grade_of(discussion, c.amara).suggested_score == 5 + 1  # quality 1 judged
        assert len(events("discussion.rubric_set")) == 2


def test_changing_the_discussion_refreshes_suggestions(app, graded_course, make_comment):
    from moderation.services import discussions

    c = graded_course
    make_comment(c.discussion, c.amara, ago=timedelta(hours=-3))  # 3 hours late
    with app.app_context():
        discussion = reload(c.discussion)
        assert grade_of(discussion, c.amara).suggested_score == 5  # not on time
        fields = discussions.DiscussionFields(
            title=discussion.title, due_at=discussion.due_at + timedelta(days=1),
            points_possible=20, required_replies=0, min_words=5, max_words=200)
        discussions.update_discussion(discussion, reload(c.teacher), fields)
        db.session.commit()
        assert grade_of(discussion, c.amara).suggested_score == 18  # all but the citation


def test_one_students_suggestion_reads_only_their_comments(app, graded_course, make_comment,
                                                          db_kind):
    """Refreshing a student's suggestion (after each approved comment) reads that student's
    comments by index, even on SQLite without statistics, where the planner once chose
    (discussion, status) and read every approved comment of the discussion per submit."""
    if db_kind != "sqlite":
        pytest.skip("SQLite's query plans")
    from sqlalchemy import event

    c = graded_course
    make_comment(c.discussion, c.amara)
    with app.app_context():
        statements: list[tuple[str, object]] = []

        def seen(_conn, _cursor, statement, parameters, *_args):
            if "comment.author_id IN" in statement:
                statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            suggestions.store_suggestions(reload(c.discussion), [c.amara.id])
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        assert len(statements) == 1  # the comments, every status (none was held)
        connection = db.session.connection().connection.dbapi_connection
        for statement, parameters in statements:
            plan = " ".join(str(step[-1]) for step in connection.execute(
                "EXPLAIN QUERY PLAN " + statement, parameters).fetchall())
            assert "ix_comment_discussion_author" in plan, plan
        db.session.rollback()


def test_suggestions_for_a_discussion_take_a_constant_number_of_queries(
        app, graded_course, make_user, enrol, make_comment):
    from sqlalchemy import event

    c = graded_course

    def count_queries() -> int:
        with app.app_context():
            discussion = db.session.get(Discussion, c.discussion.id)
            _ = discussion.course.rubric  # the discussion and its course are in hand
            statements: list[str] = []

            def seen(*args):
                statements.append(args[2])

            event.listen(db.engine, "before_cursor_execute", seen)
            try:
                suggestions.store_suggestions(discussion)
            finally:
                event.remove(db.engine, "before_cursor_execute", seen)
            db.session.commit()
            return len(statements)

    def add_students(n: int) -> None:
        for _ in range(n):
            student = make_user()
            new_students.append(student.id)
            enrol(student, c.course)
            response = make_comment(c.discussion, student,  # approved after a hold
                                    flags=(("spelling", Severity.HOLD),))
            make_comment(c.discussion, student, "A reply of some words.", parent=response)

    def change_what_is_asked(replies: int) -> None:
        with app.app_context():  # every stored suggestion changes: every row updates
            # Written past the ORM, so no refresh follows it here: the one counted does.
            db.session.execute(update(Discussion).where(Discussion.id == c.discussion.id)
                               .values(required_replies=replies))
            db.session.execute(delete(Grade).where(Grade.student_id.in_(new_students[:2])))
            db.session.commit()

    new_students: list[int] = []
    add_students(3)
    change_what_is_asked(1)
    # lock, grades, staff, comments, the held ones' flags; insert, update
    assert count_queries() == 7
    add_students(10)
    change_what_is_asked(3)
    assert count_queries() == 7
    add_students(40)
    change_what_is_asked(4)
    assert count_queries() == 7


def test_the_grade_row_lock_is_taken_in_order_with_decisions(app, graded_course,
                                                            make_comment):
    """A decision and a save on the same student, one after the other, both land."""
    c = graded_course
    pending = make_comment(c.discussion, c.kai, status=CommentStatus.PENDING)
    with app.app_context():
        discussion, teacher = reload(c.discussion), reload(c.teacher)
        sheet.save_grade(discussion, c.kai.id, teacher, entry(2))
        decisions.approve(decisions.locked(pending.id, teacher), teacher, CommentStatus.PENDING)
        db.session.commit()
        grade = grade_of(discussion, c.kai)
        assert (grade.score, grade.suggested_score) == (2, 6)
        assert db.session.scalar(select(func.count()).select_from(Grade)) == 1


def test_a_course_member_sees_only_released_grades_of_visible_discussions(app, graded_course,
                                                                         make_discussion):
    c = graded_course
    from moderation.models import DiscussionState

    draft = make_discussion(c.course, DiscussionState.DRAFT, title="Draft")
    with app.app_context():
        teacher = reload(c.teacher)
        for discussion in (reload(c.discussion), db.session.get(Discussion, draft.id)):
            sheet.save_grade(discussion, c.amara.id, teacher, entry(5))
            sheet.set_released(discussion, teacher, True)
        db.session.commit()
        assert [g.discussion_id for g in sheet.released_grades(reload(c.amara))] == [
            c.discussion.id]
        assert courses.membership_of(reload(c.amara), db.session.get(Course, c.course.id))
