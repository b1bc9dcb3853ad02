"""Grading: rubrics, suggested scores, grades people set (with their version), and release.

The suggestion is the machine's: `store_suggestions`, called only by `services.derived`
before a commit that changed what suggestions read, keeps `Grade.suggested_score` and
`Grade.breakdown` current with plain UPDATEs that never touch `score` and never bump the
grade's version. Everything a person sets (score, feedback, quality, release) goes through
the ORM, bumps the version, refuses a stale page, and writes its audit event in the same
transaction. Per student, the membership row is the lock taken first, so a decision
refreshing a suggestion and a person saving the grade never deadlock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, func, insert, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

from moderation import grading
from moderation.extensions import db
from moderation.grading import (
    CommentFacts,
    Expectations,
    Rubric,
    RubricError,
    Suggestion,
    hundredths,
)
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
from moderation.services.sets import among

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
    """Store the course's default rubric (the discussions that use it follow at commit)."""
    require_member(actor, course, permission=Permission.MANAGE)
    rubric = checked_rubric(data)
    if rubric.total <= 0:
        raise InvalidInput("Give at least one criterion some points.", field="total")
    before = course.rubric
    course.rubric = rubric.to_dict()
    audit.record("course.rubric_set", actor=actor, course_id=course.id, obj=course,
                 before=before or None, after=course.rubric)
    db.session.flush()
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


@dataclass
class Gathered:
    """What a discussion's suggestions read: each author's approved comments as facts, and
    how many of their other comments wait for moderation or were rejected."""

    facts: dict[int, list[CommentFacts]]
    pending: Counter[int]
    rejected: Counter[int]


def gather(discussion: Discussion, rubric: Rubric,
           only: Collection[int] | None = None) -> Gathered:
    """The facts of every approved comment in the discussion, by author, and the counts of
    the others (two queries, three when an approved comment was held)."""
    staff = set(db.session.scalars(
        select(Membership.user_id).where(Membership.course_id == discussion.course_id,
                                         Membership.role != Role.STUDENT)))
    parent = _PARENT
    narrow = (Comment.author_id.in_(list(only)),) if only is not None else ()
    approved = Comment.status == CommentStatus.APPROVED
    # Whether a source is named, stored with the text; the text itself only for a row
    # stored without it (see Comment.cites_source), and only if the rubric asks.
    asks_citation = rubric.points["citation"] > 0
    cites = ((Comment.cites_source,
              case((and_(Comment.cites_source.is_(None), approved), Comment.body)))
             if asks_citation else ())
    # Only the reading grade of the stored metrics, extracted by the database: decoding
    # each comment's whole metrics document cost more than the rest of the suggestion.
    reading = Comment.metrics["flesch_kincaid_grade"].as_float()
    # Every status in one read (pending and rejected ones are only counted): the student's
    # comments are one index range.
    columns = [Comment.id, Comment.author_id, Comment.status, parent.author_id,
               Comment.parent_id, Comment.word_count, reading, Comment.submitted_at,
               Comment.decided_by_id.is_not(None), Comment.flag_level]
    rows = db.session.execute(
        select(*columns, *cites)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(Comment.discussion_id == discussion.id, *narrow)).all()
    # Which rules held them, read only for approved comments a rule held (most have none).
    held = [row[0] for row in rows
            if row[2] == CommentStatus.APPROVED and row[9] >= Severity.HOLD.level]
    holds: dict[int, set[str]] = defaultdict(set)
    if held:
        for comment_id, rule in db.session.execute(
                select(Flag.comment_id, Flag.rule)
                .where(among(Flag.comment_id, held), Flag.rule.in_(grading.QUALITY_RULES),
                       Flag.severity.in_([Severity.HOLD, Severity.BLOCK]))):
            holds[comment_id].add(rule)
    facts: dict[int, list[CommentFacts]] = defaultdict(list)
    pending: Counter[int] = Counter()
    rejected: Counter[int] = Counter()
    for row in rows:
        (comment_id, author_id, status, parent_author, parent_id, words, grade, submitted,
         by_person) = row[:9]
        if status != CommentStatus.APPROVED:
            (pending if status == CommentStatus.PENDING else rejected)[author_id] += 1
            continue
        facts[author_id].append(CommentFacts(
            id=comment_id, submitted_at=submitted, words=words, is_reply=parent_id is not None,
            to_classmate=(parent_author is not None and parent_author != author_id
                          and parent_author not in staff),
            reading_grade=float(grade) if grade is not None else None,
            quality_holds=frozenset(holds.get(comment_id, ())),
            cites_source=asks_citation and (
                row[10] if row[10] is not None else grading.cites_source(row[11])),
            approved_by_person=bool(by_person)))
    return Gathered(facts, pending, rejected)


def suggestions(discussion: Discussion, student_ids: Iterable[int],
                quality: dict[int, float | None] | None = None) -> dict[int, Suggestion]:
    """The suggested score of each student, live from the stored comments."""
    ids = list(student_ids)
    effective = rubric_of(discussion)
    asks = expectations(discussion)
    found = gather(discussion, effective.rubric, ids if len(ids) < 50 else None)
    quality = quality or {}
    return {student_id: grading.suggest(found.facts.get(student_id, ()), effective.rubric,
                                        asks, quality.get(student_id),
                                        pending=found.pending[student_id],
                                        rejected=found.rejected[student_id])
            for student_id in ids}


def lock_students(course_id: int, student_ids: Collection[int] | None) -> list[int]:
    """Lock the students' memberships (PostgreSQL): the grading lock, always taken first."""
    query = (select(Membership.user_id)
             .where(Membership.course_id == course_id, Membership.role == Role.STUDENT)
             .order_by(Membership.id).with_for_update())
    if student_ids is not None:
        query = query.where(Membership.user_id.in_(list(student_ids)))
    return list(db.session.scalars(query))


def store_suggestions(discussion: Discussion,
                      student_ids: Collection[int] | None = None) -> dict[int, Suggestion]:
    """Recompute and store suggestions in a constant number of queries; scores stay as set.

    Called by one owner only, `services.derived`, before a transaction that changed what
    they read commits; nothing else writes a stored suggestion. A grade row is created
    only for a student who posted something; one who posted nothing has no row until
    someone grades them (and is shown as missing).
    """
    ids = lock_students(discussion.course_id, student_ids)
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
    written before the commit (services.derived)."""
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
