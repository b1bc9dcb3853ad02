"""Grading: rubrics, suggested scores, grades people set (with their version), and release.

The suggestion is the machine's: `refresh_suggestion(s)` keep `Grade.suggested_score` and
`Grade.breakdown` current with plain UPDATEs that never touch `score` and never bump the
grade's version. Everything a person sets (score, feedback, quality, release) goes through
the ORM, bumps the version, refuses a stale page, and writes its audit event in the same
transaction. Per student, the membership row is the lock taken first, so a decision
refreshing a suggestion and a person saving the grade never deadlock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, insert, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

from moderation import grading
from moderation.extensions import db
from moderation.grading import CommentFacts, Expectations, Rubric, RubricError, Suggestion
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
    utcnow,
)
from moderation.services import audit, policies
from moderation.services.courses import Permission, require_member
from moderation.services.errors import Conflict, InvalidInput, NotFound

MAX_FEEDBACK_CHARS = 5000
# Built once: an alias made per call rebuilds every column's proxy (a millisecond a submit).
_PARENT = aliased(Comment, name="parent")


# Rubrics -------------------------------------------------------------------------------

def rubric_of(discussion: Discussion) -> grading.Effective:
    """The rubric that applies to a discussion: its own over the course default, scaled."""
    return grading.effective(discussion.course.rubric, discussion.rubric,
                             discussion.points_possible)


def checked_rubric(data: dict[str, Any], base: Rubric | None = None) -> Rubric:
    """Validate a rubric document; refuse it beside the field at fault."""
    try:
        return Rubric.from_dict(data, base)
    except RubricError as error:
        raise InvalidInput(str(error), field=error.key) from error


def set_course_rubric(course: Course, actor: User, data: dict[str, Any]) -> Rubric:
    """Store the course's default rubric and refresh the discussions that use it."""
    require_member(actor, course, permission=Permission.MANAGE)
    rubric = checked_rubric(data)
    if rubric.total <= 0:
        raise InvalidInput("Give at least one criterion some points.", field="total")
    before = course.rubric
    course.rubric = rubric.to_dict()
    audit.record("course.rubric_set", actor=actor, course_id=course.id, obj=course,
                 before=before or None, after=course.rubric)
    db.session.flush()
    for discussion in course.discussions:
        if not discussion.rubric:
            refresh_suggestions(discussion)
    return rubric


def set_discussion_rubric(discussion: Discussion, actor: User,
                          data: dict[str, Any] | None) -> grading.Effective:
    """Give a discussion its own rubric, or (None) return it to the course default.

    Its points must add up to the discussion's points possible.
    """
    require_member(actor, discussion.course, permission=Permission.MANAGE)
    if data is not None:
        rubric = checked_rubric(data, Rubric.from_dict(discussion.course.rubric))
        if abs(rubric.total - discussion.points_possible) > 0.005:
            raise InvalidInput(
                f"The criteria add up to {rubric.total:g} points; the discussion is worth "
                f"{discussion.points_possible:g}. Change the points so they add up.",
                field="total")
        data = rubric.to_dict()
    before = discussion.rubric
    discussion.rubric = data
    audit.record("discussion.rubric_set", actor=actor, course_id=discussion.course_id,
                 obj=discussion, before=before, after=data)
    db.session.flush()
    refresh_suggestions(discussion)
    return rubric_of(discussion)


def expectations(discussion: Discussion) -> Expectations:
    """What the discussion asks of each student, with its policy's readability band."""
    policy = policies.effective_policy(discussion)
    return Expectations(
        required_replies=discussion.required_replies, min_words=discussion.min_words,
        max_words=discussion.max_words, reply_min_words=discussion.reply_min_words,
        due_at=discussion.due_at, min_grade=policy.min_grade, max_grade=policy.max_grade)


# Suggestions ---------------------------------------------------------------------------

def students(course: Course, only: Collection[int] | None = None) -> list[Membership]:
    """The course's students (with their users), by sortable name."""
    query = (select(Membership).join(Membership.user)
             .where(Membership.course_id == course.id, Membership.role == Role.STUDENT)
             .order_by(func.lower(User.sortable_name), User.id))
    if only is not None:
        query = query.where(Membership.user_id.in_(list(only)))
    return list(db.session.scalars(query))


