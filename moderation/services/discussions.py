"""Discussions: create, edit, open and close, and what a student may see of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased, selectinload

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    DiscussionState,
    ModerationMode,
    User,
    utcnow,
)
from moderation.models.discussions import DEFAULTS
from moderation.services import audit, grading
from moderation.services.errors import InvalidInput
from moderation.services.text import clean_name

EDITABLE = (
    "title", "prompt", "opens_at", "due_at", "points_possible", "required_replies",
    "min_words", "max_words", "reply_min_words", "reply_max_words", "moderation_mode",
    "lms_assignment_id",
)


@dataclass
class DiscussionFields:
    """What an instructor sets on a discussion."""

    title: str
    prompt: str = ""
    opens_at: datetime | None = None
    due_at: datetime | None = None
    points_possible: float = 10.0
    required_replies: int = 2
    min_words: int = DEFAULTS.min_words
    max_words: int = DEFAULTS.max_words
    reply_min_words: int = DEFAULTS.reply_min_words
    reply_max_words: int = DEFAULTS.reply_max_words
    moderation_mode: ModerationMode = ModerationMode.FLAGGED
    lms_assignment_id: str | None = None

    def check(self) -> None:
        """Refuse inconsistent settings, naming the field."""
        self.title = clean_name(self.title, "title", "a title for the discussion", limit=200)
        if self.opens_at and self.due_at and self.due_at <= self.opens_at:
            raise InvalidInput("The due date must come after the opening date.", field="due_at")
        if self.max_words < self.min_words:
            raise InvalidInput("The maximum must be at least the minimum.", field="max_words")
        if self.reply_max_words < self.reply_min_words:
            raise InvalidInput("The maximum must be at least the minimum.",
                               field="reply_max_words")


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
    # Points, due date, word range and replies asked all change what is suggested.
    grading.refresh_suggestions(discussion)
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


def visible_comments(discussion: Discussion, viewer: User, staff: bool) -> list[Comment]:
    """Return the comments the viewer may see: approved ones, plus their own pending ones.

    A student also sees their own rejected comments that wait for a revision, in place
    (with the reason); once revised, the revision takes their place.
    """
    query = select(Comment).where(Comment.discussion_id == discussion.id)
    if not staff:
        revision = aliased(Comment)
        query = query.where(or_(
            Comment.status == CommentStatus.APPROVED,
            (Comment.author_id == viewer.id) & (Comment.status == CommentStatus.PENDING),
            (Comment.author_id == viewer.id) & (Comment.status == CommentStatus.REJECTED)
            & ~exists().where(revision.revision_of_id == Comment.id),
        ))
    else:
        query = query.where(Comment.status != CommentStatus.REJECTED)
    # Flags are shown under the viewer's own comments and to staff: load them in one query.
    query = query.options(selectinload(Comment.flags))
    return list(db.session.scalars(query.order_by(Comment.submitted_at, Comment.id)).unique())
