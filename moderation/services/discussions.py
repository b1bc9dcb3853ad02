"""Discussions: create, edit, open and close, and what a student may see of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select, tuple_
from sqlalchemy.orm import aliased, selectinload

from moderation.extensions import db
from moderation.grading import hundredths
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    DiscussionState,
    ModerationMode,
    PostFirst,
    User,
    utcnow,
)
from moderation.models.discussions import DEFAULTS
from moderation.services import audit
from moderation.services.errors import InvalidInput
from moderation.services.paging import Cursor
from moderation.services.text import clean_name

# Built once, at import: an alias made per call builds a proxy of each of the table's
# columns again when first used (about a millisecond a page).
_REVISION = aliased(Comment, name="revision")

EDITABLE = (
    "title", "prompt", "opens_at", "due_at", "replies_due_at", "points_possible",
    "required_replies", "min_words", "max_words", "reply_min_words", "reply_max_words",
    "moderation_mode", "post_first", "lms_assignment_id",
)


@dataclass
class DiscussionFields:
    """What an instructor sets on a discussion."""

    title: str
    prompt: str = ""
    opens_at: datetime | None = None
    due_at: datetime | None = None
    points_possible: float = DEFAULTS.points_possible
    required_replies: int = DEFAULTS.required_replies
    min_words: int = DEFAULTS.min_words
    max_words: int = DEFAULTS.max_words
    reply_min_words: int = DEFAULTS.reply_min_words
    reply_max_words: int = DEFAULTS.reply_max_words
    moderation_mode: ModerationMode = DEFAULTS.moderation_mode
    lms_assignment_id: str | None = None
    replies_due_at: datetime | None = None
    post_first: PostFirst = PostFirst.OFF

    def check(self) -> None:
        """Refuse inconsistent settings, naming the field."""
        self.title = clean_name(self.title, "title", "a title for the discussion", limit=200)
        if self.opens_at and self.due_at and self.due_at <= self.opens_at:
            raise InvalidInput("The due date must come after the opening date.", field="due_at")
        if self.due_at and self.replies_due_at and self.replies_due_at < self.due_at:
            raise InvalidInput("Replies cannot be due before the responses they answer: "
                               "set the replies' due date at or after the due date.",
                               field="replies_due_at")
        if self.opens_at and self.replies_due_at and self.replies_due_at <= self.opens_at:
            raise InvalidInput("The replies' due date must come after the opening date.",
                               field="replies_due_at")
        if not isinstance(self.post_first, PostFirst):
            raise InvalidInput("Choose when students see their classmates' comments.",
                               field="post_first")
        if self.max_words < self.min_words:
            raise InvalidInput("The maximum must be at least the minimum.", field="max_words")
        if self.reply_max_words < self.reply_min_words:
            raise InvalidInput("The maximum must be at least the minimum.",
                               field="reply_max_words")
        # Points as every page and file shows them (a score is compared with them).
        self.points_possible = hundredths(self.points_possible)


def _snapshot(discussion: Discussion) -> dict[str, Any]:
    data = {}
    for name in (*EDITABLE, "state"):
        value = getattr(discussion, name)
        data[name] = value.isoformat() if isinstance(value, datetime) else (
            str(value) if hasattr(value, "value") else value)
    return data


def create_discussion(course: Course, author: User, fields: DiscussionFields) -> Discussion:
    """Create a discussion in draft; it opens when the instructor opens it."""
    fields.check()
    discussion = Discussion(course=course, author_id=author.id, state=DiscussionState.DRAFT,
                            policy_overrides={})
    for name in EDITABLE:
        setattr(discussion, name, getattr(fields, name))
    db.session.add(discussion)
    db.session.flush()
    audit.record("discussion.created", actor=author, course_id=course.id, obj=discussion,
                 after=_snapshot(discussion))
    return discussion


def update_discussion(discussion: Discussion, actor: User, fields: DiscussionFields) -> Discussion:
    """Change a discussion's settings."""
    fields.check()
    before = _snapshot(discussion)
    for name in EDITABLE:
        setattr(discussion, name, getattr(fields, name))
    db.session.flush()
    audit.record("discussion.updated", actor=actor, course_id=discussion.course_id,
                 obj=discussion, before=before, after=_snapshot(discussion))
    return discussion


