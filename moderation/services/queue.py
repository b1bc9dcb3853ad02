"""The moderation queue: submitting comments (analysed, then held or approved)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from moderation.analysis import Analysis
from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    User,
    utcnow,
)
from moderation.services import checking
from moderation.services.courses import require_member
from moderation.services.discussions import accepts_comments
from moderation.services.errors import Conflict, InvalidInput, NotFound, ServiceError
from moderation.services.text import is_blank


class Blocked(ServiceError):
    """The rules refused the comment; every reason is listed and nothing was stored."""

    status = 422

    def __init__(self, analysis: Analysis) -> None:
        reasons = [f.message for f in analysis.findings if f.severity == "block"]
        super().__init__(" ".join(reasons), field="body")
        self.analysis = analysis
        self.reasons = reasons


@dataclass
class Submission:
    """The outcome of a submit: the comment, and whether this call created it."""

    comment: Comment
    created: bool


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def clean_body(body: str) -> str:
    """Check a comment body and return it trimmed; refuse empty, NUL and over-long text."""
    if "\x00" in body:
        raise InvalidInput("Your comment contains a NUL character; remove it and try again.",
                           field="body")
    body = body.replace("\r\n", "\n").strip()
    if is_blank(body):
        raise InvalidInput("Write your comment before submitting.", field="body")
    limit = current_app.config["MAX_COMMENT_CHARS"]
    if len(body) > limit:
        raise InvalidInput(f"Your comment has {len(body):,} characters; the limit is {limit:,}.",
                           field="body")
    return body


def submit_comment(
    discussion: Discussion,
    author: User,
    body: str,
    submission_token: str,
    parent_id: int | None = None,
    now: datetime | None = None,
) -> Submission:
    """Analyse and store a comment; a repeated submission token returns the first comment."""
    now = now or utcnow()
    membership = require_member(author, discussion.course)
    if not submission_token or len(submission_token) > 64:
        raise InvalidInput("The form has expired; reload the page and submit again.")
    existing = _by_token(submission_token)
    if existing is not None:
        return _same_submission(existing, author)
    if not accepts_comments(discussion, now):
        raise Conflict("This discussion is not open for comments.")
    body = clean_body(body)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if (parent is None or parent.discussion_id != discussion.id
                or parent.status != CommentStatus.APPROVED):
            raise NotFound("The comment you are replying to is not available.")
    try:
        _refuse_duplicate(discussion, author, body)
    except Conflict:
        # A double click whose first click committed after the token check above (on
        # PostgreSQL nothing orders the two): the same text is this very submission.
        existing = _by_token(submission_token)
        if existing is None:
            raise
        return _same_submission(existing, author)

    verdict = checking.check_text(discussion, author, body, is_reply=parent is not None,
                                  now=now, staff=membership.role.is_staff)
    if verdict.blocked:
        raise Blocked(verdict.analysis)
    comment = Comment(
        discussion_id=discussion.id,
        course_id=discussion.course_id,
        author_id=author.id,
        parent_id=parent.id if parent else None,
        body=body,
        status=verdict.status,
        submitted_at=now,
        submission_token=submission_token,
    )
    checking.record_analysis(comment, verdict.analysis)
    try:
        # A savepoint: if a concurrent double click inserted the same token first,
        # only this insert is undone and the first comment is returned.
        with db.session.begin_nested():
            db.session.add(comment)
    except IntegrityError:
        existing = _by_token(submission_token)
        if existing is None:
            raise
        return _same_submission(existing, author)
    return Submission(comment, created=True)


def preview(discussion: Discussion, author: User, body: str,
            parent_id: int | None = None) -> Analysis:
    """Analyse a draft as it would be analysed on submit, storing nothing.

    Only comments the author can read are compared with: the preview is free and
    repeatable, so it must not become a way to probe comments held for moderation.
    """
    membership = require_member(author, discussion.course)
    body = clean_body(body)
    return checking.check_text(discussion, author, body, is_reply=parent_id is not None,
                               now=utcnow(), staff=membership.role.is_staff,
                               visible_only=True).analysis


def _by_token(token: str) -> Comment | None:
    return db.session.scalar(select(Comment).where(Comment.submission_token == token))


def _same_submission(existing: Comment, author: User) -> Submission:
    if existing.author_id != author.id:
        raise Conflict("The form has expired; reload the page and submit again.")
    return Submission(existing, created=False)


def _refuse_duplicate(discussion: Discussion, author: User, body: str) -> None:
    """Refuse the same text from the same author in the same discussion (WordPress's 409)."""
    target = _normalised(body)
    earlier = db.session.scalars(
        select(Comment.body).where(Comment.discussion_id == discussion.id,
                                   Comment.author_id == author.id,
                                   Comment.status != CommentStatus.REJECTED)
    )
    if any(_normalised(text) == target for text in earlier):
        raise Conflict("You have already posted this comment in this discussion.", field="body")


def comments_by(author: User) -> list[Comment]:
    """Return every comment of the author, newest first."""
    return list(db.session.scalars(
        select(Comment).where(Comment.author_id == author.id)
        .options(selectinload(Comment.flags),
                 selectinload(Comment.discussion).selectinload(Discussion.course))
        .order_by(Comment.submitted_at.desc(), Comment.id.desc())
    ).unique())
