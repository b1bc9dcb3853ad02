"""New-student moderation: a student's comments wait for a person until a number of theirs
in the course are approved (Coral's pre-moderation of new commenters)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Course, User
from moderation.models.courses import MAX_NEWCOMER_APPROVALS
from moderation.services import audit
from moderation.services.errors import InvalidInput


def approved_count(course_id: int, author_id: int) -> int:
    """How many of the author's comments in the course are approved."""
    return int(db.session.scalar(
        select(func.count()).select_from(Comment)
        .where(Comment.course_id == course_id, Comment.author_id == author_id,
               Comment.status == CommentStatus.APPROVED)) or 0)


def still_new(course: Course, author_id: int) -> bool:
    """Whether the course holds this author's comments because too few are approved yet."""
    needed = course.newcomer_approvals
    return needed > 0 and approved_count(course.id, author_id) < needed


def set_newcomer_approvals(course: Course, actor: User, approvals: int) -> bool:
    """Set how many approved comments a student needs before theirs follow the discussion's
    mode (0: off); return whether it changed. The caller commits."""
    if not 0 <= approvals <= MAX_NEWCOMER_APPROVALS:
        raise InvalidInput(f"Choose a number from 0 (off) to {MAX_NEWCOMER_APPROVALS}.",
                           field="newcomer_approvals")
    before = course.newcomer_approvals
    if before == approvals:
        return False
    course.newcomer_approvals = approvals
    db.session.flush()
    audit.record("course.newcomer_moderation_set", actor=actor, course_id=course.id,
                 obj=course, before={"newcomer_approvals": before},
                 after={"newcomer_approvals": approvals})
    return True


def still_new_authors(pairs: Collection[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of these (course id, author id) pairs, those whose comments the course still holds:
    two statements for a whole batch (a rescore's)."""
    courses = {c: n for c, n in db.session.execute(
        select(Course.id, Course.newcomer_approvals)
        .where(Course.id.in_({c for c, _ in pairs}), Course.newcomer_approvals > 0))}
    asked = [(c, a) for c, a in pairs if c in courses]
    if not asked:
        return set()
    approved = {(c, a): n for c, a, n in db.session.execute(
        select(Comment.course_id, Comment.author_id, func.count())
        .where(Comment.course_id.in_(courses),
               Comment.author_id.in_({a for _, a in asked}),
               Comment.status == CommentStatus.APPROVED)
        .group_by(Comment.course_id, Comment.author_id))}
    return {(c, a) for c, a in asked if approved.get((c, a), 0) < courses[c]}
