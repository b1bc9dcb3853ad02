"""Rescoring: re-run analysis over stored comments after a policy or rule change."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Membership,
)
from moderation.services import audit, checking


@dataclass
class RescoreTotals:
    """What a rescore changed."""

    comments: int = 0
    flags_changed: int = 0  # comments whose flags differ now
    held: int = 0  # auto-approved comments that now wait in the queue
    released: int = 0  # auto-held comments that no longer need to wait
    kept_decisions: int = 0  # instructor decisions, never overturned

    @property
    def decisions_changed(self) -> int:
        return self.held + self.released


def comments_query(course_id: int | None = None) -> Select[Comment]:
    """Comments to rescore, oldest first, optionally in one course."""
    query = select(Comment).order_by(Comment.id)
    if course_id is not None:
        query = query.join(Comment.discussion).where(Discussion.course_id == course_id)
    return query


def count(course_id: int | None = None) -> int:
    """How many comments a rescore would visit."""
    return db.session.scalar(
        select(func.count()).select_from(comments_query(course_id).subquery())) or 0


def batches(course_id: int | None, size: int) -> Iterator[list[Comment]]:
    """Yield comments in id order, a batch at a time (keyset paging: no OFFSET scans)."""
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            comments_query(course_id).where(Comment.id > last_id).limit(size)).unique())
        if not batch:
            return
        last_id = batch[-1].id  # read now: the caller may detach the batch
        yield batch


def rescore_comment(comment: Comment, totals: RescoreTotals) -> None:
    """Re-analyse one comment: replace its flags; change an automatic decision if needed."""
    discussion = comment.discussion
    staff = _is_staff(comment.author_id, discussion)
    verdict = checking.check_text(
        discussion, comment.author, comment.body, is_reply=comment.parent_id is not None,
        now=comment.submitted_at, staff=staff, exclude_id=comment.id, stored=True)
    totals.comments += 1
    if checking.record_analysis(comment, verdict.analysis):
        totals.flags_changed += 1
    if comment.decided_by_id is not None:
        totals.kept_decisions += 1
    elif not staff and comment.status != CommentStatus.REJECTED \
            and verdict.status != comment.status:
        if verdict.status == CommentStatus.PENDING:
            totals.held += 1
        else:
            totals.released += 1
        audit.record("comment.rescored", actor=None, course_id=discussion.course_id,
                     obj=comment, before={"status": comment.status.value},
                     after={"status": verdict.status.value},
                     reason="automatic decision after a policy or rule change")
        comment.status = verdict.status
    db.session.flush()


def _is_staff(user_id: int, discussion: Discussion) -> bool:
    role = db.session.scalar(select(Membership.role).where(
        Membership.user_id == user_id, Membership.course_id == discussion.course_id))
    return role is not None and role.is_staff


def record(totals: RescoreTotals, course_id: int | None) -> None:
    """Log the rescore in the audit trail."""
    course = db.session.get(Course, course_id) if course_id else None
    audit.record("comments.rescored", actor=None, course_id=course_id,
                 obj=course, after={"comments": totals.comments,
                                    "flags_changed": totals.flags_changed,
                                    "held": totals.held, "released": totals.released,
                                    "kept_decisions": totals.kept_decisions})