def gather(discussion: Discussion, rubric: Rubric,
           only: Collection[int] | None = None) -> dict[int, list[CommentFacts]]:
    """The facts of every approved comment in the discussion, by author (three queries)."""
    staff = set(db.session.scalars(
        select(Membership.user_id).where(Membership.course_id == discussion.course_id,
                                         Membership.role != Role.STUDENT)))
    parent = _PARENT
    approved = (Comment.discussion_id == discussion.id,
                Comment.status == CommentStatus.APPROVED)
    narrow = (Comment.author_id.in_(list(only)),) if only is not None else ()
    # Whether a source is named, stored with the text; the text itself only for a row
    # stored without it (see Comment.cites_source), and only if the rubric asks.
    asks_citation = rubric.points["citation"] > 0
    cites = ((Comment.cites_source, case((Comment.cites_source.is_(None), Comment.body)))
             if asks_citation else ())
    # Only the reading grade of the stored metrics, extracted by the database: decoding
    # each comment's whole metrics document cost more than the rest of the suggestion.
    reading = Comment.metrics["flesch_kincaid_grade"].as_float()
    columns = [Comment.id, Comment.author_id, parent.author_id, Comment.parent_id,
               Comment.word_count, reading, Comment.submitted_at]
    rows = db.session.execute(
        select(*columns, *cites)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(*approved, *narrow)).all()
    holds: dict[int, set[str]] = defaultdict(set)
    for comment_id, rule in db.session.execute(
            select(Flag.comment_id, Flag.rule).join(Comment, Comment.id == Flag.comment_id)
            .where(*approved, *narrow, Flag.rule.in_(grading.QUALITY_RULES),
                   Flag.severity.in_([Severity.HOLD, Severity.BLOCK]))):
        holds[comment_id].add(rule)
    facts: dict[int, list[CommentFacts]] = defaultdict(list)
    for row in rows:
        comment_id, author_id, parent_author, parent_id, words, grade, submitted = row[:7]
        facts[author_id].append(CommentFacts(
            id=comment_id, submitted_at=submitted, words=words, is_reply=parent_id is not None,
            to_classmate=(parent_author is not None and parent_author != author_id
                          and parent_author not in staff),
            reading_grade=float(grade) if grade is not None else None,
            quality_holds=frozenset(holds.get(comment_id, ())),
            cites_source=asks_citation and (
                row[7] if row[7] is not None else grading.cites_source(row[8]))))
    return facts


def suggestions(discussion: Discussion, student_ids: Iterable[int],
                quality: dict[int, float | None] | None = None) -> dict[int, Suggestion]:
    """The suggested score of each student, live from the stored comments."""
    ids = list(student_ids)
    effective = rubric_of(discussion)
    asks = expectations(discussion)
    facts = gather(discussion, effective.rubric, ids if len(ids) < 50 else None)
    quality = quality or {}
    return {student_id: grading.suggest(facts.get(student_id, ()), effective.rubric, asks,
                                        quality.get(student_id))
            for student_id in ids}


def _lock_students(course_id: int, student_ids: Collection[int] | None) -> list[int]:
    """Lock the students' memberships (PostgreSQL): the grading lock, always taken first."""
    query = (select(Membership.user_id)
             .where(Membership.course_id == course_id, Membership.role == Role.STUDENT)
             .order_by(Membership.id).with_for_update())
    if student_ids is not None:
        query = query.where(Membership.user_id.in_(list(student_ids)))
    return list(db.session.scalars(query))


def refresh_suggestion(discussion: Discussion, student_id: int) -> None:
    """Recompute one student's suggestion (after a decision on their comment)."""
    refresh_suggestions(discussion, [student_id])


