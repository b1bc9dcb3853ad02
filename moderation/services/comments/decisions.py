"""Staff decisions on comments: approve, reject, reopen, edit, and the same in bulk.

Each is one named function that locks the comment, refuses if it is no longer in the
status the deciding page showed, changes it, and writes its audit event in the same
transaction; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    RejectionReason,
    Severity,
    User,
    utcnow,
)
from moderation.services import audit, notifications, time_zones
from moderation.services.comments import checking, text_facts
from moderation.services.courses import require_member
from moderation.services.errors import Conflict, InvalidInput, NotFound
from moderation.services.text import clean_body

MAX_MESSAGE_CHARS = 2000
MAX_BULK = 1000  # comments per bulk decision: a page of selections, or one discussion


class DecisionConflict(Conflict):
    """The comment changed since the page was shown; nothing was overwritten."""

    def __init__(self, comment: Comment) -> None:
        super().__init__(describe_decision(comment), field="status")
        self.comment = comment


def describe_decision(comment: Comment) -> str:
    """Say where a comment stands now: "Already approved by Maya Patel at Mon 14 Dec,
    14:02 EST", in the course's time zone."""
    if comment.decided_by is None:
        state = {CommentStatus.PENDING: "waiting in the queue",
                 CommentStatus.APPROVED: "approved automatically",
                 CommentStatus.REJECTED: "rejected"}[comment.status]
        return f"This comment is now {state}; nothing was changed."
    when = time_zones.show(comment.decided_at, time_zones.zone(comment.discussion.course.time_zone),
                           year=False)
    verb = "reopened" if comment.status == CommentStatus.PENDING else comment.status.value
    return f"Already {verb} by {comment.decided_by.display_name} at {when}; nothing was changed."


def locked(comment_id: int, actor: User) -> Comment:
    """Load a comment for deciding, locking its row until commit (PostgreSQL)."""
    comment = db.session.scalar(
        select(Comment).where(Comment.id == comment_id)
        .with_for_update(of=Comment).execution_options(populate_existing=True))
    if comment is None:
        raise NotFound()
    require_member(actor, comment.discussion.course, staff=True)
    return comment


@dataclass(frozen=True)
class Decision:
    """What a member of staff decided about one comment."""

    status: CommentStatus
    reason: RejectionReason | None = None
    message: str | None = None


def decide(comment: Comment, actor: User, decision: Decision,
           expected: CommentStatus | None) -> Comment:
    """Set a comment's status by a person's decision, refusing if it moved since `expected`."""
    if expected is not None and comment.status != expected:
        raise DecisionConflict(comment)
    if comment.revision is not None and decision.status != CommentStatus.REJECTED:
        # The student answered the rejection with a revision; bringing the original back
        # would show both. The revision is the one to decide.
        raise Conflict("The student has revised this comment; decide on the revision.",
                       field="status")
    _apply(comment, actor, _checked(decision))
    db.session.flush()
    return comment


def _checked(decision: Decision) -> Decision:
    """Refuse a decision that cannot be applied: a rejection with no reason, a bad message."""
    if decision.status == CommentStatus.REJECTED and decision.reason is None:
        raise InvalidInput("Choose a reason: the student sees it.", field="reason")
    message = (decision.message or "").strip() or None
    if message and len(message) > MAX_MESSAGE_CHARS:
        raise InvalidInput(f"Keep the message under {MAX_MESSAGE_CHARS:,} characters.",
                           field="message")
    if message and "\x00" in message:
        raise InvalidInput("Remove the NUL character from the message.", field="message")
    return Decision(decision.status, decision.reason, message)


def _apply(comment: Comment, actor: User, decision: Decision) -> None:
    """Change the comment and write its audit event (the caller flushes)."""
    before = {"status": comment.status.value, "reason": comment.decision_reason}
    comment.status = decision.status
    comment.decision_reason = decision.reason.value if decision.reason else None
    comment.decision_message = (decision.message if decision.status == CommentStatus.REJECTED
                                else None)
    comment.decided_by_id = actor.id
    comment.decided_at = utcnow()
    action = {CommentStatus.APPROVED: "comment.approved", CommentStatus.REJECTED:
              "comment.rejected", CommentStatus.PENDING: "comment.reopened"}[decision.status]
    audit.record(action, actor=actor, course_id=comment.course_id, obj=comment,
                 subject_id=comment.author_id, before=before,
                 after={"status": comment.status.value, "reason": comment.decision_reason},
                 reason=decision.message, flush=False)
    if decision.status == CommentStatus.REJECTED:
        notifications.rejected(comment)


