"""The rubric: points per criterion and the rules for replies and lateness.

Layered like the analysis `Policy`: a course default (a partial document over
`Rubric()`), and a discussion's own document over the course default. A rubric written
for one total is scaled to each discussion's points possible, so a course default of
"4, 3, 1, 1, 1 of 10" becomes "8, 6, 2, 2, 2" on a 20-point discussion.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

Criterion = Literal["substantive", "replies", "on_time", "citation", "readability", "quality"]
CRITERIA: tuple[Criterion, ...] = (
    "substantive", "replies", "on_time", "citation", "readability", "quality")

LABELS: dict[Criterion, str] = {
    "substantive": "Substantive response",
    "replies": "Replies to classmates",
    "on_time": "On time",
    "citation": "Cites a source",
    "readability": "Readability",
    "quality": "Quality (instructor's judgement)",
}

# Out of 10: the response carries most; quality is the instructor's to switch on, so that
# "accept all suggestions" gives a full score to full participation without a judgement.
DEFAULT_POINTS: dict[Criterion, float] = {
    "substantive": 4.0, "replies": 3.0, "on_time": 1.0, "citation": 1.0,
    "readability": 1.0, "quality": 0.0,
}

RepliesPartial = Literal["proportional", "half", "none"]
REPLIES_PARTIAL: dict[RepliesPartial, str] = {
    "proportional": "Each reply earns its share (2 of 3 replies: two thirds)",
    "half": "Some replies but fewer than required: half the points",
    "none": "All required replies, or nothing",
}

LatePolicy = Literal["none", "per_day", "cutoff"]
LATE_POLICIES: dict[LatePolicy, str] = {
    "none": "A late response loses the on-time points; nothing else",
    "per_day": "A late response keeps the on-time points less a percentage per day late",
    "cutoff": "A late response loses the on-time points; nothing posted after the cut-off "
              "counts at all",
}

LATE_REPLIES: dict[LatePolicy, str] = {
    "none": "A late reply still counts; the breakdown says it was late",
    "per_day": "A late reply earns its share less a percentage per day late",
    "cutoff": "A late reply still counts until the cut-off; after it, it does not count",
}

MAX_POINTS = 1000.0
_KEYS = frozenset({"points", "replies_partial", "late_policy", "late_percent_per_day",
                   "late_cutoff_days", "replies_late_policy", "replies_late_percent_per_day",
                   "replies_late_cutoff_days"})


def hundredths(value: float) -> float:
    """Points as every page and file shows them: to the hundredth, halves rounded up.

    Stored so, a score is what the grading page, the student and the LMS all see.

    >>> hundredths(9.999), hundredths(2.675), hundredths(7), hundredths(0.005)
    (10.0, 2.68, 7.0, 0.01)
    """
    return float(Decimal(repr(float(value))).quantize(Decimal("0.01"), ROUND_HALF_UP))


class RubricError(ValueError):
    """A rubric document that cannot be used; `key` names the field at fault."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Rubric:
    """Points per criterion, and how partial replies and late responses are scored."""

    points: dict[Criterion, float] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    replies_partial: RepliesPartial = "proportional"
    late_policy: LatePolicy = "none"
    late_percent_per_day: float = 10.0  # per_day: the share of the on-time points lost
    late_cutoff_days: float = 0.0  # cutoff: days after the due date that still count
    # Replies, when the discussion gives them their own due date (`replies_due_at`);
    # without one, replies follow the responses' cut-off as they always did.
    replies_late_policy: LatePolicy = "none"
    replies_late_percent_per_day: float = 10.0
    replies_late_cutoff_days: float = 0.0

    @property
    def total(self) -> float:
        """The sum of the criteria's points."""
        return round(sum(self.points.values()), 2)

    def to_dict(self) -> dict[str, Any]:
        """Return the rubric as a JSON-ready document."""
        return {"points": {key: self.points[key] for key in CRITERIA},
                "replies_partial": self.replies_partial, "late_policy": self.late_policy,
                "late_percent_per_day": self.late_percent_per_day,
                "late_cutoff_days": self.late_cutoff_days,
                "replies_late_policy": self.replies_late_policy,
                "replies_late_percent_per_day": self.replies_late_percent_per_day,
                "replies_late_cutoff_days": self.replies_late_cutoff_days}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, base: Rubric | None = None) -> Rubric:
        """Validate a (partial) rubric document and apply it over `base`.

        >>> Rubric.from_dict({"late_policy": "cutoff", "late_cutoff_days": 2}).late_policy
        'cutoff'
        >>> Rubric.from_dict({"points": {"replies": -1}})
        Traceback (most recent call last):
        ...
        moderation.grading.rubric.RubricError: Points cannot be negative.
        """
        base = base or cls()
        if not data:
            return base
        if not isinstance(data, dict):
            raise RubricError("A rubric must be a JSON object.")
        unknown = set(data) - _KEYS
        if unknown:
            raise RubricError(f"Unknown rubric key {sorted(unknown)[0]!r}.", sorted(unknown)[0])
        changes: dict[str, Any] = {}
        if "points" in data:
            changes["points"] = _points(data["points"], base.points)
        if "replies_partial" in data:
            changes["replies_partial"] = _choice(data["replies_partial"], REPLIES_PARTIAL,
                                                 "replies_partial")
        if "late_policy" in data:
            changes["late_policy"] = _choice(data["late_policy"], LATE_POLICIES, "late_policy")
        if "replies_late_policy" in data:
            changes["replies_late_policy"] = _choice(data["replies_late_policy"], LATE_REPLIES,
                                                     "replies_late_policy")
        for prefix in ("", "replies_"):
            if f"{prefix}late_percent_per_day" in data:
                changes[f"{prefix}late_percent_per_day"] = _number(
                    data[f"{prefix}late_percent_per_day"], f"{prefix}late_percent_per_day",
                    0, 100)
            if f"{prefix}late_cutoff_days" in data:
                changes[f"{prefix}late_cutoff_days"] = _number(
                    data[f"{prefix}late_cutoff_days"], f"{prefix}late_cutoff_days", 0, 365)
        return dataclasses.replace(base, **changes)

    def scaled_to(self, points_possible: float) -> Rubric:
        """Scale the points to a total of `points_possible`, to the hundredth.

        The rounding remainder goes to the largest criterion, so the total is exact.

        >>> Rubric().scaled_to(20).points["substantive"], Rubric().scaled_to(20).total
        (8.0, 20.0)
        >>> Rubric().scaled_to(7).total
        7.0
        """
        total = sum(self.points.values())
        if total <= 0 or math.isclose(total, points_possible):
            return self
        factor = points_possible / total
        points = {key: round(value * factor, 2) for key, value in self.points.items()}
        largest = max(CRITERIA, key=lambda key: points[key])
        points[largest] = round(points[largest] + points_possible - sum(points.values()), 2)
        return dataclasses.replace(self, points=points)


