"""What a rule reports: a Hit from the rule, a Finding once the policy has set its severity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["block", "hold", "note"]
SEVERITIES: tuple[Severity, ...] = ("block", "hold", "note")
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Hit:
    """One thing a rule found: what, where, and the student's next step.

    `message` states what was found in words that read right both to the student before
    submitting and to the instructor in the queue afterwards; `advice` is addressed to
    the student only.
    """

    message: str
    spans: tuple[Span, ...] = ()
    value: float | None = None
    threshold: float | None = None
    severity: Severity | None = None  # only when the rule itself escalates
    advice: str = ""
    # The id of the earlier comment the text matches (`copied`), as the caller gave it in
    # the Context: the analysis only hands it back, so the flag can name that comment.
    matched: int | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A Hit with its rule id and final severity."""

    rule: str
    severity: Severity
    message: str
    spans: tuple[Span, ...] = field(default=())
    value: float | None = None
    threshold: float | None = None
    advice: str = ""
    matched: int | None = None  # see Hit.matched

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape used by `moderation analyze --json` and the flag rows."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "spans": [list(span) for span in self.spans],
            "value": self.value,
            "threshold": self.threshold,
            "advice": self.advice,
        }
