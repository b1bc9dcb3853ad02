"""Revisions of rejected comments: who may revise what, the chain of versions, what waits.

Storing a revision goes through `queue.revise_comment`, the same path as a submit; this
module holds the rules it checks and the reads around revisions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    DiscussionState,
    Membership,
    PostFirst,
    User,
    utcnow,
)
from moderation.services.courses import require_member
from moderation.services.discussions import accepts_comments, sight
from moderation.services.errors import Conflict, Forbidden, NotFound

MAX_CHAIN = 100  # versions followed from one comment; real chains have a handful
# Built once, at import: an alias made per call builds a proxy of each of the table's
# columns again when first used (about a millisecond a page).
_REVISION, _PARENT = aliased(Comment, name="revision"), aliased(Comment, name="parent")
_EARLIER, _LATER = aliased(Comment, name="earlier"), aliased(Comment, name="later")
_OWN = aliased(Comment, name="own")

ALREADY_REVISED = "You have already revised this comment; your revision is on My comments."
PARENT_HIDDEN = ("The comment this replies to is no longer shown in the discussion, so this "
                 "reply cannot be revised.")


def require_author(comment: Comment, user: User) -> Membership:
    """Return the author's membership; refuse anyone else (404, or 403 to the course's staff).

    A classmate cannot see a rejected comment at all, so for them it does not exist;
    staff can see it but revising is the student's own act (staff edit instead).
    """
    membership = require_member(user, comment.discussion.course)
    if comment.author_id != user.id:
        if membership.role.is_staff:
            raise Forbidden("Only the student who wrote this comment can revise it.")
        raise NotFound()
    return membership


def revision_id(comment: Comment) -> int | None:
    """The id of the comment's revision, read from the database (not the session's cache)."""
    return db.session.scalar(select(Comment.id).where(Comment.revision_of_id == comment.id))


def check_revisable(comment: Comment, now: datetime | None = None) -> None:
    """Refuse (409) unless the comment is rejected, not yet revised, and its discussion open."""
    if comment.status != CommentStatus.REJECTED:
        state = {CommentStatus.PENDING: "waiting for your instructor",
                 CommentStatus.APPROVED: "approved"}[comment.status]
        raise Conflict(f"Only a rejected comment can be revised; this one is {state}.",
                       field="body")
    if revision_id(comment) is not None:
        raise Conflict(ALREADY_REVISED, field="body")
    if not accepts_comments(comment.discussion, now):
        raise Conflict("This discussion is not open for comments any more, so the comment "
                       "cannot be revised.", field="body")
    if comment.parent is not None and comment.parent.status != CommentStatus.APPROVED:
        raise Conflict(PARENT_HIDDEN, field="body")
    if comment.parent_id is not None:
        seen = sight(comment.discussion, comment.author, staff=False)
        if not seen.classmates:  # post before you see: the reply answers a hidden comment
            raise Conflict(seen.notice or PARENT_HIDDEN, field="body")


def can_revise(comment: Comment, now: datetime | None = None) -> bool:
    """Whether `check_revisable` would let the comment be revised (for showing the link)."""
    return (comment.status == CommentStatus.REJECTED and comment.revision is None
            and accepts_comments(comment.discussion, now)
            and (comment.parent is None or comment.parent.status == CommentStatus.APPROVED)
            and (comment.parent_id is None
                 or sight(comment.discussion, comment.author, staff=False).classmates))


def to_revise_count(user: User, now: datetime | None = None) -> int:
    """How many of the user's comments are rejected, not yet revised, and still revisable.

    One query (the navigation runs it on every page). A rejected comment that can no
    longer be revised (its discussion closed, or the comment it replies to is hidden
    now) is not counted: nothing can be done about it.
    """
    now = now or utcnow()
    revision, parent, own = _REVISION, _PARENT, _OWN
    # Post before you see: a reply is revisable only while its author may read classmates
    # (`discussions.sight`, as one condition: a response of theirs that opens the discussion).
    opens = exists().where(
        own.discussion_id == Comment.discussion_id, own.author_id == user.id,
        own.parent_id.is_(None),
        or_(own.status == CommentStatus.APPROVED,
            (own.status == CommentStatus.PENDING)
            & (Discussion.post_first == PostFirst.SUBMITTED)))
    return db.session.scalar(
        select(func.count()).select_from(Comment).join(Comment.discussion)
        .outerjoin(parent, parent.id == Comment.parent_id)
        .where(Comment.author_id == user.id, Comment.status == CommentStatus.REJECTED,
               ~exists().where(revision.revision_of_id == Comment.id),
               Discussion.state == DiscussionState.OPEN,
               or_(Discussion.opens_at.is_(None), Discussion.opens_at <= now),
               or_(Comment.parent_id.is_(None), parent.status == CommentStatus.APPROVED),
               or_(Comment.parent_id.is_(None), Discussion.post_first == PostFirst.OFF, opens))
    ) or 0


def version_chain(comment: Comment) -> list[Comment]:
    """Every version of a comment, oldest first: the first rejected one, its revision, …

    Any member of the chain gives the same list. One query walks up to the first version
    and back down (recursive CTEs, on SQLite and PostgreSQL alike), one more loads the
    decision makers.
    """
    up = (select(Comment.id, Comment.revision_of_id, literal(0).label("depth"))
          .where(Comment.id == comment.id).cte("up", recursive=True))
    earlier = _EARLIER
    up = up.union_all(
        select(earlier.id, earlier.revision_of_id, (up.c.depth + 1).label("depth"))
        .join(up, earlier.id == up.c.revision_of_id).where(up.c.depth < MAX_CHAIN))
    down = (select(up.c.id, literal(0).label("depth"))
            .where(up.c.revision_of_id.is_(None)).cte("down", recursive=True))
    later = _LATER
    down = down.union_all(
        select(later.id, (down.c.depth + 1).label("depth"))
        .join(down, later.revision_of_id == down.c.id).where(down.c.depth < MAX_CHAIN))
    chain = list(db.session.scalars(
        select(Comment).join(down, Comment.id == down.c.id).order_by(down.c.depth)
        .options(selectinload(Comment.decided_by))
    ).unique())
    return chain or [comment]  # only a chain longer than MAX_CHAIN loses its first version
