"""Checking a comment: what the rules may know, the analysis, its flag rows, and the status.

The one place a comment is checked. Submit, preview, rescore and revise all call it,
so a comment gets the same verdict whichever way it arrives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from moderation.analysis import ANALYSIS_VERSION, Analysis, Context, PriorComment, analyze
from moderation.analysis.pipeline import public_metrics, status_for
from moderation.analysis.rules import similarity
from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    Flag,
    Membership,
    Severity,
    User,
)
from moderation.services import fingerprints, policies

_WORD = re.compile(r"\w+(?:'\w+)*")

@dataclass(frozen=True)
class Verdict:
    """A checked text: its analysis, and the status it gets if it is stored."""

    analysis: Analysis
    status: CommentStatus

    @property
    def blocked(self) -> bool:
        return self.analysis.blocked

    def summary(self) -> str:
        """What will happen on submit, in the student's words, and why."""
        findings = self.analysis.findings
        if self.blocked:
            reasons = [f.message for f in findings if f.severity == "block"]
            return "This would be refused because: " + " ".join(reasons)
        if self.status == CommentStatus.PENDING:
            reasons = [f.message for f in findings if f.severity == "hold"]
            if reasons:
                return ("This will wait for your instructor before classmates see it, "
                        "because: " + " ".join(reasons))
            return ("Every comment in this discussion waits for your instructor before "
                    "classmates see it.")
        return "This will be posted when you submit."

    @property
    def outcome(self) -> str:
        """refused, held or posted."""
        if self.blocked:
            return "refused"
        return "held" if self.status == CommentStatus.PENDING else "posted"


def context_for(discussion: Discussion, author: User, body: str, *, is_reply: bool,
                now: datetime, exclude_id: int | None = None,
                visible_only: bool = False) -> Context:
    """Gather what the rules may know: the prompt, earlier similar comments, the due date.

    The earlier comments are found by fingerprint (`fingerprints.similar`) across the
    whole course. Only comments submitted before `now` count, so rescoring a comment later
    compares it with what existed when it was written. With `visible_only` (the live
    preview), classmates' comments are only those the author can already read: a draft
    must not tell a student anything about comments still waiting for an instructor.
    """
    own: list[PriorComment] = []
    classmates: list[PriorComment] = []
    if len(_WORD.findall(body)) >= similarity.MIN_WORDS:  # the rules ignore shorter ones
        for found in fingerprints.similar(discussion.course_id, author.id, body, before=now,
                                          exclude_id=exclude_id, visible_only=visible_only):
            prior = PriorComment(found.id, found.author, found.body, found.discussion,
                                 visible=found.status == CommentStatus.APPROVED)
            (own if found.author_id == author.id else classmates).append(prior)
    return Context(
        is_reply=is_reply,
        prompt=discussion.prompt,
        own_comments=tuple(own),
        classmate_comments=tuple(classmates),
        due_at=discussion.due_at,
        submitted_at=now,
        names=member_names(discussion.course_id),
    )


def member_names(course_id: int) -> tuple[str, ...]:
    """The display names of everyone in the course: names, not misspellings."""
    return tuple(db.session.scalars(
        select(User.display_name).join(Membership, Membership.user_id == User.id)
        .where(Membership.course_id == course_id).order_by(User.display_name)))


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
    context = context_for(discussion, author, body, is_reply=is_reply, now=now,
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
