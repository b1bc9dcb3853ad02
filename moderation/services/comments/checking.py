"""Checking a comment: what the rules may know, the analysis, and the status it gets.

The one place a comment is checked. Submit, preview, rescore, revise and a staff edit all
call it, so a comment gets the same verdict whichever way it arrives; what the verdict
says about the text is stored by `text_facts.store`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from moderation.analysis import (
    Analysis,
    Context,
    Policy,
    PriorComment,
    analyze,
)
from moderation.analysis.pipeline import status_for
from moderation.analysis.rules import similarity
from moderation.extensions import db
from moderation.models import (
    CommentStatus,
    Discussion,
    Membership,
    ModerationMode,
    PostFirst,
    User,
)
from moderation.services import newcomers, policies
from moderation.services.comments import fingerprints
from moderation.services.discussions import sight

_WORD = re.compile(r"\w+(?:'\w+)*")

@dataclass(frozen=True)
class Verdict:
    """A checked text: its analysis, and the status it gets if it is stored."""

    analysis: Analysis
    status: CommentStatus
    revision: bool = False  # a revision of a rejected comment: it always waits
    newcomer: bool = False  # held only because the course holds its new students' comments

    @property
    def blocked(self) -> bool:
        return self.analysis.blocked

    def summary(self, reviewer: str | None = None) -> str:
        """What will happen on submit, in the student's words, said once: the findings that
        cause it are listed beside it (the live feedback), so it points at them rather than
        repeating their messages.

        `reviewer`: who rejected the comment a revision replaces (it goes back to them).
        """
        findings = self.analysis.findings
        if self.blocked:
            n = sum(f.severity == "block" for f in findings)
            return ("This would be refused: change "
                    + ("what is marked below." if n == 1 else f"the {n} things marked below."))
        held = any(f.severity == "hold" for f in findings)
        if self.revision:
            said = (f"Your revision goes back to {reviewer}, who rejected the comment, "
                    if reviewer else "Your revision goes back to your instructor ")
            return said + "before classmates see it" + (
                ", flagged for what is marked below." if held else ".")
        if self.status == CommentStatus.PENDING:
            if self.newcomer and not held:
                return ("Your first comments in this course wait for your instructor before "
                        "classmates see it; after a few are approved, yours are posted "
                        "as everyone's are.")
            if held:
                return ("This will wait for your instructor before classmates see it, for "
                        "what is marked below.")
            return ("Every comment in this discussion waits for your instructor before "
                    "classmates see it.")
        return "This will be posted when you submit."

    @property
    def outcome(self) -> str:
        """refused, held or posted."""
        if self.blocked:
            return "refused"
        return "held" if self.status == CommentStatus.PENDING else "posted"


@dataclass(frozen=True)
class Scope:
    """What every comment of a discussion is checked against, read once: plain values,
    so a long rescore can keep it while its batches come and go from the session."""

    prompt: str
    due_at: datetime | None
    moderation_mode: ModerationMode
    policy: Policy
    names: tuple[str, ...]
    replies_due_at: datetime | None = None
    discussion_id: int = 0
    post_first: PostFirst = PostFirst.OFF

    @classmethod
    def of(cls, discussion: Discussion) -> Scope:
        """The scope of a discussion, read now."""
        return cls(discussion.prompt, discussion.due_at, discussion.moderation_mode,
                   policies.effective_policy(discussion), member_names(discussion.course_id),
                   discussion.replies_due_at, discussion.id, discussion.post_first)


def wants_similar(body: str) -> bool:
    """Whether the similarity rules read earlier comments for this text (not too short)."""
    return len(_WORD.findall(body)) >= similarity.MIN_WORDS


def context_for(scope: Scope, author_id: int, similar: Sequence[fingerprints.Similar], *,
                is_reply: bool, now: datetime, sees_classmates: bool | None = None) -> Context:
    """What the rules may know: the prompt, the earlier similar comments, the due dates.

    `similar` are the earlier comments found by fingerprint (`fingerprints.similar`), the
    author's own and classmates' alike; only those submitted before `now` (so a rescore
    compares a comment with what existed when it was written). `sees_classmates`: whether
    the author may read classmates' comments in this discussion (`discussions.sight`);
    unknown (a rescore), a discussion with "post before you see" counts them unread, so a
    flag never names or measures a comment the author could not read.
    """
    if sees_classmates is None:
        sees_classmates = scope.post_first == PostFirst.OFF
    own: list[PriorComment] = []
    classmates: list[PriorComment] = []
    for found in similar:
        readable = found.status == CommentStatus.APPROVED and (
            sees_classmates or found.discussion_id != scope.discussion_id)
        prior = PriorComment(found.id, found.author, found.body, found.discussion,
                             visible=readable)
        (own if found.author_id == author_id else classmates).append(prior)
    return Context(
        is_reply=is_reply,
        prompt=scope.prompt,
        own_comments=tuple(own),
        classmate_comments=tuple(classmates),
        due_at=scope.due_at,
        submitted_at=now,
        names=scope.names,
        replies_due_at=scope.replies_due_at,
    )


_NAMES = (select(User.display_name).join(Membership, Membership.user_id == User.id)
          .where(Membership.course_id == bindparam("course")).order_by(User.display_name))


def member_names(course_id: int) -> tuple[str, ...]:
    """The display names of everyone in the course: names, not misspellings."""
    return tuple(db.session.scalars(_NAMES, {"course": course_id}))


def status_for_comment(analysis: Analysis, mode: ModerationMode, *, staff: bool,
                       stored: bool = False, revision: bool = False) -> CommentStatus:
    """The status a checked comment gets: staff skip the queue, a revision of a rejected
    comment always waits (in every mode: a person refused the first version, so a person
    sees the second), else the rules and the mode.

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
    if revision:
        return CommentStatus.PENDING
    return CommentStatus(status_for(decision, mode.value))


