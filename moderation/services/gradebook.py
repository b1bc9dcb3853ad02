"""The gradebook: exports in each LMS format, the course grid, and the participation report.

Read-mostly: the data is gathered with a handful of column queries (no ORM objects per
grade) into `lms` dataclasses, which the pure writers turn into rows. An export is
recorded in the audit log in the caller's transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import fmean
from typing import Any, cast

from sqlalchemy import Table, and_, case, func, select
from sqlalchemy.orm import aliased

from moderation import lms
from moderation.extensions import db
from moderation.grading import CRITERIA, LABELS
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    DiscussionState,
    Flag,
    Grade,
    Membership,
    Role,
    Severity,
    User,
)
from moderation.services import audit
from moderation.services.courses import Permission, require_member
from moderation.services.errors import InvalidInput, NotFound

# Built once, at import: an alias made per call builds a proxy of each of the table's
# columns again when first used (about a millisecond a page).
_PARENT = aliased(Comment, name="parent")

CRITERION_LABELS = tuple(LABELS[key] for key in CRITERIA)


# Gathering -----------------------------------------------------------------------------

def roster_of(course: Course, section: str | None = None) -> list[lms.Student]:
    """The course's students as the writers see them, by sortable name."""
    query = (select(User.id, User.display_name, User.sortable_name, User.email,
                    Membership.section, Membership.lms_user_id, Membership.sis_user_id,
                    Membership.sis_login_id)
             .join(Membership, Membership.user_id == User.id)
             .where(Membership.course_id == course.id, Membership.role == Role.STUDENT)
             .order_by(func.lower(User.sortable_name), User.id))
    if section:
        query = query.where(Membership.section == section)
    return [lms.Student(*row) for row in db.session.execute(query)]


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
         include_feedback: bool = False) -> lms.Gradebook:
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
                             include_feedback=include_feedback)
    marks: dict[int, dict[int, lms.Mark]] = defaultdict(dict)
    counts = _counts(ids)
    for (student_id, discussion_id_, score, released, note, suggested,
         breakdown) in connection.execute(
            select(grade.student_id, grade.discussion_id, grade.score, grade.released,
                   grade.feedback, grade.suggested_score, grade.breakdown)
            .where(grade.discussion_id.in_(ids))).all():
        responses, replies, words = counts.pop((student_id, discussion_id_), (0, 0, 0))
        lines = (breakdown or {}).get("lines", ())
        marks[student_id][discussion_id_] = lms.Mark(
            score, released, note, suggested,
            bool((breakdown or {}).get("missing", responses + replies == 0)),
            {line["label"]: line["earned"] for line in lines}, responses, replies, words)
    for (student_id, discussion_id_), (responses, replies, words) in counts.items():
        marks[student_id][discussion_id_] = lms.Mark(
            missing=responses + replies == 0, responses=responses, replies=replies,
            words=words)
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
            discussion_id: int | None = None,
            include_feedback: bool = False) -> tuple[lms.Format, lms.Gradebook]:
    """Check who asks, and gather what an export in this format writes.

    `actor` is None for the administrator's command line.
    """
    if actor is not None:
        require_member(actor, course, permission=Permission.EXPORT)
    fmt = format_named(format_name)
    return fmt, book(course, discussion_id, detailed=fmt is lms.FORMATS["generic"],
                     include_feedback=include_feedback)


def record_export(course: Course, actor: User | None, fmt: lms.Format,
                  gradebook: lms.Gradebook, discussion_id: int | None) -> None:
    """Record in the audit log that grades left the system, in the caller's transaction."""
    audit.record("gradebook.exported", actor=actor, course_id=course.id, obj=course,
                 after={"format": fmt.NAME, "discussion_id": discussion_id,
                        "students": len(gradebook.students),
                        "columns": len(gradebook.assignments),
                        "feedback": gradebook.include_feedback})


