"""What the tests compare stored grades with: a fresh computation, and what each page says."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment, Course, Discussion, DiscussionState, Grade
from moderation.services import courses
from moderation.services.grades import derived, gradebook, participation, sheet, suggestions


def stale_suggestions(course_id: int) -> list[str]:
    """Every stored suggestion of the course that a fresh computation disagrees with.

    A student who posted something has a grade row whose suggested score and breakdown are
    exactly what `suggestions.suggestions` computes now; one who posted nothing may have none.
    Read as every reader of the stored copy reads it: after the marks submits left are
    refreshed (`derived.catch_up`); a change that moved a suggestion without refreshing or
    marking it is still found.
    """
    _caught_up()
    course = db.session.get(Course, course_id)
    assert course is not None
    members = courses.students(course)
    problems = []
    for discussion in course.discussions:
        grades = {g.student_id: g for g in db.session.scalars(
            select(Grade).where(Grade.discussion_id == discussion.id))}
        fresh = suggestions.suggestions(discussion, [m.user_id for m in members],
                                    {sid: g.quality_points for sid, g in grades.items()})
        for member in members:
            suggestion, grade = fresh[member.user_id], grades.get(member.user_id)
            where = f"discussion {discussion.id}, student {member.user_id}"
            if grade is None:
                if not suggestion.missing:
                    problems.append(f"{where}: posted something, no stored suggestion")
            elif (grade.suggested_score, grade.breakdown) != (suggestion.score,
                                                             suggestion.to_breakdown()):
                problems.append(f"{where}: stored {grade.suggested_score} "
                                f"{grade.breakdown.get('notes')}, fresh {suggestion.score} "
                                f"{list(suggestion.notes)}")
    return problems


def stored_suggestions(course_id: int) -> dict[tuple[int, int], float | None]:
    """(discussion, student) → the stored suggested score, as a reader of it sees it."""
    _caught_up()
    return {(d, s): score for d, s, score in db.session.execute(
        select(Grade.discussion_id, Grade.student_id, Grade.suggested_score)
        .join(Discussion, Discussion.id == Grade.discussion_id)
        .where(Discussion.course_id == course_id))}


def _caught_up() -> None:
    """Refresh what submits marked, as a reader of the stored suggestions does first."""
    db.session.expire_all()
    if derived.catch_up():
        db.session.commit()
    db.session.expire_all()


def pages_disagree(course_id: int) -> list[str]:
    """Where the grading page, the grid, the participation report or an export says
    something other than the stored grades and a fresh computation."""
    db.session.expire_all()
    course = db.session.get(Course, course_id)
    assert course is not None
    problems: list[str] = []
    scores = {(g.discussion_id, g.student_id): g for g in db.session.scalars(
        select(Grade).join(Discussion).where(Discussion.course_id == course_id))}
    posted = {(d, a) for d, a in db.session.execute(
        select(Comment.discussion_id, Comment.author_id).where(
            Comment.course_id == course_id).group_by(Comment.discussion_id,
                                                     Comment.author_id))}
    visible = [d for d in course.discussions if d.state != DiscussionState.DRAFT]
    for discussion in visible:
        for row in sheet.sheet(discussion):
            key = (discussion.id, row.student.id)
            fresh = suggestions.suggestions(discussion, [row.student.id], {
                row.student.id: row.grade.quality_points if row.grade else None})
            if row.suggestion != fresh[row.student.id]:
                problems.append(f"sheet {key}: {row.suggestion.score}")
            if row.suggestion.missing != (key not in posted):
                problems.append(f"sheet {key}: missing is {row.suggestion.missing}")
            pending = db.session.scalar(select(func.count()).select_from(Comment).where(
                Comment.discussion_id == discussion.id, Comment.author_id == row.student.id,
                Comment.status == "pending"))
            if row.pending != pending or row.suggestion.awaiting != pending:
                problems.append(f"sheet {key}: awaiting {row.pending}, really {pending}")
    grid = gradebook.grid(course)
    columns = [d.id for d in grid.discussions]
    for grid_row in grid.rows:
        for discussion_id, cell in zip(columns, grid_row.scores, strict=True):
            grade = scores.get((discussion_id, grid_row.student.id))
            if cell != (grade.score if grade else None):
                problems.append(f"grid {(discussion_id, grid_row.student.id)}: {cell}")
    report = participation.participation(course)
    for report_row in report.rows:
        total = [g.score for (_, sid), g in scores.items()
                 if sid == report_row.student.id and g.score is not None]
        if report_row.score != (round(sum(total), 2) if total else None):
            problems.append(f"report {report_row.student.id}: {report_row.score}")
    generic = list(csv.DictReader(io.StringIO(
        gradebook.export(course, None, "generic").data.decode("utf-8-sig"))))
    for line in generic:
        discussion = db.session.get(Discussion, int(line["Discussion ID"]))
        assert discussion is not None
        student_id = next(m.user_id for m in courses.students(course)
                          if m.user.email == line["Email"])
        grade = scores.get((discussion.id, student_id))
        fresh = suggestions.suggestions(discussion, [student_id], {
            student_id: grade.quality_points if grade else None})[student_id]
        said = (line["Suggested score"], line["Missing"], line["Score"], line["Released"])
        want = (_number(fresh.score), "yes" if fresh.missing else "no",
                _number(grade.score if grade else None),
                "yes" if grade is not None and grade.released else "no")
        if said != want:
            problems.append(f"generic {(discussion.id, student_id)}: {said} != {want}")
    canvas = list(csv.reader(io.StringIO(
        gradebook.export(course, None, "canvas").data.decode("utf-8-sig"))))
    for line in canvas[2:]:
        student = next(m for m in courses.students(course)
                       if (m.sis_login_id or m.user.email) == line[3])
        for discussion_id, cell in zip(columns, line[5:], strict=True):
            grade = scores.get((discussion_id, student.user_id))
            shown = grade.score if grade is not None and grade.released else None
            if cell != ("" if shown is None else f"{shown:.2f}"):
                problems.append(f"canvas {(discussion_id, student.user_id)}: {cell!r}")
    return problems


def _number(value: float | None) -> str:
    from moderation.lms.csv_safe import number

    return number(value)
