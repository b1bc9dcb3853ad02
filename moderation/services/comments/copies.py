"""Copies side by side: a comment and the classmate's comment it matches, with the passages
they share.

A `copied` flag names the comment it matched when it was checked (`Flag.matched_comment_id`,
kept current by every check, a rescore's too). A flag stored before it named one, or a
comment with no such flag, is compared with the closest classmate's comment the copy
index finds now, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from moderation.analysis.similarity import SHINGLE, containment, shared_passages
from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Flag
from moderation.services.comments import checking, fingerprints

Span = tuple[int, int]


@dataclass(frozen=True)
class Comparison:
    """A comment beside the comment it matches, and what they share."""

    comment: Comment
    flag: Flag | None  # its copied flag for a classmate's comment (not the prompt), if any
    matched: Comment | None  # the classmate's comment it matches; None: none found
    found_now: bool  # the match was looked for now: the flag names none (older flags)
    share: float  # of the comment's three-word runs found in the matched comment
    spans: tuple[Span, ...] = field(default=())  # the shared passages in the comment
    matched_spans: tuple[Span, ...] = field(default=())  # and in the matched comment

    @property
    def shared_words(self) -> int:
        """How many of the comment's words are in a shared passage."""
        return sum(len(self.comment.body[s:e].split()) for s, e in self.spans)


class Shown(Protocol):
    """What `of_classmate` reads of a flag."""

    rule: str
    value: float | None


def of_classmate(flag: Shown) -> bool:
    """Whether a flag is a copy of a classmate's comment (the copied rule's share, at most
    1), not of the prompt (its words, more than 1): only such a flag has a comment to show."""
    return flag.rule == "copied" and (flag.value is None or flag.value <= 1)


def copied_flag(comment: Comment) -> Flag | None:
    """The comment's flag for copying a classmate (a prompt copy compares with no comment)."""
    return next((f for f in comment.flags if of_classmate(f)), None)


def compare(comment: Comment) -> Comparison:
    """The comment beside the comment it copies: the one its flag names, else the closest
    classmate's comment found now, else none."""
    flag = copied_flag(comment)
    matched = None
    if flag is not None and flag.matched_comment_id is not None:
        matched = db.session.get(Comment, flag.matched_comment_id)
        if matched is not None and matched.course_id != comment.course_id:
            matched = None  # never another course's comment, whatever a row says
    found_now = matched is None
    if matched is None:
        matched = closest(comment)
    if matched is None:
        return Comparison(comment, flag, None, found_now, 0.0)
    return Comparison(
        comment, flag, matched, found_now, containment(comment.body, matched.body),
        spans=_spans(comment.body, matched.body), matched_spans=_spans(matched.body, comment.body))


def closest(comment: Comment) -> Comment | None:
    """The earlier classmate's comment most like this one, as the copied rule measures it
    (None: the index finds none sharing enough of its text, or the text is too short)."""
    if not checking.wants_similar(comment.body):
        return None
    candidates = [s for s in fingerprints.similar(
        comment.course_id, comment.author_id, comment.body, before=comment.submitted_at,
        exclude_id=comment.id) if s.author_id != comment.author_id]
    best, score = None, 0.0
    for candidate in candidates:
        value = containment(comment.body, candidate.body)
        if value > score:
            best, score = candidate, value
    if best is None:
        return None
    found = db.session.get(Comment, best.id)
    return found if found is not None and found.status != CommentStatus.REJECTED else None


def _spans(text: str, source: str) -> tuple[Span, ...]:
    """The runs of at least three words of `text` found verbatim in `source` (the runs the
    share counts)."""
    return tuple((p.start, p.end) for p in shared_passages(text, source, SHINGLE))