def set_state(discussion: Discussion, actor: User, state: DiscussionState) -> Discussion:
    """Open or close a discussion (closing keeps its comments readable)."""
    before = discussion.state
    discussion.state = state
    db.session.flush()
    audit.record(f"discussion.{state.value}", actor=actor, course_id=discussion.course_id,
                 obj=discussion, before={"state": before.value}, after={"state": state.value})
    return discussion


def accepts_comments(discussion: Discussion, now: datetime | None = None) -> bool:
    """Return whether students may post now: open, and past its opening time."""
    now = now or utcnow()
    return discussion.state == DiscussionState.OPEN and (
        discussion.opens_at is None or discussion.opens_at <= now
    )


def visible_to_students(discussion: Discussion) -> bool:
    """Drafts are for staff only."""
    return discussion.state != DiscussionState.DRAFT


@dataclass(frozen=True)
class Sight:
    """Whether a viewer may read classmates' comments in a discussion, and if not, why
    and what to do (the discussion's "post before you see" option)."""

    classmates: bool
    notice: str | None = None


def sight(discussion: Discussion, viewer: User, staff: bool) -> Sight:
    """Whether the viewer may read classmates' comments now (one query, when gated).

    Staff always may. Under "after submitting", a response of the student's own that is
    waiting or approved opens the discussion; under "after approval", only an approved
    one. Read from the comments every time, never stored: a response rejected later
    closes the discussion again until its revision counts (a rejection often says
    "copied", and the revision must be the student's own work too).
    """
    if staff or discussion.post_first == PostFirst.OFF:
        return Sight(True)
    statuses = set(db.session.scalars(
        select(Comment.status).distinct().where(
            Comment.discussion_id == discussion.id, Comment.author_id == viewer.id,
            Comment.parent_id.is_(None))))
    opening = ({CommentStatus.APPROVED} if discussion.post_first == PostFirst.APPROVED
               else {CommentStatus.APPROVED, CommentStatus.PENDING})
    if statuses & opening:
        return Sight(True)
    return Sight(False, _notice(discussion.post_first, statuses))


def _notice(option: PostFirst, statuses: set[CommentStatus]) -> str:
    """What a student who may not read classmates' comments yet is told to do."""
    if option == PostFirst.APPROVED:
        if CommentStatus.PENDING in statuses:
            return ("You will see your classmates' responses once your response is "
                    "approved.")
        if CommentStatus.REJECTED in statuses:
            return ("Your response was rejected: revise it, and you will see your "
                    "classmates' responses once the revision is approved.")
        return "Post your response to see your classmates' once your response is approved."
    if CommentStatus.REJECTED in statuses:
        return "Your response was rejected: revise it to see your classmates' responses."
    return "Post your response to see your classmates'."


def _visible(viewer: User, staff: bool, classmates: bool = True) -> ColumnElement[bool]:
    """Which comments the viewer may see: approved ones, plus their own pending ones.

    A student also sees their own rejected comments that wait for a revision, in place
    (with the reason); once revised, the revision takes their place. Staff see every
    comment but rejected ones. Without `classmates` (see `sight`), a student sees only
    their own.
    """
    if staff:
        return Comment.status != CommentStatus.REJECTED
    revision = _REVISION
    approved = Comment.status == CommentStatus.APPROVED
    if not classmates:
        approved = approved & (Comment.author_id == viewer.id)
    return or_(
        approved,
        (Comment.author_id == viewer.id) & (Comment.status == CommentStatus.PENDING),
        (Comment.author_id == viewer.id) & (Comment.status == CommentStatus.REJECTED)
        & ~exists().where(revision.revision_of_id == Comment.id),
    )


def visible_comments(discussion: Discussion, viewer: User, staff: bool) -> list[Comment]:
    """Every comment of the discussion the viewer may see, oldest first."""
    visible = _visible(viewer, staff, sight(discussion, viewer, staff).classmates)
    return list(db.session.scalars(
        select(Comment).where(Comment.discussion_id == discussion.id, visible)
        .options(selectinload(Comment.flags))
        .order_by(Comment.submitted_at, Comment.id)).unique())


THREADS_PER_PAGE = 25


@dataclass
class ThreadPage:
    """Responses of one page, each with its replies, and the cursors around the page."""

    top: list[Comment]
    replies: dict[int, list[Comment]]
    previous: Cursor | None
    next: Cursor | None
    sight: Sight = Sight(True)  # classmates' comments are left out until it allows them


