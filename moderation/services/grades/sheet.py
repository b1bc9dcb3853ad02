"""The grading sheet and the grades people set: score, feedback, quality, release.

Everything a person sets goes through the ORM, bumps the grade's version, refuses a stale
page, and writes its audit event in the same transaction; the students' membership rows
are locked first (`suggestions.lock_students`), as the stored suggestions' refresh does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from moderation.extensions import db
from moderation.grading import Suggestion, hundredths
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    DiscussionState,
    Grade,
    Membership,
    Role,
    User,
    utcnow,
)
from moderation.services import audit, time_zones
from moderation.services.courses import Permission, require_member, students
from moderation.services.errors import Conflict, InvalidInput, NotFound
from moderation.services.grades.rubrics import rubric_of
from moderation.services.grades.suggestions import lock_students, suggestions

MAX_FEEDBACK_CHARS = 5000


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
        at = time_zones.show(grade.graded_at, time_zones.zone(grade.discussion.course.time_zone),
                             year=False)
        now += f", set by {grade.grader.display_name} at {at}"
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


def _checked_entry(discussion: Discussion, entry: GradeEntry,
                   quality_points: float) -> GradeEntry:
    """Refuse what cannot be stored; return the entry in hundredths, as every page shows it."""
    points = discussion.points_possible
    score = hundredths(entry.score) if entry.score is not None else None
    quality = hundredths(entry.quality) if entry.quality is not None else None
    if score is not None and not 0 <= score <= points:
        raise InvalidInput(f"Enter a score from 0 to {points:g}.", field="score")
    if quality is not None and not 0 <= quality <= quality_points:
        raise InvalidInput(f"Enter a quality judgement from 0 to {quality_points:g}.",
                           field="quality")
    feedback = entry.feedback or ""
    if len(feedback) > MAX_FEEDBACK_CHARS:
        raise InvalidInput(f"Keep the feedback under {MAX_FEEDBACK_CHARS:,} characters.",
                           field="feedback")
    if "\x00" in feedback:
        raise InvalidInput("Remove the NUL character from the feedback.", field="feedback")
    return GradeEntry(score, entry.feedback, quality, entry.version)


def _new_grade(discussion: Discussion, student_id: int) -> Grade:
    """A grade row at version 1 (untouched by a person), flushed; its suggestion is
    written before the commit (services.grades.derived)."""
    grade = Grade(discussion_id=discussion.id, student_id=student_id)
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
    entry = _checked_entry(discussion, entry, effective.rubric.points["quality"])
    lock_students(discussion.course_id, [student_id])
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
    grade = grade or _new_grade(discussion, student_id)
    before = _snapshot(grade)
    grade.score, grade.feedback, grade.quality_points = entry.score, feedback, entry.quality
    if entry.score is None and grade.released:
        # Nothing to show any more: a cleared score is no longer released.
        grade.released, grade.released_at = False, None
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


@dataclass
class Outcome:
    """What an action on every grade did, and whom it left alone."""

    grades: list[Grade]  # the grades it changed
    waiting: list[User]  # students left alone: comments of theirs await moderation
    posted_nothing: int = 0  # of `grades`, students who posted nothing (accepting: 0)

    def __len__(self) -> int:
        return len(self.grades)


def awaiting_moderation(discussion: Discussion,
                        only: Collection[int] | None = None) -> dict[int, int]:
    """How many comments of each student wait for moderation in the discussion."""
    query = (select(Comment.author_id, func.count())
             .where(Comment.discussion_id == discussion.id,
                    Comment.status == CommentStatus.PENDING)
             .group_by(Comment.author_id))
    if only is not None:
        query = query.where(Comment.author_id.in_(list(only)))
    return {author_id: n for author_id, n in db.session.execute(query)}


def accept_suggestions(discussion: Discussion, actor: User) -> Outcome:
    """Set every ungraded student's score to their current suggestion.

    A student with comments awaiting moderation is left alone (and named): their
    suggestion would change with the decision, and an accepted score does not follow it.
    """
    require_member(actor, discussion.course, permission=Permission.MODERATE)
    members = students(discussion.course)
    ids = lock_students(discussion.course_id, None)  # the grading lock of every student
    waiting = awaiting_moderation(discussion)
    grades = {g.student_id: g for g in db.session.scalars(
        select(Grade).where(Grade.discussion_id == discussion.id)
        .with_for_update(of=Grade).execution_options(populate_existing=True))}
    ungraded = [sid for sid in ids if sid not in waiting
                and (sid not in grades or grades[sid].score is None)]
    live = suggestions(discussion, ungraded,
                       {sid: grades[sid].quality_points for sid in ungraded if sid in grades})
    now = utcnow()
    accepted = []
    for sid in ungraded:
        grade = grades.get(sid)
        if grade is None:
            grade = Grade(discussion_id=discussion.id, student_id=sid)
            db.session.add(grade)
        grade.score = live[sid].score
        grade.grader_id, grade.graded_at = actor.id, now
        accepted.append(grade)
    db.session.flush()
    for grade in accepted:
        audit.record("grade.accepted", actor=actor, course_id=discussion.course_id, obj=grade,
                     subject_id=grade.student_id, before={"score": None},
                     after={"score": grade.score,
                            "suggested_score": live[grade.student_id].score})
    return Outcome(accepted, [m.user for m in members if m.user_id in waiting],
                   sum(live[g.student_id].missing for g in accepted))


def set_released(discussion: Discussion, actor: User, released: bool,
                 student_id: int | None = None, version: int | None = None,
                 awaiting_seen: int = 0) -> Outcome:
    """Release grades to students (or take them back): one student's, or every graded one.

    Only graded grades are released; un-releasing takes back every released one. Releasing
    every grade leaves alone the students whose comments await moderation (named in the
    outcome); one student's is released only if the page showed as many comments
    awaiting moderation as there are (`awaiting_seen`: the button said so).
    """
    require_member(actor, discussion.course, permission=Permission.MANAGE)
    if student_id is not None:
        _student(discussion, student_id)
    lock_students(discussion.course_id, [student_id] if student_id is not None else None)
    query = (select(Grade).where(Grade.discussion_id == discussion.id)
             .with_for_update(of=Grade).execution_options(populate_existing=True))
    if student_id is not None:
        query = query.where(Grade.student_id == student_id)
    grades = list(db.session.scalars(query))
    waiting = awaiting_moderation(discussion, [student_id] if student_id is not None
                                  else None) if released else {}
    if student_id is not None:
        grade = grades[0] if grades else None
        if grade is None or grade.score is None:
            raise InvalidInput("Give this student a score before releasing it.", field="score")
        if version is not None and grade.version_id != version:
            raise GradeConflict(grade)
        if waiting.get(student_id, 0) > awaiting_seen:
            n = waiting[student_id]
            raise InvalidInput(
                f"{grade.student.display_name} has {n} comment{'s' if n != 1 else ''} "
                "awaiting moderation, which the score does not count yet. Decide "
                f"{'them' if n != 1 else 'it'} in the queue first, or release from the "
                "grading page, which says so.", field="version")
        waiting = {}
    candidates = [g for g in grades if g.released != released and g.score is not None]
    targets = [g for g in candidates if g.student_id not in waiting]
    left_alone = [g.student for g in candidates if g.student_id in waiting]
    if not targets:
        if left_alone:
            raise InvalidInput(
                "Every grade not yet released belongs to a student whose comments await "
                f"moderation ({names(left_alone)}); decide those comments first.",
                field="release")
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
    return Outcome(targets, sorted(left_alone, key=lambda u: (u.sortable_name.lower(), u.id)))


def names(users: Sequence[User]) -> str:
    """People's names for a message: "Amara Okafor, Sam Rivera and 3 more"."""
    names = [u.display_name for u in users]
    if len(names) > 5:
        return ", ".join(names[:4]) + f" and {len(names) - 4} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# What students see ---------------------------------------------------------------------

def released_grades(student: User) -> list[Grade]:
    """The student's released grades, newest discussion first (never a draft's)."""
    return list(db.session.scalars(
        select(Grade).join(Grade.discussion)
        .where(Grade.student_id == student.id, Grade.released.is_(True),
               Grade.score.is_not(None), Discussion.state != DiscussionState.DRAFT)
        .order_by(Discussion.due_at.desc().nulls_last(), Discussion.id.desc())))
