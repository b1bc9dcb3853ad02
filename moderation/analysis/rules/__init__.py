"""The rule registry: each rule is a small function registered with `@rule`.

A rule is `(text, metrics, context, policy) -> Iterable[Hit]`. Its docstring
carries examples the tests run, in pycodestyle's manner:

    Okay: a text the rule does not flag ("\\n" stands for a line break)
    Flag: a text the rule flags
    Policy: {"min_words": 3}      (a partial policy for the examples after it)
    Context: {"prompt": "..."}    (the context for the examples after it: prompt, own,
                                   classmates, late_minutes, is_reply)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from moderation.analysis.findings import Hit, Severity

if TYPE_CHECKING:
    from moderation.analysis.context import Context
    from moderation.analysis.metrics import TextMetrics
    from moderation.analysis.policy import Policy

RuleFunction = Callable[["str", "TextMetrics", "Context", "Policy"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: stable id, default severity, and the function."""

    id: str
    severity: Severity
    check: RuleFunction

    @property
    def doc(self) -> str:
        return self.check.__doc__ or ""


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under a stable id with its default severity."""

    def register(check: RuleFunction) -> RuleFunction:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id!r} registered twice")
        REGISTRY[rule_id] = Rule(rule_id, severity, check)
        return check

    return register


def load_all() -> dict[str, Rule]:
    """Import every rule module so the registry is complete."""
    from moderation.analysis.rules import (  # noqa: F401
        citations,
        length,
        links,
        offensive,
        privacy,
        readability,
        similarity,
        spelling,
        style,
        timing,
        wordlists,
    )

    return REGISTRY
