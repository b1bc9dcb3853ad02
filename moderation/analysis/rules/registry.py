"""What a rule is: a small function registered with `@rule` under a stable id.

A rule is `(text, metrics, context, policy) -> Iterable[Hit]`. Its docstring
carries examples the tests run, in pycodestyle's manner:

    Okay: a text the rule does not flag ("\\n" stands for a line break)
    Flag: a text the rule flags
    Policy: {"min_words": 3}      (a partial policy for the examples after it)
    Context: {"prompt": "..."}    (the context for the examples after it: prompt, own,
                                   classmates, late_minutes, is_reply, names)
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
    """A rule: stable id, default severity, and the function that checks a text."""

    id: str
    severity: Severity
    check: RuleFunction

    @property
    def doc(self) -> str:
        return self.check.__doc__ or ""


def rule(rule_id: str, severity: Severity) -> Callable[[RuleFunction], Rule]:
    """Make a rule of a check function, under a stable id with its default severity."""

    def register(check: RuleFunction) -> Rule:
        return Rule(rule_id, severity, check)

    return register