def thread_page(discussion: Discussion, viewer: User, staff: bool, *,
                after: Cursor | None = None, before: Cursor | None = None,
                at: int | None = None) -> ThreadPage:
    """A page of the discussion's responses, oldest first, each with all its replies.

    Keyset pages over the responses (a reply always stays with its response), so any page
    of a discussion of thousands costs a few queries. `at` opens the page that holds a
    given comment's response (where a student lands after posting): pages are counted
    from the first response, so it is the page reading from the start would reach.
    """
    seen = sight(discussion, viewer, staff)
    visible = _visible(viewer, staff, seen.classmates)
    top_level = (Comment.discussion_id == discussion.id, Comment.parent_id.is_(None), visible)
    key = tuple_(Comment.submitted_at, Comment.id)
    if at is not None and before is None:
        after = _page_start(top_level, _root(discussion.id, at))
    forward = before is None
    query = select(Comment).where(*top_level)
    if forward and after is not None:
        query = query.where(key > (after.submitted_at, after.id))
    elif before is not None:
        query = query.where(key < (before.submitted_at, before.id))
    order = (Comment.submitted_at, Comment.id) if forward else (
        Comment.submitted_at.desc(), Comment.id.desc())
    rows = list(db.session.scalars(
        query.order_by(*order).limit(THREADS_PER_PAGE + 1)
        .options(selectinload(Comment.flags))).unique())
    more = len(rows) > THREADS_PER_PAGE
    top = rows[:THREADS_PER_PAGE]
    if not forward:
        top.reverse()
    replies = _replies_of([c for c in top if c.status != CommentStatus.REJECTED], visible)
    if not top:
        return ThreadPage([], {}, None, None, seen)
    first, last = top[0], top[-1]
    if forward:
        has_previous = after is not None and db.session.scalar(
            select(Comment.id).where(*top_level, key < (first.submitted_at, first.id))
            .limit(1)) is not None
        has_next = more
    else:
        has_previous, has_next = more, True
    return ThreadPage(top, replies,
                      previous=Cursor(0, first.submitted_at, first.id) if has_previous else None,
                      next=Cursor(0, last.submitted_at, last.id) if has_next else None,
                      sight=seen)


def _page_start(top_level: tuple[ColumnElement[bool], ...],
                root: Comment | None) -> Cursor | None:
    """Where the page holding `root` starts, counting pages of THREADS_PER_PAGE from the
    first response: the same pages as reading from the start (None: the first page)."""
    if root is None:
        return None
    key = tuple_(Comment.submitted_at, Comment.id)
    earlier = db.session.scalar(select(func.count()).select_from(Comment).where(
        *top_level, key < (root.submitted_at, root.id))) or 0
    start = earlier // THREADS_PER_PAGE * THREADS_PER_PAGE
    if start == 0:
        return None
    edge = db.session.execute(
        select(Comment.submitted_at, Comment.id).where(*top_level)
        .order_by(Comment.submitted_at, Comment.id).offset(start - 1).limit(1)).first()
    # None when a response vanished between the two reads (rejected meanwhile): the first
    # page, rather than an error.
    return Cursor(0, edge.submitted_at, edge.id) if edge is not None else None


def _root(discussion_id: int, comment_id: int) -> Comment | None:
    """The response a comment belongs to (itself, for a response)."""
    comment = db.session.get(Comment, comment_id)
    for _ in range(20):  # replies to replies are a few levels deep at most
        if comment is None or comment.discussion_id != discussion_id:
            return None
        if comment.parent_id is None:
            return comment
        comment = db.session.get(Comment, comment.parent_id)
    return None


def _replies_of(parents: list[Comment],
                visible: ColumnElement[bool]) -> dict[int, list[Comment]]:
    """Every visible reply under these comments, a level at a time, by parent id.

    A reply under a rejected (or hidden) comment is never shown, and never floats up.
    """
    replies: dict[int, list[Comment]] = {}
    level = [c.id for c in parents]
    while level:
        found = list(db.session.scalars(
            select(Comment).where(Comment.parent_id.in_(level), visible)
            .order_by(Comment.submitted_at, Comment.id)
            .options(selectinload(Comment.flags))).unique())
        for reply in found:
            replies.setdefault(reply.parent_id or 0, []).append(reply)
        level = [r.id for r in found if r.status != CommentStatus.REJECTED]
    return replies