def _points(value: Any, base: dict[Criterion, float]) -> dict[Criterion, float]:
    if not isinstance(value, dict):
        raise RubricError("Points must map each criterion to a number.", "points")
    points = dict(base)
    for key, raw in value.items():
        if key not in CRITERIA:
            raise RubricError(f"Unknown criterion {key!r}.", "points")
        points[key] = _number(raw, key, 0, MAX_POINTS, "Points cannot be negative.")
    return points


def _number(value: Any, key: str, low: float, high: float, below: str | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RubricError("Enter a number.", key)
    if value < low:
        raise RubricError(below or f"Enter at least {low:g}.", key)
    if value > high:
        raise RubricError(f"Enter at most {high:g}.", key)
    return hundredths(value)


def _choice(value: Any, choices: dict[Any, str], key: str) -> Any:
    if value not in choices:
        raise RubricError(f"Choose one of {', '.join(choices)}.", key)
    return value


@dataclass(frozen=True)
class Effective:
    """The rubric that applies to one discussion, and whether it had to be scaled."""

    rubric: Rubric
    own: bool  # the discussion has its own rubric (else the course default)
    written_total: float  # the total the points were written for
    points_possible: float

    @property
    def mismatch(self) -> str | None:
        """Why the discussion's own rubric no longer adds up, or None."""
        if not self.own or math.isclose(self.written_total, self.points_possible):
            return None
        return (f"This discussion's rubric adds up to {self.written_total:g} points but the "
                f"discussion is worth {self.points_possible:g}; suggestions are scaled to "
                f"{self.points_possible:g}. Edit the rubric so the points add up.")


def effective(course_doc: dict[str, Any] | None, discussion_doc: dict[str, Any] | None,
              points_possible: float) -> Effective:
    """The rubric of a discussion: its own document over the course default, scaled.

    A discussion's own points replace the course default's; its other settings override
    the course's one by one.

    >>> e = effective({"points": {"quality": 2}}, None, 10)
    >>> e.rubric.points["quality"], e.rubric.total, e.own
    (1.67, 10.0, False)
    >>> effective(None, {"points": {"substantive": 5}}, 10).mismatch is not None
    True
    """
    course = Rubric.from_dict(course_doc)
    rubric = Rubric.from_dict(discussion_doc, course) if discussion_doc else course
    own = bool(discussion_doc and "points" in discussion_doc)
    return Effective(rubric.scaled_to(points_possible), own, rubric.total, points_possible)