def approve(comment: Comment, actor: User, expected: CommentStatus | None) -> Comment:
    """Approve a comment: it appears in the thread."""
    return decide(comment, actor, Decision(CommentStatus.APPROVED), expected)


def reject(comment: Comment, actor: User, reason: RejectionReason, message: str | None,
           expected: CommentStatus | None) -> Comment:
    """Reject a comment with a reason (and a message) the student sees; they may revise it."""
    return decide(comment, actor, Decision(CommentStatus.REJECTED, reason, message), expected)


def reopen(comment: Comment, actor: User, expected: CommentStatus | None) -> Comment:
    """Put a decided comment back in the queue (a person's decision: rescoring keeps it)."""
    if comment.status == CommentStatus.PENDING and expected in (None, CommentStatus.PENDING):
        raise Conflict("This comment is already waiting in the queue.", field="status")
    return decide(comment, actor, Decision(CommentStatus.PENDING), expected)


def edit(comment: Comment, actor: User, body: str, note: str | None = None) -> Comment:
    """Change a comment's text as staff (a typo, a redaction); the student's words are kept.

    The first edit keeps the original in `original_body`; every edit is in the audit log
    with the text before and after. The comment is analysed again (flags, spans and all
    that the text decides follow the new text, `text_facts.store`) but its status stays
    as it is.
    """
    body = clean_body(body)
    if body == comment.body:
        raise InvalidInput("The text is unchanged.", field="body")
    before = comment.body
    verdict = checking.check_text(
        comment.discussion, comment.author, body, is_reply=comment.parent_id is not None,
        now=comment.submitted_at, staff=False, exclude_id=comment.id, stored=True)
    if comment.original_body is None:
        comment.original_body = before
    comment.body = body
    comment.edited_by_id = actor.id
    comment.edited_at = utcnow()
    db.session.flush()
    text_facts.store([text_facts.Stored(
        comment.id, comment.course_id, comment.discussion_id, comment.author_id, body,
        text_facts.Facts.of(body, verdict.analysis), earlier_body=before)])
    audit.record("comment.edited", actor=actor, course_id=comment.course_id, obj=comment,
                 subject_id=comment.author_id, before={"body": before}, after={"body": body},
                 reason=(note or "").strip() or None)
    return comment


@dataclass
class BulkResult:
    """What a bulk decision did."""

    decided: list[int]
    skipped: list[int]  # no longer in the expected status, or not in this course


def bulk(course_id: int, comment_ids: Sequence[int], actor: User, decision: Decision,
         expected: CommentStatus) -> BulkResult:
    """Decide many comments of one course at once; those that moved meanwhile are skipped."""
    ids = list(dict.fromkeys(comment_ids))
    if not ids:
        raise InvalidInput("Select at least one comment.", field="ids")
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"Select at most {MAX_BULK} comments at a time.", field="ids")
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound()
    require_member(actor, course, staff=True)
    decision = _checked(decision)
    comments = _locked_many(course_id, ids)
    result = BulkResult([], [i for i in ids if i not in {c.id for c in comments}])
    revised = set(db.session.scalars(select(Comment.revision_of_id).where(
        Comment.revision_of_id.in_([c.id for c in comments]))))
    for comment in comments:
        if comment.status != expected or (comment.id in revised
                                           and decision.status != CommentStatus.REJECTED):
            result.skipped.append(comment.id)
            continue
        _apply(comment, actor, decision)
        result.decided.append(comment.id)
    db.session.flush()
    return result


def unflagged_pending(discussion: Discussion) -> list[int]:
    """Ids of the discussion's pending comments with no hold (or block) flag."""
    return list(db.session.scalars(
        select(Comment.id).where(Comment.discussion_id == discussion.id,
                                 Comment.status == CommentStatus.PENDING,
                                 Comment.flag_level < Severity.HOLD.level)
        .order_by(Comment.submitted_at, Comment.id)))


def _locked_many(course_id: int, ids: Iterable[int]) -> list[Comment]:
    return list(db.session.scalars(
        select(Comment).where(Comment.course_id == course_id, Comment.id.in_(list(ids)))
        .order_by(Comment.id).with_for_update(of=Comment)
        .execution_options(populate_existing=True)).unique())