def refresh_suggestions(discussion: Discussion,
                        student_ids: Collection[int] | None = None) -> dict[int, Suggestion]:
    """Recompute and store suggestions in a constant number of queries; scores stay as set.

    A grade row is created only for a student with comments; a student who posted
    nothing has no row until someone grades them (and is shown as missing).
    """
    ids = _lock_students(discussion.course_id, student_ids)
    if not ids:
        return {}
    stored = {row.student_id: row for row in db.session.execute(
        select(Grade.id, Grade.student_id, Grade.quality_points, Grade.suggested_score,
               Grade.breakdown)
        .where(Grade.discussion_id == discussion.id,
               *((Grade.student_id.in_(ids),) if student_ids is not None else ())))}
    result = suggestions(discussion, ids,
                         {sid: row.quality_points for sid, row in stored.items()})
    now = utcnow()
    changed, new = [], []
    for student_id, suggestion in result.items():
        breakdown = suggestion.to_breakdown()
        row = stored.get(student_id)
        if row is None:
            if not suggestion.missing:
                new.append({"discussion_id": discussion.id, "student_id": student_id,
                            "suggested_score": suggestion.score, "breakdown": breakdown,
                            "released": False, "version_id": 1, "updated_at": now})
        elif row.suggested_score != suggestion.score or row.breakdown != breakdown:
            changed.append({"grade_id": row.id, "new_score": suggestion.score,
                            "new_breakdown": breakdown, "now": now})
    table = cast(Table, Grade.__table__)
    if new:
        db.session.execute(insert(table), new)
    if changed:
        # Core, not the ORM: the machine's suggestion is not a change a page must see
        # as a new version of the grade.
        db.session.execute(
            update(table).where(table.c.id == bindparam("grade_id"))
            .values(suggested_score=bindparam("new_score"),
                    breakdown=bindparam("new_breakdown"), updated_at=bindparam("now")),
            changed)
    return result


# The grading sheet ---------------------------------------------------------------------

@dataclass
class Row:
    """One student on a discussion's grading page."""

    membership: Membership
    grade: Grade | None
    suggestion: Suggestion
    approved: int = 0
    pending: int = 0
    rejected: int = 0

    @property
    def student(self) -> User:
        return self.membership.user

    @property
    def version(self) -> int:
        """The version a form for this row carries (1: no person has set anything yet)."""
        return self.grade.version_id if self.grade else 1

    @property
    def graded(self) -> bool:
        return self.grade is not None and self.grade.score is not None


def sheet(discussion: Discussion) -> list[Row]:
    """Every enrolled student with their grade, live suggestion and comment counts."""
    members = students(discussion.course)
    grades = {g.student_id: g for g in db.session.scalars(
        select(Grade).where(Grade.discussion_id == discussion.id))}
    live = suggestions(discussion, [m.user_id for m in members],
                       {sid: g.quality_points for sid, g in grades.items()})
    counts: Counter[tuple[int, CommentStatus]] = Counter()
    for author_id, status, n in db.session.execute(
            select(Comment.author_id, Comment.status, func.count())
            .where(Comment.discussion_id == discussion.id)
            .group_by(Comment.author_id, Comment.status)):
        counts[(author_id, status)] = n
    return [Row(m, grades.get(m.user_id), live[m.user_id],
                approved=counts[(m.user_id, CommentStatus.APPROVED)],
                pending=counts[(m.user_id, CommentStatus.PENDING)],
                rejected=counts[(m.user_id, CommentStatus.REJECTED)])
            for m in members]


def student_comments(discussion: Discussion, student_id: int) -> list[Comment]:
    """A student's comments in a discussion, every status, oldest first."""
    return list(db.session.scalars(
        select(Comment).where(Comment.discussion_id == discussion.id,
                              Comment.author_id == student_id)
        .order_by(Comment.submitted_at, Comment.id)))


# Grades people set ---------------------------------------------------------------------

@dataclass(frozen=True)
class GradeEntry:
    """What a person typed on a grade's row, and the version the page showed."""

    score: float | None
    feedback: str | None
    quality: float | None
    version: int


class GradeConflict(Conflict):
    """The grade changed since the page was shown; nothing was overwritten."""

    def __init__(self, grade: Grade) -> None:
        super().__init__(describe_grade(grade), field="score")
        self.grade = grade


