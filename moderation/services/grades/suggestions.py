"""Suggested scores: the facts a discussion's suggestions read, and the stored copy.

The suggestion is the machine's: `store_suggestions`, called only by
`services.grades.derived` before a commit that changed what suggestions read, keeps
`Grade.suggested_score` and `Grade.breakdown` current with plain UPDATEs that never touch
`score` and never bump the grade's version. Per student, the membership row is the lock
taken first (`lock_students`), so a decision refreshing a suggestion and a person saving
the grade never deadlock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, and_, bindparam, case, func, insert, select, update
from sqlalchemy.orm import aliased

from moderation import grading
from moderation.extensions import db
from moderation.grading import CommentFacts, Rubric, Suggestion
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    Flag,
    Grade,
    Membership,
    Role,
    Severity,
    utcnow,
)
from moderation.services.grades.rubrics import expectations, rubric_of
from moderation.services.sets import among

# Built once: an alias made per call rebuilds every column's proxy (a millisecond a submit).
_PARENT = aliased(Comment, name="parent")


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
        # The comment a reply answers: its parent, or the one it names beside it at the
        # deepest level; a reply counts when that is a classmate's.
        .outerjoin(parent, parent.id == func.coalesce(Comment.reply_to_id, Comment.parent_id))
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

    Called by one owner only, `services.grades.derived`, before a transaction that changed what
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
