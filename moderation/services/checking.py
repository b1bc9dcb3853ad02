"""Checking a comment: what the rules may know, the analysis, its flag rows, and the status.

The one place a comment is checked. Submit, preview, rescore and revise all call it,
so a comment gets the same verdict whichever way it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from moderation.analysis import ANALYSIS_VERSION, Analysis, Context, PriorComment, analyze
from moderation.analysis.pipeline import public_metrics, status_for
from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    Flag,
    Severity,
    User,
)
from moderation.services import policies

CONTEXT_LIMIT = 300  # earlier comments compared against: enough for a large section


@dataclass(frozen=True)
class Verdict:
    """A checked text: its analysis, and the status it gets if it is stored."""

    analysis: Analysis
    status: CommentStatus

    @property
    def blocked(self) -> bool:
        return self.analysis.blocked


def context_for(discussion: Discussion, author: User, *, is_reply: bool, now: datetime,
                exclude_id: int | None = None, visible_only: bool = False) -> Context:
    """Gather what the rules may know: the prompt, earlier comments, the due date.

    Only comments submitted before `now` count, so rescoring a comment later compares
    it with what existed when it was written. With `visible_only` (the live preview),
    classmates' comments are only those the author can already read: a draft must not
    tell a student anything about comments still waiting for an instructor.
    """
    earlier = (Comment.status != CommentStatus.REJECTED, Comment.submitted_at < now,
               Comment.id != (exclude_id or 0))
    own = db.session.execute(
        select(Comment.id, Comment.body, Discussion.title).join(Comment.discussion)
        .where(Comment.author_id == author.id, Discussion.course_id == discussion.course_id,
               *earlier)
        .order_by(Comment.submitted_at.desc()).limit(CONTEXT_LIMIT)
    ).all()
    classmates_query = (
        select(Comment.id, User.display_name, Comment.body, Comment.status)
        .join(User, User.id == Comment.author_id)
        .where(Comment.discussion_id == discussion.id, Comment.author_id != author.id, *earlier)
    )
    if visible_only:
        classmates_query = classmates_query.where(Comment.status == CommentStatus.APPROVED)
    classmates = db.session.execute(
        classmates_query.order_by(Comment.submitted_at.desc()).limit(CONTEXT_LIMIT)).all()
    return Context(
        is_reply=is_reply,
        prompt=discussion.prompt,
        own_comments=tuple(PriorComment(id_, author.display_name, body, title)
                           for id_, body, title in own),
        classmate_comments=tuple(
            PriorComment(id_, name, body, discussion.title,
                         visible=status == CommentStatus.APPROVED)
            for id_, name, body, status in classmates),
        due_at=discussion.due_at,
        submitted_at=now,
    )


def status_for_comment(analysis: Analysis, discussion: Discussion, *, staff: bool,
                       stored: bool = False) -> CommentStatus:
    """The status a checked comment gets: staff skip the queue, else the rules and the mode.

    A comment already stored (`stored`, as in a rescore) can no longer be refused, so
    what would block it now holds it instead.
    """
    if staff:
        return CommentStatus.APPROVED  # staff comments are not moderated
    decision = analysis.decision
    if decision == "block":
        if not stored:
            return CommentStatus.PENDING  # never stored: the caller refuses it
        decision = "hold"
    return CommentStatus(status_for(decision, discussion.moderation_mode.value))


def check_text(discussion: Discussion, author: User, body: str, *, is_reply: bool,
               now: datetime, staff: bool, exclude_id: int | None = None,
               stored: bool = False, visible_only: bool = False) -> Verdict:
    """Analyse a text as a comment of `author` in `discussion` and decide its status."""
    context = context_for(discussion, author, is_reply=is_reply, now=now,
                          exclude_id=exclude_id, visible_only=visible_only)
    analysis = analyze(body, context, policies.effective_policy(discussion))
    return Verdict(analysis, status_for_comment(analysis, discussion, staff=staff,
                                                stored=stored))


def flag_rows(analysis: Analysis) -> list[Flag]:
    """Turn an analysis's findings into Flag rows."""
    return [
        Flag(rule=f.rule, severity=Severity(f.severity), message=f.message,
             advice=getattr(f, "advice", ""), spans=[list(s) for s in f.spans],
             value=f.value, threshold=f.threshold)
        for f in analysis.findings
    ]


def record_analysis(comment: Comment, analysis: Analysis) -> bool:
    """Store an analysis on its comment; return whether its flags changed.

    Flags that say the same as before are kept as they are (no delete and re-insert).
    """
    comment.word_count = analysis.metrics.words
    comment.metrics = public_metrics(analysis.metrics)
    comment.analysis_version = ANALYSIS_VERSION
    rows = flag_rows(analysis)
    comment.flag_level = max((f.severity.level for f in rows), default=0)
    if _signature(rows) == _signature(comment.flags):
        return False
    comment.flags = rows
    return True


def _signature(flags: list[Flag]) -> set[tuple[object, ...]]:
    """What flags say, for telling whether a new analysis changed them."""
    return {(f.rule, f.severity, f.message, tuple(map(tuple, f.spans))) for f in flags}