def describe_grade(grade: Grade) -> str:
    """Say where a grade stands now, for a page that showed an older version."""
    points = grade.discussion.points_possible
    now = ("it has no score" if grade.score is None
           else f"it is now {grade.score:g} of {points:g}")
    if grade.grader is not None and grade.graded_at is not None:
        now += f", set by {grade.grader.display_name} at {grade.graded_at:%-d %b, %H:%M} UTC"
    if grade.feedback:
        now += f", with feedback “{_excerpt(grade.feedback)}”"
    if grade.released:
        now += ", released to the student"
    return f"This grade changed after you opened the page: {now}. Nothing was saved; " \
           "your entry is kept below."


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _student(discussion: Discussion, student_id: int) -> Membership:
    membership = db.session.scalar(
        select(Membership).where(Membership.course_id == discussion.course_id,
                                 Membership.user_id == student_id,
                                 Membership.role == Role.STUDENT))
    if membership is None:
        raise NotFound()
    return membership


def _locked_grade(discussion: Discussion, student_id: int) -> Grade | None:
    return db.session.scalar(
        select(Grade).where(Grade.discussion_id == discussion.id,
                            Grade.student_id == student_id)
        .with_for_update(of=Grade).execution_options(populate_existing=True))


def _snapshot(grade: Grade) -> dict[str, Any]:
    return {"score": grade.score, "feedback": grade.feedback, "quality": grade.quality_points,
            "released": grade.released}


def _checked_entry(discussion: Discussion, entry: GradeEntry, quality_points: float) -> None:
    points = discussion.points_possible
    if entry.score is not None and not 0 <= entry.score <= points:
        raise InvalidInput(f"Enter a score from 0 to {points:g}.", field="score")
    if entry.quality is not None and not 0 <= entry.quality <= quality_points:
        raise InvalidInput(f"Enter a quality judgement from 0 to {quality_points:g}.",
                           field="quality")
    feedback = entry.feedback or ""
    if len(feedback) > MAX_FEEDBACK_CHARS:
        raise InvalidInput(f"Keep the feedback under {MAX_FEEDBACK_CHARS:,} characters.",
                           field="feedback")
    if "\x00" in feedback:
        raise InvalidInput("Remove the NUL character from the feedback.", field="feedback")


def _new_grade(discussion: Discussion, student_id: int) -> Grade:
    """A grade row at version 1 (untouched by a person), flushed."""
    grade = Grade(discussion_id=discussion.id, student_id=student_id, breakdown={})
    db.session.add(grade)
    db.session.flush()
    return grade


def save_grade(discussion: Discussion, student_id: int, actor: User,
               entry: GradeEntry) -> tuple[Grade, bool]:
    """Set a student's score, feedback and quality judgement; return the grade and whether
    anything changed. Refuses (GradeConflict) if the grade moved past `entry.version`."""
    require_member(actor, discussion.course, permission=Permission.MODERATE)
    _student(discussion, student_id)
    effective = rubric_of(discussion)
    _checked_entry(discussion, entry, effective.rubric.points["quality"])
    _lock_students(discussion.course_id, [student_id])
    grade = _locked_grade(discussion, student_id)
    if grade is not None and grade.version_id != entry.version:
        raise GradeConflict(grade)
    if grade is None and entry.version != 1:
        raise Conflict("This grade changed after you opened the page. Reload it.",
                       field="score")
    feedback = (entry.feedback or "").replace("\r\n", "\n").strip() or None
    if grade is not None and (grade.score, grade.feedback, grade.quality_points) == (
            entry.score, feedback, entry.quality):
        return grade, False
    # Before any change: its queries would flush a half-made change as a version of its own.
    suggestion = suggestions(discussion, [student_id], {student_id: entry.quality})[student_id]
    grade = grade or _new_grade(discussion, student_id)
    before = _snapshot(grade)
    grade.score, grade.feedback, grade.quality_points = entry.score, feedback, entry.quality
    if entry.score is None and grade.released:
        # Nothing to show any more: a cleared score is no longer released.
        grade.released, grade.released_at = False, None
    grade.suggested_score, grade.breakdown = suggestion.score, suggestion.to_breakdown()
    grade.grader_id, grade.graded_at = actor.id, utcnow()
    _flush_or_conflict(grade)
    audit.record("grade.saved", actor=actor, course_id=discussion.course_id, obj=grade,
                 subject_id=student_id, before=before, after=_snapshot(grade))
    return grade, True


