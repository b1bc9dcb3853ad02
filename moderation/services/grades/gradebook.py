"""The gradebook: exports in each LMS format and the course grid.

Read-mostly: the data is gathered with a handful of column queries (no ORM objects per
grade) into `lms` dataclasses, which the pure writers turn into rows. An export is
recorded in the audit log in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any, cast

from sqlalchemy import Table, case, func, select
from sqlalchemy.orm import aliased

from moderation import lms
from moderation.extensions import db
from moderation.grading import CRITERIA, LABELS
from moderation.lms import csv_safe, moodle
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    DiscussionState,
    Grade,
    Membership,
    Role,
    User,
)
from moderation.services import audit
from moderation.services.courses import Permission, require_member, students_query
from moderation.services.errors import InvalidInput, NotFound
from moderation.services.grades import derived

# Built once, at import: an alias made per call builds a proxy of each of the table's
# columns again when first used (about a millisecond a page).
_PARENT = aliased(Comment, name="parent")

CRITERION_LABELS = tuple(LABELS[key] for key in CRITERIA)


# Gathering -----------------------------------------------------------------------------

def roster_of(course: Course, section: str | None = None) -> list[lms.Student]:
    """The course's students as the writers see them, by sortable name."""
    query = students_query(course.id).with_only_columns(
        User.id, User.display_name, User.sortable_name, User.email, Membership.section,
        Membership.lms_user_id, Membership.sis_user_id, Membership.sis_login_id)
    if section:
        query = query.where(Membership.section == section)
    return [lms.Student(row.id, row.display_name, row.sortable_name, row.email, row.section,
                        row.lms_user_id, row.sis_user_id, row.sis_login_id)
            for row in db.session.execute(query)]


def columns_of(course: Course, discussion_id: int | None = None) -> list[lms.Assignment]:
    """The course's discussions students can see (no drafts), in course order."""
    query = (select(Discussion.id, Discussion.title, Discussion.points_possible,
                    Discussion.lms_assignment_id)
             .where(Discussion.course_id == course.id,
                    Discussion.state != DiscussionState.DRAFT)
             .order_by(Discussion.id))
    if discussion_id is not None:
        query = query.where(Discussion.id == discussion_id)
    found = [lms.Assignment(*row) for row in db.session.execute(query)]
    if discussion_id is not None and not found:
        raise NotFound("That discussion is not in this course, or is still a draft.",
                       field="discussion")
    return found


def book(course: Course, discussion_id: int | None = None, *, detailed: bool = False,
         include_feedback: bool = False, as_percent: bool = False) -> lms.Gradebook:
    """Everything an export writes; `detailed` adds every grade, suggestions and counts.

    An LMS file carries released scores only, so only those are read for one; the rows
    are read as plain tuples (an export may hold 100,000 grades).
    """
    students = roster_of(course)
    assignments = columns_of(course, discussion_id)
    ids = [a.id for a in assignments]
    grade = cast(Table, Grade.__table__).c
    connection = db.session.connection()
    if not detailed:
        shown: dict[int, dict[int, float]] = defaultdict(dict)
        feedback: dict[int, dict[int, str]] = defaultdict(dict)
        columns = [grade.student_id, grade.discussion_id, grade.score,
                   *([grade.feedback] if include_feedback else [])]
        query = select(*columns).where(grade.discussion_id.in_(ids), grade.released.is_(True),
                                       grade.score.is_not(None))
        for row in connection.execute(query).all():
            shown[row[0]][row[1]] = row[2]
            if include_feedback and row[3]:
                feedback[row[0]][row[1]] = row[3]
        return lms.Gradebook(students, assignments, shown=shown, feedback=feedback,
                             include_feedback=include_feedback, as_percent=as_percent)
    # The stored suggestions are read: those a submit marked are refreshed first.
    derived.catch_up(ids)
    marks: dict[int, dict[int, lms.Mark]] = defaultdict(dict)
    counts = _counts(ids)
    posted = _posted(ids)
    for (student_id, discussion_id_, score, released, note, suggested,
         breakdown) in connection.execute(
            select(grade.student_id, grade.discussion_id, grade.score, grade.released,
                   grade.feedback, grade.suggested_score, grade.breakdown)
            .where(grade.discussion_id.in_(ids))).all():
        responses, replies, words = counts.pop((student_id, discussion_id_), (0, 0, 0))
        lines = (breakdown or {}).get("lines", ())
        marks[student_id][discussion_id_] = lms.Mark(
            score, released, note, suggested,
            bool((breakdown or {}).get("missing", (student_id, discussion_id_) not in posted)),
            {line["label"]: line["earned"] for line in lines}, responses, replies, words)
    for (student_id, discussion_id_), (responses, replies, words) in counts.items():
        # No grade row yet: the student posted something only if a comment of theirs is
        # stored (and then the row exists, since derived suggestions create it).
        marks[student_id][discussion_id_] = lms.Mark(
            missing=(student_id, discussion_id_) not in posted, responses=responses,
            replies=replies, words=words)
    return lms.Gradebook(students, assignments, marks=marks, criteria=CRITERION_LABELS,
                         include_feedback=True)


