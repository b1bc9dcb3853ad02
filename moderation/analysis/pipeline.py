"""The pipeline: metrics once, then the rules in order, then the decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from moderation.analysis.context import Context
from moderation.analysis.findings import Finding
from moderation.analysis.metrics import TextMetrics, measure
from moderation.analysis.policy import Policy
from moderation.analysis.rules import RULE_ORDER, RULES

# 2: findings carry advice; new word-list matching and spelling engine.
# 3: issue 21: a severity-rated default list and the profanity rule, spelling that leaves
#    clean prose alone, offensive notes below 0.95, readability and run-on notes for what
#    needs them.
# 4: issue 21's second pass: severe words respelled ("mothafucka") refused, names
#    mid-sentence and derivations the web has seen not misspelled, suggestions shown by
#    the typo model's odds, the reading grade judged as the whole grade it says.
ANALYSIS_VERSION = "4"

__all__ = ["ANALYSIS_VERSION", "RULE_ORDER", "Analysis", "analyze", "decide", "status_for"]


Decision = Literal["approve", "hold", "block"]
ModerationMode = Literal["all", "flagged", "none"]


@dataclass(frozen=True)
class Analysis:
    """The result of analysing one text."""

    metrics: TextMetrics
    findings: tuple[Finding, ...]
    decision: Decision  # from the rules alone; `status_for` adds the moderation mode

    @property
    def blocked(self) -> bool:
        return self.decision == "block"

    def to_dict(self) -> dict[str, object]:
        """Return the JSON shape `moderation analyze --json` prints."""
        return {
            "metrics": public_metrics(self.metrics),
            "findings": [f.to_dict() for f in self.findings],
            "decision": self.decision,
        }


METRIC_KEYS = (
    "words", "sentences", "syllables", "characters", "flesch_reading_ease",
    "flesch_kincaid_grade", "gunning_fog", "smog_index", "coleman_liau_index",
    "automated_readability_index", "dale_chall", "difficult_words", "lexical_diversity",
    "reading_time_s",
)


def public_metrics(metrics: TextMetrics) -> dict[str, float | int]:
    """Return the documented metric keys, rounded to two decimals."""
    data = metrics.to_dict()
    return {key: data[key] for key in METRIC_KEYS}


def analyze(text: str, context: Context | None = None, policy: Policy | None = None) -> Analysis:
    """Measure `text`, run every enabled rule in order, and decide."""
    context = context or Context()
    policy = policy or Policy()
    metrics = measure(text)
    findings: list[Finding] = []
    for registered in RULES:
        if not policy.rule_enabled(registered.id):
            continue
        for hit in registered.check(text, metrics, context, policy):
            severity = policy.severities.get(registered.id) or hit.severity or registered.severity
            findings.append(Finding(registered.id, severity, hit.message, hit.spans,
                                    hit.value, hit.threshold, hit.advice, hit.matched))
    return Analysis(metrics, tuple(findings), decide(findings))


def decide(findings: list[Finding]) -> Decision:
    """Any block blocks, any hold holds, otherwise approve."""
    severities = {f.severity for f in findings}
    if "block" in severities:
        return "block"
    if "hold" in severities:
        return "hold"
    return "approve"


def status_for(decision: Decision, mode: ModerationMode) -> Literal["pending", "approved"]:
    """Turn a non-blocking decision into a comment status under the moderation mode.

    >>> status_for("hold", "none"), status_for("approve", "all"), status_for("approve", "flagged")
    ('pending', 'pending', 'approved')
    """
    if decision == "block":
        raise ValueError("a blocked comment is never stored")
    if decision == "hold" or mode == "all":
        return "pending"
    return "approved"
