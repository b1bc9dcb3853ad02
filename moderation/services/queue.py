"""The moderation queue: submitting comments (analysed, then held or approved)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from moderation.analysis import ANALYSIS_VERSION, Analysis, Context, PriorComment, analyze
from moderation.analysis.pipeline import status_for
from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    Flag,
    Severity,
    User,
    utcnow,
)
from moderation.services import policies
from moderation.services.courses import require_member
from moderation.services.discussions import accepts_comments
from moderation.services.errors import Conflict, InvalidInput, NotFound, ServiceError

CONTEXT_LIMIT = 300  # earlier comments compared against: enough for a large section


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
    if not body:
        raise InvalidInput("Write your comment before submitting.", field="body")
    limit = current_app.config["MAX_COMMENT_CHARS"]
    if len(body) > limit:
        raise InvalidInput(f"Your comment has {len(body):,} characters; the limit is {limit:,}.",
                           field="body")
    return body


def build_context(discussion: Discussion, author: User, is_reply: bool,
                  now: datetime, exclude_id: int | None = None) -> Context:
    """Gather what the rules may know: the prompt, earlier comments, the due date.

    Only comments submitted before `now` count, so rescoring a comment later compares
    it with what existed when it was written.
    """
    earlier = (Comment.status != CommentStatus.REJECTED, Comment.submitted_at < now,
               Comment.id != (exclude_id or 0))
    own = db.session.scalars(
        select(Comment).join(Comment.discussion)
        .where(Comment.author_id == author.id, Discussion.course_id == discussion.course_id,
               *earlier)
        .order_by(Comment.submitted_at.desc()).limit(CONTEXT_LIMIT)
    ).unique()
    classmates = db.session.scalars(
        select(Comment).where(Comment.discussion_id == discussion.id,
                              Comment.author_id != author.id, *earlier)
        .order_by(Comment.submitted_at.desc()).limit(CONTEXT_LIMIT)
    ).unique()
    return Context(
        is_reply=is_reply,
        prompt=discussion.prompt,
        own_comments=tuple(PriorComment(c.id, c.author.display_name, c.body,
                                        c.discussion.title) for c in own),
        classmate_comments=tuple(
            PriorComment(c.id, c.author.display_name, c.body, discussion.title)
            for c in classmates),
        due_at=discussion.due_at,
        submitted_at=now,
    )


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
    _refuse_duplicate(discussion, author, body)

    analysis = analyze(body, build_context(discussion, author, parent is not None, now),
                       policies.effective_policy(discussion))
    if analysis.blocked:
        raise Blocked(analysis)
    if membership.role.is_staff:
        status = CommentStatus.APPROVED  # staff comments are not moderated
    else:
        status = CommentStatus(status_for(analysis.decision, discussion.moderation_mode.value))
    comment = Comment(
        discussion_id=discussion.id,
        author_id=author.id,
        parent_id=parent.id if parent else None,
        body=body,
        status=status,
        submitted_at=now,
        submission_token=submission_token,
        word_count=analysis.metrics.words,
        metrics=analysis.to_dict()["metrics"],
        analysis_version=ANALYSIS_VERSION,
        flags=flag_rows(analysis),
    )
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


def flag_rows(analysis: Analysis) -> list[Flag]:
    """Turn an analysis's findings into Flag rows."""
    return [
        Flag(rule=f.rule, severity=Severity(f.severity), message=f.message,
             spans=[list(s) for s in f.spans], value=f.value, threshold=f.threshold)
        for f in analysis.findings
    ]


def preview(discussion: Discussion, author: User, body: str,
            parent_id: int | None = None) -> Analysis:
    """Analyse a draft as it would be analysed on submit, storing nothing."""
    require_member(author, discussion.course)
    body = clean_body(body)
    return analyze(body, build_context(discussion, author, parent_id is not None, utcnow()),
                   policies.effective_policy(discussion))


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