def _flush_or_conflict(grade: Grade) -> None:
    """Flush a person's change; a concurrent one that slipped past the lock is a conflict."""
    grade_id = grade.id
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        current = db.session.get(Grade, grade_id)
        if current is None:
            raise Conflict("This grade changed after you opened the page. Reload it.",
                           field="score") from None
        raise GradeConflict(current) from None


def accept_suggestions(discussion: Discussion, actor: User) -> list[Grade]:
    """Set every ungraded student's score to their current suggestion; return those grades."""
    require_member(actor, discussion.course, permission=Permission.MODERATE)
    refresh_suggestions(discussion)  # takes the grading lock of every student
    ids = [m.user_id for m in students(discussion.course)]
    grades = {g.student_id: g for g in db.session.scalars(
        select(Grade).where(Grade.discussion_id == discussion.id)
        .with_for_update(of=Grade).execution_options(populate_existing=True))}
    missing = [sid for sid in ids if sid not in grades]
    if missing:
        zero = suggestions(discussion, missing)
        for sid in missing:
            grade = Grade(discussion_id=discussion.id, student_id=sid,
                          suggested_score=zero[sid].score, breakdown=zero[sid].to_breakdown())
            db.session.add(grade)
            grades[sid] = grade
        db.session.flush()
    now = utcnow()
    accepted = []
    for sid in ids:
        grade = grades[sid]
        if grade.score is not None:
            continue
        grade.score = grade.suggested_score or 0.0
        grade.grader_id, grade.graded_at = actor.id, now
        accepted.append(grade)
    db.session.flush()
    for grade in accepted:
        audit.record("grade.accepted", actor=actor, course_id=discussion.course_id, obj=grade,
                     subject_id=grade.student_id, before={"score": None},
                     after={"score": grade.score, "suggested_score": grade.suggested_score})
    return accepted


def set_released(discussion: Discussion, actor: User, released: bool,
                 student_id: int | None = None, version: int | None = None) -> list[Grade]:
    """Release grades to students (or take them back): one student's, or every graded one.

    Only graded grades are released; un-releasing takes back every released one.
    """
    require_member(actor, discussion.course, permission=Permission.MANAGE)
    if student_id is not None:
        _student(discussion, student_id)
    _lock_students(discussion.course_id, [student_id] if student_id is not None else None)
    query = (select(Grade).where(Grade.discussion_id == discussion.id)
             .with_for_update(of=Grade).execution_options(populate_existing=True))
    if student_id is not None:
        query = query.where(Grade.student_id == student_id)
    grades = list(db.session.scalars(query))
    if student_id is not None:
        grade = grades[0] if grades else None
        if grade is None or grade.score is None:
            raise InvalidInput("Give this student a score before releasing it.", field="score")
        if version is not None and grade.version_id != version:
            raise GradeConflict(grade)
    targets = [g for g in grades if g.released != released and g.score is not None]
    if not targets:
        what = "graded and not yet released" if released else "released"
        raise InvalidInput(f"No grades here are {what}.", field="release")
    now = utcnow()
    for grade in targets:
        grade.released = released
        grade.released_at = now if released else None
    db.session.flush()
    action = "grade.released" if released else "grade.unreleased"
    for grade in targets:
        audit.record(action, actor=actor, course_id=discussion.course_id, obj=grade,
                     subject_id=grade.student_id, before={"released": not released},
                     after={"released": released, "score": grade.score})
    return targets


# What students see ---------------------------------------------------------------------

def released_grades(student: User) -> list[Grade]:
    """The student's released grades, newest discussion first (never a draft's)."""
    return list(db.session.scalars(
        select(Grade).join(Grade.discussion)
        .where(Grade.student_id == student.id, Grade.released.is_(True),
               Grade.score.is_not(None), Discussion.state != DiscussionState.DRAFT)
        .order_by(Discussion.due_at.desc().nulls_last(), Discussion.id.desc())))
