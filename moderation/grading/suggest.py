"""The suggested score: a student's approved comments in one discussion, against the rubric.

Pure: the services gather the facts the analysis already stored (words, reading grade,
flags, times) into `CommentFacts`; nothing is analysed again. Every criterion reports a
line a person can check ("2 of 3 replies: 2.0 of 3 points").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from moderation.analysis.rules.timing import describe
from moderation.grading.rubric import CRITERIA, LABELS, Criterion, Rubric

# Hold flags that say a response falls short as a response (not that it is unsafe): such a
# response is not "substantive" until a person approves it. An approval is a judgement of
# the hold, so it lifts it; what a criterion measures itself (the word range) still counts.
QUALITY_RULES = frozenset({"too_short", "too_long", "copied", "repeat", "empty_citation",
                           "spelling"})


@dataclass(frozen=True, slots=True)
class CommentFacts:
    """What the suggestion reads of one approved comment; all of it stored at submit."""

    id: int
    submitted_at: datetime
    words: int
    is_reply: bool
    to_classmate: bool  # a reply to another student's comment
    reading_grade: float | None
    quality_holds: frozenset[str]  # QUALITY_RULES that flagged it at hold or block
    cites_source: bool
    approved_by_person: bool = False  # approved by staff, not automatically

    @property
    def open_holds(self) -> frozenset[str]:
        """The quality holds that still count: none once a person approved the comment."""
        return frozenset() if self.approved_by_person else self.quality_holds


@dataclass(frozen=True)
class Expectations:
    """What the discussion asks of each student."""

    required_replies: int
    min_words: int
    max_words: int
    reply_min_words: int
    due_at: datetime | None
    min_grade: float  # the readability band of the discussion's policy
    max_grade: float
    # The replies' own due date (Canvas's checkpoints): replies are then judged by it and
    # the rubric's reply late policy; None: as before, by `due_at` alone.
    replies_due_at: datetime | None = None


@dataclass(frozen=True)
class Line:
    """One criterion's result."""

    key: Criterion
    earned: float
    points: float
    detail: str

    @property
    def text(self) -> str:
        """The line as a person reads it."""
        return line_text(self.detail, self.earned, self.points)


@dataclass(frozen=True)
class Suggestion:
    """A suggested score with its lines.

    `missing`: the student posted nothing at all (no comment in any status); `awaiting`:
    how many of their comments wait for moderation, which the score does not count yet.
    """

    score: float
    lines: tuple[Line, ...]
    missing: bool
    notes: tuple[str, ...] = ()
    awaiting: int = 0

    def to_breakdown(self) -> dict[str, Any]:
        """Return the JSON stored on the grade."""
        return {"score": self.score, "missing": self.missing, "awaiting": self.awaiting,
                "notes": list(self.notes),
                "lines": [{"key": line.key, "label": LABELS[line.key], "earned": line.earned,
                           "points": line.points, "detail": line.detail}
                          for line in self.lines]}

    def earned(self, key: Criterion) -> float | None:
        """Points earned on one criterion, or None when the rubric gives it none."""
        return next((line.earned for line in self.lines if line.key == key), None)


def line_text(detail: str, earned: float, points: float) -> str:
    """Say one criterion's result.

    >>> line_text("2 of 3 replies", 2, 3)
    '2 of 3 replies: 2.0 of 3 points'
    >>> line_text("Names a source", 0.67, 1)
    'Names a source: 0.67 of 1 point'
    """
    shown = f"{earned:.1f}" if math.isclose(earned * 10, round(earned * 10)) else f"{earned:.2f}"
    unit = "point" if math.isclose(points, 1) else "points"
    return f"{detail}: {shown} of {points:g} {unit}"


def breakdown_lines(breakdown: dict[str, Any] | None) -> list[str]:
    """The lines of a stored breakdown, for pages and exports."""
    lines = (breakdown or {}).get("lines") or []
    return [f"{line['label']} — {line_text(line['detail'], line['earned'], line['points'])}"
            for line in lines]