def check_text(discussion: Discussion, author: User, body: str, *, is_reply: bool,
               now: datetime, staff: bool, exclude_id: int | None = None,
               stored: bool = False, visible_only: bool = False,
               revision: bool = False) -> Verdict:
    """Analyse a text as a comment of `author` in `discussion` and decide its status.

    With `visible_only` (the live preview), classmates' comments count only once the
    author can read them: a draft must not tell a student anything about comments still
    waiting for an instructor, nor about a discussion's comments they may not read yet
    ("post before you see").
    """
    similar = fingerprints.similar(
        discussion.course_id, author.id, body, before=now, exclude_id=exclude_id,
        visible_only=visible_only) if wants_similar(body) else []
    sees = sight(discussion, author, staff).classmates
    if visible_only and not sees:
        similar = [s for s in similar
                   if s.author_id == author.id or s.discussion_id != discussion.id]
    newcomer = not staff and newcomers.still_new(discussion.course, author.id)
    return verdict(Scope.of(discussion), author.id, body, similar, is_reply=is_reply,
                   now=now, staff=staff, stored=stored, revision=revision, newcomer=newcomer,
                   sees_classmates=sees)


def verdict(scope: Scope, author_id: int, body: str,
            similar: Sequence[fingerprints.Similar], *, is_reply: bool, now: datetime,
            staff: bool, stored: bool = False, revision: bool = False,
            newcomer: bool = False, sees_classmates: bool | None = None) -> Verdict:
    """The analysis of a text and the status it gets: the core that submit and rescore share.

    `newcomer`: the course holds this author's comments until enough are approved
    (`newcomers.still_new`), so what would be posted waits instead.
    """
    context = context_for(scope, author_id, similar, is_reply=is_reply, now=now,
                          sees_classmates=sees_classmates)
    analysis = analyze(body, context, scope.policy)
    status = status_for_comment(analysis, scope.moderation_mode, staff=staff, stored=stored,
                                revision=revision)
    held_as_new = newcomer and not staff and status == CommentStatus.APPROVED
    return Verdict(analysis, CommentStatus.PENDING if held_as_new else status,
                   revision=revision and not staff, newcomer=held_as_new)
