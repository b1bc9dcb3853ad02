"""Rescoring: re-run analysis over stored comments after a policy or rule change."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, select

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Membership,
    Role,
    User,
)
from moderation.services import audit, checking
from moderation.services.errors import Conflict


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


def rescore_comment(comment: Comment, totals: RescoreTotals, actor: User | None = None) -> None:
    """Re-analyse one comment: replace its flags; change an automatic decision if needed.

    `actor` is the person who asked for the rescore (None: the command line).
    """
    verdict, staff = _checked(comment)
    totals.comments += 1
    if checking.record_analysis(comment, verdict.analysis):
        totals.flags_changed += 1
    if comment.decided_by_id is not None:
        totals.kept_decisions += 1
    status = automatic_status(comment, verdict, staff)
    if status is not None:
        _count_move(totals, status)
        audit.record("comment.rescored", actor=actor, course_id=comment.course_id,
                     obj=comment, subject_id=comment.author_id,
                     before={"status": comment.status.value}, after={"status": status.value},
                     reason="automatic decision after a policy or rule change")
        comment.status = status
    db.session.flush()


def automatic_status(comment: Comment, verdict: checking.Verdict,
                     staff: bool) -> CommentStatus | None:
    """The status a rescore moves a comment to, or None when it keeps the one it has.

    Only automatic decisions move: never a person's decision, a rejection, or a comment
    by staff (staff comments are not moderated).
    """
    if comment.decided_by_id is not None or staff or comment.status == CommentStatus.REJECTED:
        return None
    return verdict.status if verdict.status != comment.status else None


def _checked(comment: Comment) -> tuple[checking.Verdict, bool]:
    """Check a stored comment again, as it was when submitted; and whether staff wrote it."""
    discussion = comment.discussion
    staff = _is_staff(comment.author_id, discussion)
    verdict = checking.check_text(
        discussion, comment.author, comment.body, is_reply=comment.parent_id is not None,
        now=comment.submitted_at, staff=staff, exclude_id=comment.id, stored=True)
    return verdict, staff


def _count_move(totals: RescoreTotals, status: CommentStatus) -> None:
    if status == CommentStatus.PENDING:
        totals.held += 1
    else:
        totals.released += 1


def _is_staff(user_id: int, discussion: Discussion) -> bool:
    role = db.session.scalar(select(Membership.role).where(
        Membership.user_id == user_id, Membership.course_id == discussion.course_id))
    return role is not None and role.is_staff


def record(totals: RescoreTotals, course_id: int | None, *, actor: User | None = None,
           scope: Course | Discussion | None = None) -> None:
    """Log the rescore in the audit trail (`scope`: what was rescored, the course by default)."""
    obj = scope or (db.session.get(Course, course_id) if course_id else None)
    audit.record("comments.rescored", actor=actor, course_id=course_id,
                 obj=obj, after={"comments": totals.comments,
                                 "flags_changed": totals.flags_changed,
                                 "held": totals.held, "released": totals.released,
                                 "kept_decisions": totals.kept_decisions})


# --- Rescoring one course or discussion from the policy page ---------------------------

# A page waits for its answer: beyond this many comments, the command line does it in batches.
MAX_IN_REQUEST = 1000


def undecided(course_id: int, discussion_id: int | None = None) -> Select[Comment]:
    """The comments a policy change may move, oldest first: pending or approved automatically.

    Never a comment a person decided, a rejected one, or one by the course's staff.
    """
    by_staff = exists().where(Membership.user_id == Comment.author_id,
                              Membership.course_id == Comment.course_id,
                              Membership.role.in_([role for role in Role if role.is_staff]))
    query = select(Comment).where(
        Comment.course_id == course_id, Comment.decided_by_id.is_(None),
        Comment.status != CommentStatus.REJECTED, ~by_staff).order_by(Comment.id)
    if discussion_id is not None:
        query = query.where(Comment.discussion_id == discussion_id)
    return query


def count_undecided(course: Course, discussion: Discussion | None = None) -> int:
    """How many comments rescoring this course (or discussion) would look at."""
    query = undecided(course.id, discussion.id if discussion else None)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _within_limit(course: Course, discussion: Discussion | None) -> None:
    total = count_undecided(course, discussion)
    if total > MAX_IN_REQUEST:
        raise Conflict(
            f"{total:,} comments are more than a page rescores at once ({MAX_IN_REQUEST:,}). "
            f"Run `moderation rescore --course {course.code}` on the server instead.",
            field="rescore")


def preview(course: Course, discussion: Discussion | None = None) -> RescoreTotals:
    """What rescoring the undecided comments would change, without changing anything.

    The same check and the same status decision as the rescore itself.
    """
    _within_limit(course, discussion)
    totals = RescoreTotals()
    comments = db.session.scalars(undecided(course.id, discussion.id if discussion else None))
    for comment in comments.unique():
        verdict, staff = _checked(comment)
        totals.comments += 1
        status = automatic_status(comment, verdict, staff)
        if status is not None:
            _count_move(totals, status)
    return totals


def rescore_undecided(course: Course, actor: User,
                      discussion: Discussion | None = None) -> RescoreTotals:
    """Rescore the undecided comments of a course (or one discussion) now, and audit it."""
    _within_limit(course, discussion)
    # Locked until commit (PostgreSQL): a decision made meanwhile waits, then is not
    # overwritten; a comment decided before the lock is no longer in scope.
    comments = db.session.scalars(
        undecided(course.id, discussion.id if discussion else None)
        .with_for_update(of=Comment).execution_options(populate_existing=True)).unique()
    totals = RescoreTotals()
    for comment in list(comments):
        rescore_comment(comment, totals, actor)
    record(totals, course.id, actor=actor, scope=discussion or course)
    db.session.flush()
    return totals