def suggest(comments: Sequence[CommentFacts], rubric: Rubric, asks: Expectations,
            quality: float | None = None, *, pending: int = 0, rejected: int = 0) -> Suggestion:
    """Score one student's approved comments in a discussion; `quality` is a person's judgement.

    `pending` and `rejected` count the student's other comments: they earn nothing, but a
    student who has them posted something (is not missing), and the notes say so.
    """
    notes: list[str] = []
    counted = list(comments)
    if asks.replies_due_at is None:
        if rubric.late_policy == "cutoff" and asks.due_at is not None:
            cutoff = asks.due_at + timedelta(days=rubric.late_cutoff_days)
            counted = [c for c in comments if c.submitted_at <= cutoff]
            if len(counted) < len(comments):
                late = len(comments) - len(counted)
                notes.append(f"{late} comment{'s' if late != 1 else ''} posted after the "
                             f"cut-off ({cutoff:%-d %b %Y, %H:%M} UTC) "
                             f"{'do' if late != 1 else 'does'} not count.")
    else:
        counted = _within_cutoffs(comments, rubric, asks, notes)
    counted.sort(key=lambda c: (c.submitted_at, c.id))
    responses = [c for c in counted if not c.is_reply]
    substantive = [c for c in responses if _substantive(c, asks)]
    # The response the other criteria read: the first substantive one, else the first.
    record = substantive[0] if substantive else (responses[0] if responses else None)
    results: dict[Criterion, tuple[float, str]] = {
        "substantive": _substantive_line(record, asks),
        "replies": _replies_line(counted, record, rubric, asks),
        "on_time": _on_time_line(record, rubric, asks),
        "citation": ((1.0, "Names a source") if any(c.cites_source for c in counted)
                     else (0.0, "No source named")),
        "readability": _readability_line(record, asks),
        "quality": ((0.0, "Not judged yet") if quality is None
                    else (1.0, "Judged by the instructor")),
    }
    lines = []
    for key in CRITERIA:
        points = rubric.points[key]
        if points <= 0:
            continue  # a criterion the rubric gives no points is not shown
        share, detail = results[key]
        earned = min(quality or 0.0, points) if key == "quality" else share * points
        lines.append(Line(key, round(earned, 2), points, detail))
    missing = not comments and not pending and not rejected
    if missing:
        lines = [line if line.key == "quality" else Line(line.key, 0.0, line.points,
                                                         "Posted nothing")
                 for line in lines]
    notes.extend(_others_note(bool(comments), pending, rejected))
    return Suggestion(round(sum(line.earned for line in lines), 2), tuple(lines), missing,
                      tuple(notes), pending)


def _within_cutoffs(comments: Sequence[CommentFacts], rubric: Rubric, asks: Expectations,
                    notes: list[str]) -> list[CommentFacts]:
    """With a replies' due date: responses within the response cut-off, replies within the
    reply cut-off; a note for each kind left out, naming its deadline."""
    kept = list(comments)
    for is_reply, policy, due, days, kind, deadline in (
            (False, rubric.late_policy, asks.due_at, rubric.late_cutoff_days,
             ("response", "responses"), "the due date"),
            (True, rubric.replies_late_policy, asks.replies_due_at,
             rubric.replies_late_cutoff_days, ("reply", "replies"), "the replies' due date")):
        if policy != "cutoff" or due is None:
            continue
        cutoff = due + timedelta(days=days)
        dropped = [c for c in kept if c.is_reply == is_reply and c.submitted_at > cutoff]
        if dropped:
            gone = {c.id for c in dropped}
            kept = [c for c in kept if c.id not in gone]
            n = len(dropped)
            notes.append(f"{n} {kind[n != 1]} posted after the cut-off of {deadline} "
                         f"({cutoff:%-d %b %Y, %H:%M} UTC) {'do' if n != 1 else 'does'} "
                         "not count.")
    return kept


def _others_note(approved: bool, pending: int, rejected: int) -> list[str]:
    """What the student posted that the score does not count (yet).

    >>> _others_note(False, 1, 3)
    ['Nothing approved yet: 1 comment awaits moderation; 3 were rejected.']
    >>> _others_note(True, 2, 0)
    ['2 more comments await moderation; the suggestion changes if they are approved.']
    >>> _others_note(False, 0, 1)
    ['Nothing approved: 1 was rejected.']
    """
    waiting = (f"{pending} comment awaits moderation" if pending == 1
               else f"{pending} comments await moderation")
    refused = f"{rejected} {'was' if rejected == 1 else 'were'} rejected"
    if approved:
        return [f"{pending} more {waiting.split(' ', 1)[1]}; the suggestion changes if "
                f"{'it is' if pending == 1 else 'they are'} approved."] if pending else []
    if pending:
        return [f"Nothing approved yet: {waiting}" + (f"; {refused}." if rejected else ".")]
    return [f"Nothing approved: {refused}."] if rejected else []