def export(course: Course, actor: User | None, format_name: str,
           discussion_id: int | None = None, include_feedback: bool = False) -> Export:
    """Write the course's grades in a format, and record the export in the audit log."""
    fmt, gradebook = prepare(course, actor, format_name, discussion_id, include_feedback)
    data = lms.render(fmt, gradebook)
    record_export(course, actor, fmt, gradebook, discussion_id)
    return Export(export_filename(course, fmt, discussion_id), fmt.MEDIA_TYPE, data,
                  len(gradebook.students), len(gradebook.assignments))


def export_filename(course: Course, fmt: lms.Format, discussion_id: int | None) -> str:
    """A plain ASCII file name: `HIST210-canvas-grades.csv`.

    >>> from types import SimpleNamespace as NS
    >>> export_filename(NS(code="HIST 210.F26"), lms.FORMATS["blackboard"], 7)
    'HIST_210.F26-blackboard-discussion-7.txt'
    """
    code = re.sub(r"[^A-Za-z0-9._-]+", "_", course.code).strip("._") or "course"
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


# The participation report --------------------------------------------------------------

@dataclass
class Participation:
    """One student's activity: Moodle's forum summary columns, and more."""

    student: lms.Student
    responses: int = 0
    replies: int = 0
    replies_received: int = 0
    words: int = 0
    characters: int = 0
    reading_grade: float | None = None
    earliest: datetime | None = None
    latest: datetime | None = None
    late: int = 0
    flags: int = 0
    not_approved: int = 0
    score: float | None = None

    @property
    def posts(self) -> int:
        return self.responses + self.replies


REPORT_COLUMNS: dict[str, str] = {
    "name": "Student", "section": "Section", "responses": "Responses", "replies": "Replies",
    "replies_received": "Replies received", "words": "Words", "characters": "Characters",
    "reading_grade": "Average reading grade", "earliest": "Earliest post",
    "latest": "Most recent post", "late": "Late", "flags": "Flags (hold)",
    "not_approved": "Held or rejected", "score": "Score",
}


@dataclass
class Histogram:
    """Scores of one discussion in tenths of its points, and how many are ungraded."""

    discussion: lms.Assignment
    bins: list[int]  # 0–10 %, 10–20 %, … 90–100 %
    ungraded: int


@dataclass
class Report:
    """The participation report with its charts' numbers."""

    rows: list[Participation]
    discussions: list[lms.Assignment]
    histograms: list[Histogram]
    days: list[tuple[date, int, int]] = field(default_factory=list)  # responses, replies
    points_possible: float = 0.0


def participation(course: Course, *, discussion_id: int | None = None, sort: str = "name",
                  descending: bool = False) -> Report:
    """Per student: posts, replies received, words, reading grade, times, late, flags, score."""
    discussions = columns_of(course, discussion_id)
    ids = [d.id for d in discussions]
    rows = {s.id: Participation(s) for s in roster_of(course)}
    in_scope = (Comment.discussion_id.in_(ids),)
    approved = (*in_scope, Comment.status == CommentStatus.APPROVED)
    is_reply = Comment.parent_id.is_not(None)
    reading = Comment.metrics["flesch_kincaid_grade"].as_float()
    for (author, responses, replies, words, characters, grade, earliest, latest,
         late) in db.session.execute(
            select(Comment.author_id, func.sum(case((is_reply, 0), else_=1)),
                   func.sum(case((is_reply, 1), else_=0)), func.sum(Comment.word_count),
                   func.sum(func.length(Comment.body)), func.avg(reading),
                   func.min(Comment.submitted_at), func.max(Comment.submitted_at),
                   func.sum(case((and_(Discussion.due_at.is_not(None),
                                       Comment.submitted_at > Discussion.due_at), 1),
                                 else_=0)))
            .join(Discussion, Discussion.id == Comment.discussion_id)
            .where(*approved).group_by(Comment.author_id)):
        row = rows.get(author)
        if row is not None:
            row.responses, row.replies = int(responses or 0), int(replies or 0)
            row.words, row.characters = int(words or 0), int(characters or 0)
            row.reading_grade = round(float(grade), 1) if grade is not None else None
            row.earliest, row.latest, row.late = earliest, latest, int(late or 0)
    parent = _PARENT
    for author, received in db.session.execute(
            select(parent.author_id, func.count()).select_from(Comment)
            .join(parent, parent.id == Comment.parent_id)
            .where(*approved, parent.author_id != Comment.author_id)
            .group_by(parent.author_id)):
        if author in rows:
            rows[author].replies_received = received
    for author, flags in db.session.execute(
            select(Comment.author_id, func.count()).join(Flag, Flag.comment_id == Comment.id)
            .where(*in_scope, Flag.severity.in_([Severity.HOLD, Severity.BLOCK]))
            .group_by(Comment.author_id)):
        if author in rows:
            rows[author].flags = flags
    for author, count in db.session.execute(
            select(Comment.author_id, func.count())
            .where(*in_scope, Comment.status != CommentStatus.APPROVED)
            .group_by(Comment.author_id)):
        if author in rows:
            rows[author].not_approved = count
    scores = list(db.session.execute(
        select(Grade.student_id, Grade.discussion_id, Grade.score)
        .where(Grade.discussion_id.in_(ids), Grade.score.is_not(None))))
    for student_id, _, score in scores:
        if student_id in rows and score is not None:
            row = rows[student_id]
            row.score = round((row.score or 0.0) + score, 2)
    ordered = sorted(rows.values(), key=_report_key(sort), reverse=descending)
    return Report(ordered, discussions, _histograms(discussions, scores, len(rows), rows),
                  _days(approved), round(sum(d.points_possible for d in discussions), 2))


