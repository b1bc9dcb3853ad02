"""The participation report: each student's activity in a course, its charts, and its CSV.

Moodle's forum summary columns and more, from a few grouped queries over approved
comments, flags and grades; the students and discussions are the gradebook's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from moderation import lms
from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Flag,
    Grade,
    Severity,
    User,
)
from moderation.services import audit, time_zones
from moderation.services.courses import Permission, require_member
from moderation.services.grades.gradebook import columns_of, roster_of

# Built once, at import: an alias made per call builds a proxy of each of the table's
# columns again when first used.
_PARENT = aliased(Comment, name="parent")

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
    time_zone: str = time_zones.DEFAULT  # the course's: its days and times are on this clock


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
    # A reply is late by the replies' due date when the discussion has one, else by the
    # due date, as grading judges it.
    deadline = case((and_(is_reply, Discussion.replies_due_at.is_not(None)),
                     Discussion.replies_due_at), else_=Discussion.due_at)
    for (author, responses, replies, words, characters, grade, earliest, latest,
         late) in db.session.execute(
            select(Comment.author_id, func.sum(case((is_reply, 0), else_=1)),
                   func.sum(case((is_reply, 1), else_=0)), func.sum(Comment.word_count),
                   func.sum(func.length(Comment.body)), func.avg(reading),
                   func.min(Comment.submitted_at), func.max(Comment.submitted_at),
                   func.sum(case((and_(deadline.is_not(None),
                                       Comment.submitted_at > deadline), 1), else_=0)))
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
            # Whom a reply answers (a reply to a reply beside it at the deepest level names it).
            .join(parent, parent.id == func.coalesce(Comment.reply_to_id, Comment.parent_id))
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
                  _days(approved, course.time_zone),
                  round(sum(d.points_possible for d in discussions), 2), course.time_zone)


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


def _days(approved: tuple[Any, ...], zone_name: str) -> list[tuple[date, int, int]]:
    """Approved responses and replies per day on the course's clock, every day from the
    first to the last."""
    where = time_zones.zone(zone_name)
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for submitted, parent_id in db.session.execute(
            select(Comment.submitted_at, Comment.parent_id).where(*approved)):
        per_day[submitted.astimezone(where).date()][0 if parent_id is None else 1] += 1
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

    where = time_zones.zone(report.time_zone)

    def when(value: datetime | None) -> str:
        return time_zones.stamp(value, where)

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