def _substantive(comment: CommentFacts, asks: Expectations) -> bool:
    return (asks.min_words <= comment.words <= asks.max_words
            and not comment.open_holds)


def _substantive_line(record: CommentFacts | None, asks: Expectations) -> tuple[float, str]:
    if record is None:
        return 0.0, "No response"
    asked = f"{asks.min_words}–{asks.max_words} words"
    if record.open_holds:
        return 0.0, f"Response held for {', '.join(sorted(record.open_holds))}"
    # A hold a person overrode no longer counts; the word range is measured on its own.
    overridden = (f"; approved by the instructor after a hold for "
                  f"{', '.join(sorted(record.quality_holds))}" if record.quality_holds else "")
    if record.words < asks.min_words:
        return 0.0, f"Response of {record.words} words, fewer than asked ({asked}){overridden}"
    if record.words > asks.max_words:
        return 0.0, f"Response of {record.words} words, more than asked ({asked}){overridden}"
    return 1.0, f"Response of {record.words} words (asked {asked}){overridden}"


def _replies_line(counted: Sequence[CommentFacts], record: CommentFacts | None,
                  rubric: Rubric, asks: Expectations) -> tuple[float, str]:
    to_classmates = [c for c in counted if c.is_reply and c.to_classmate]
    replies = [c for c in to_classmates if c.words >= asks.reply_min_words]
    short = len(to_classmates) - len(replies)
    required = asks.required_replies
    if required == 0:
        return (1.0, "No replies asked") if record else (0.0, "No replies asked; no response")
    done = min(len(replies), required)
    detail = f"{done} of {required} replies"
    if len(replies) > required:
        detail += f" ({len(replies)} posted)"
    if short:
        detail += f"; {short} under {asks.reply_min_words} words not counted"
    if rubric.replies_partial == "proportional":
        share = done / required
    elif rubric.replies_partial == "half":
        share = 1.0 if done >= required else (0.5 if done else 0.0)
    else:
        share = 1.0 if done >= required else 0.0
    if asks.replies_due_at is None or not done:
        return share, detail
    # The replies that count are the best `required` of them: on time before late.
    credits = sorted((_reply_credit(c, rubric, asks.replies_due_at) for c in replies),
                     reverse=True)[:done]
    late = sum(1 for c in replies if c.submitted_at > asks.replies_due_at)
    if late:
        due = asks.replies_due_at
        detail += (f"; {late} posted after the replies' due date ({due:%-d %b %Y, %H:%M} UTC)"
                   + (f", {rubric.replies_late_percent_per_day:g}% off per day late"
                      if rubric.replies_late_policy == "per_day" else ""))
    return share * sum(credits) / done, detail


def _reply_credit(reply: CommentFacts, rubric: Rubric, due: datetime) -> float:
    """What one reply earns of its share: all of it on time, less per day late (per_day)."""
    late = reply.submitted_at - due
    if late <= timedelta(0) or rubric.replies_late_policy != "per_day":
        return 1.0
    days = math.ceil(late / timedelta(days=1))
    return max(0.0, 1 - rubric.replies_late_percent_per_day / 100 * days)


def _on_time_line(record: CommentFacts | None, rubric: Rubric,
                  asks: Expectations) -> tuple[float, str]:
    if record is None:
        return 0.0, "No response"
    if asks.due_at is None:
        return 1.0, "No due date"
    late = record.submitted_at - asks.due_at
    if late <= timedelta(0):
        return 1.0, "Response posted by the due date"
    # With a replies' due date too, say which deadline the response missed.
    detail = (f"Response posted {describe(late)} late" if asks.replies_due_at is None
              else f"Response posted {describe(late)} after the due date")
    if rubric.late_policy != "per_day":
        return 0.0, detail
    days = math.ceil(late / timedelta(days=1))
    share = max(0.0, 1 - rubric.late_percent_per_day / 100 * days)
    return share, f"{detail} ({rubric.late_percent_per_day:g}% off per day)"


def _readability_line(record: CommentFacts | None, asks: Expectations) -> tuple[float, str]:
    if record is None:
        return 0.0, "No response"
    if record.reading_grade is None:
        return 0.0, "Reading grade not measured"
    band = f"{asks.min_grade:g}–{asks.max_grade:g}"
    if asks.min_grade <= record.reading_grade <= asks.max_grade:
        return 1.0, f"Reading grade {record.reading_grade:.1f} (band {band})"
    return 0.0, f"Reading grade {record.reading_grade:.1f}, outside {band}"