def _report_key(sort: str) -> Callable[[Participation], Any]:
    def name(row: Participation) -> tuple[str, int]:
        return row.student.sortable_name.lower(), row.student.id

    if sort == "name" or sort not in REPORT_COLUMNS:
        return name
    if sort == "section":
        return lambda r: ((r.student.section or "").lower(), name(r))
    # Missing values (no posts, no score) sort first ascending, last descending.
    return lambda r: (getattr(r, sort) is not None, getattr(r, sort) or 0, name(r))


def _histograms(discussions: list[lms.Assignment], scores: list[Any], enrolled: int,
                rows: dict[int, Participation]) -> list[Histogram]:
    by_discussion: dict[int, list[float]] = defaultdict(list)
    for student_id, discussion_id, score in scores:
        if student_id in rows:
            by_discussion[discussion_id].append(score)
    result = []
    for d in discussions:
        bins = [0] * 10
        for score in by_discussion[d.id]:
            share = score / d.points_possible if d.points_possible else 1.0
            bins[min(9, max(0, int(share * 10)))] += 1
        result.append(Histogram(d, bins, enrolled - len(by_discussion[d.id])))
    return result


def _days(approved: tuple[Any, ...]) -> list[tuple[date, int, int]]:
    """Approved responses and replies per day (UTC), every day from the first to the last."""
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for submitted, parent_id in db.session.execute(
            select(Comment.submitted_at, Comment.parent_id).where(*approved)):
        per_day[submitted.date()][0 if parent_id is None else 1] += 1
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    result = []
    for n in range(first.toordinal(), last.toordinal() + 1):
        day = date.fromordinal(n)
        responses, replies = per_day.get(day) or (0, 0)
        result.append((day, responses, replies))
    return result


def report_rows(report: Report) -> list[list[str]]:
    """The report as CSV rows, formula-safe."""
    from moderation.lms.csv_safe import number, text

    def when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""

    out = [[*REPORT_COLUMNS.values(), "Email"]]
    for r in report.rows:
        out.append([text(r.student.sortable_name), text(r.student.section), str(r.responses),
                    str(r.replies), str(r.replies_received), str(r.words), str(r.characters),
                    number(r.reading_grade), when(r.earliest), when(r.latest), str(r.late),
                    str(r.flags), str(r.not_approved), number(r.score),
                    text(r.student.email)])
    return out


def record_report_download(course: Course, actor: User, discussion_id: int | None) -> None:
    """Record that the participation report left the system (it names students)."""
    require_member(actor, course, permission=Permission.EXPORT)
    audit.record("participation.exported", actor=actor, course_id=course.id, obj=course,
                 after={"discussion_id": discussion_id})