def _counts(discussion_ids: Sequence[int]) -> dict[tuple[int, int], tuple[int, int, int]]:
    """Approved responses, replies and words per (student, discussion)."""
    is_reply = Comment.parent_id.is_not(None)
    return {(author, discussion): (int(responses or 0), int(replies or 0), int(words or 0))
            for author, discussion, responses, replies, words in db.session.execute(
                select(Comment.author_id, Comment.discussion_id,
                       func.sum(case((is_reply, 0), else_=1)),
                       func.sum(case((is_reply, 1), else_=0)), func.sum(Comment.word_count))
                .where(Comment.discussion_id.in_(list(discussion_ids)),
                       Comment.status == CommentStatus.APPROVED)
                .group_by(Comment.author_id, Comment.discussion_id))}


def _posted(discussion_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(student, discussion) pairs with any comment stored, whatever its status."""
    return {(author, discussion) for author, discussion in db.session.execute(
        select(Comment.author_id, Comment.discussion_id).distinct()
        .where(Comment.discussion_id.in_(list(discussion_ids))))}


# Exports -------------------------------------------------------------------------------

@dataclass
class Export:
    """A gradebook file ready to send."""

    filename: str
    media_type: str
    data: bytes
    students: int
    columns: int


def format_named(name: str) -> lms.Format:
    """The format, or a refusal beside the format field."""
    fmt = lms.FORMATS.get(name)
    if fmt is None:
        raise InvalidInput(f"Choose one of {', '.join(lms.FORMATS)}.", field="format")
    return fmt


def prepare(course: Course, actor: User | None, format_name: str,
            discussion_id: int | None = None, include_feedback: bool = False,
            as_percent: bool = False) -> tuple[lms.Format, lms.Gradebook]:
    """Check who asks, and gather what an export in this format writes.

    `actor` is None for the administrator's command line. A Moodle file with a score its
    importer would refuse is refused here, naming the limit (`as_percent` avoids it).
    """
    if actor is not None:
        require_member(actor, course, permission=Permission.EXPORT)
    fmt = format_named(format_name)
    if as_percent and fmt is not lms.FORMATS["moodle"]:
        raise InvalidInput("Only the Moodle file can carry percentages.", field="as_percent")
    gradebook = book(course, discussion_id, detailed=fmt is lms.FORMATS["generic"],
                     include_feedback=include_feedback, as_percent=as_percent)
    if fmt is lms.FORMATS["moodle"]:
        _refuse_over_moodle_limit(gradebook)
    return fmt, gradebook


def _refuse_over_moodle_limit(gradebook: lms.Gradebook) -> None:
    over = moodle.over_limit(gradebook)
    if not over:
        return
    said = "; ".join(f"{a.title}: {n} score{'s' if n != 1 else ''} up to {top:g} of "
                     f"{a.points_possible:g}" for a, n, top in over)
    raise InvalidInput(
        f"Moodle refuses a grade above {moodle.MAX_GRADE:g} (its gradepointmax, unless your "
        f"site raised it) and then stops the whole import. {said}. Export percentages "
        "instead, for a Moodle grade item out of 100.", field="format")


def limits(course: Course) -> dict[str, list[str]]:
    """What each format's LMS may refuse in this course's files, said before exporting."""
    warned = [a for a in columns_of(course) if a.points_possible > moodle.MAX_GRADE]
    return {"moodle": [
        f"{a.title} is worth {a.points_possible:g} points: Moodle refuses a grade above "
        f"{moodle.MAX_GRADE:g} by default, so a score above it stops the whole import. "
        "Export percentages (a grade item out of 100)." for a in warned]}


def record_export(course: Course, actor: User | None, fmt: lms.Format,
                  gradebook: lms.Gradebook, discussion_id: int | None) -> None:
    """Record in the audit log that grades left the system, in the caller's transaction."""
    audit.record("gradebook.exported", actor=actor, course_id=course.id, obj=course,
                 after={"format": fmt.NAME, "discussion_id": discussion_id,
                        "students": len(gradebook.students),
                        "columns": len(gradebook.assignments),
                        "feedback": gradebook.include_feedback,
                        **({"percent": True} if gradebook.as_percent else {})})


def export(course: Course, actor: User | None, format_name: str,
           discussion_id: int | None = None, include_feedback: bool = False,
           as_percent: bool = False) -> Export:
    """Write the course's grades in a format, and record the export in the audit log."""
    fmt, gradebook = prepare(course, actor, format_name, discussion_id, include_feedback,
                             as_percent)
    data = lms.render(fmt, gradebook)
    record_export(course, actor, fmt, gradebook, discussion_id)
    return Export(export_filename(course, fmt, discussion_id), fmt.MEDIA_TYPE, data,
                  len(gradebook.students), len(gradebook.assignments))


def export_filename(course: Course, fmt: lms.Format, discussion_id: int | None) -> str:
    """A plain ASCII file name: `HIST210-canvas-grades.csv`.

    >>> from types import SimpleNamespace as NS
    >>> export_filename(NS(code="HIST 210.F26"), lms.FORMATS["blackboard"], 7)
    'HIST_210.F26-blackboard-discussion-7.xls'
    """
    code = csv_safe.name_part(course.code)
    scope = f"discussion-{discussion_id}" if discussion_id else "grades"
    return f"{code}-{fmt.NAME}-{scope}.{fmt.EXTENSION}"


@dataclass(frozen=True)
class Unmatched:
    """A student the LMS may not match, and why."""

    student: lms.Student
    reason: str


def unmatched(course: Course, format_name: str) -> list[Unmatched]:
    """The students this format's LMS may not match by its id, each with the reason."""
    fmt = format_named(format_name)
    return [Unmatched(student, reason) for student in roster_of(course)
            if (reason := fmt.unmatched(student)) is not None]


@dataclass
class UnmatchedStudent:
    """A student some LMS may not match, once, with each such LMS and why."""

    student: lms.Student
    reasons: list[tuple[str, str]]  # (the LMS's label, why)


def unmatched_students(course: Course) -> list[UnmatchedStudent]:
    """Each student any LMS file may not match, listed once with every LMS's reason."""
    found = []
    for student in roster_of(course):
        reasons = [(fmt.LABEL, why) for fmt in lms.FORMATS.values()
                   if (why := fmt.unmatched(student)) is not None]
        if reasons:
            found.append(UnmatchedStudent(student, reasons))
    return found


def released_count(course: Course) -> int:
    """How many grades of the course are released (what LMS files carry)."""
    return db.session.scalar(
        select(func.count()).select_from(Grade)
        .join(Discussion, Discussion.id == Grade.discussion_id)
        .where(Discussion.course_id == course.id, Grade.released.is_(True))) or 0


# The course grid -----------------------------------------------------------------------

@dataclass
class GridRow:
    """One student across the course's discussions."""

    student: lms.Student
    scores: list[float | None]
    released: list[bool]
    total: float
    graded: int


@dataclass
class Grid:
    """Students × discussions with totals and the class's averages."""

    discussions: list[lms.Assignment]
    rows: list[GridRow]
    averages: list[float | None]
    graded_counts: list[int]
    total_average: float | None
    points_possible: float
    sections: list[str]


GRID_SORTS = ("name", "section", "total")


def grid(course: Course, *, section: str | None = None, sort: str = "name",
         descending: bool = False) -> Grid:
    """The course grid, filtered to a section and sorted by name, section, total or a
    discussion (`d<id>`)."""
    discussions = columns_of(course)
    students = roster_of(course, section)
    position = {d.id: i for i, d in enumerate(discussions)}
    scores: dict[int, list[float | None]] = {s.id: [None] * len(discussions) for s in students}
    released: dict[int, list[bool]] = {s.id: [False] * len(discussions) for s in students}
    grade = cast(Table, Grade.__table__).c
    query = (select(grade.student_id, grade.discussion_id, grade.score, grade.released)
             .where(grade.discussion_id.in_(list(position)), grade.score.is_not(None)))
    if section:
        query = query.where(grade.student_id.in_(list(scores)))
    for student_id, discussion_id, score, is_released in db.session.connection().execute(
            query).all():
        row = scores.get(student_id)
        if row is not None:
            row[position[discussion_id]] = score
            released[student_id][position[discussion_id]] = is_released
    rows = [GridRow(s, scores[s.id], released[s.id],
                    round(sum(x for x in scores[s.id] if x is not None), 2),
                    sum(x is not None for x in scores[s.id])) for s in students]
    rows.sort(key=_grid_key(sort, position), reverse=descending)
    columns = list(zip(*(r.scores for r in rows), strict=True)) if rows else [
        () for _ in discussions]
    graded = [[x for x in column if x is not None] for column in columns]
    sections = sorted({s or "" for s in db.session.scalars(
        select(Membership.section).where(Membership.course_id == course.id,
                                         Membership.role == Role.STUDENT,
                                         Membership.section.is_not(None)).distinct())})
    return Grid(discussions, rows, [round(fmean(g), 2) if g else None for g in graded],
                [len(g) for g in graded],
                round(fmean(r.total for r in rows), 2) if rows else None,
                round(sum(d.points_possible for d in discussions), 2), sections)


def _grid_key(sort: str, position: dict[int, int]) -> Callable[[GridRow], Any]:
    def name(row: GridRow) -> tuple[str, int]:
        return row.student.sortable_name.lower(), row.student.id

    if sort == "section":
        return lambda r: ((r.student.section or "").lower(), name(r))
    if sort == "total":
        return lambda r: (r.total, name(r))
    if sort.startswith("d") and sort[1:].isdigit() and int(sort[1:]) in position:
        i = position[int(sort[1:])]
        return lambda r: (r.scores[i] is not None, r.scores[i] or 0.0, name(r))
    return name

