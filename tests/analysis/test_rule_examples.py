"""Every registered rule documents itself: its docstring examples run here (pycodestyle-style)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from moderation.analysis import Context, Policy, PriorComment
from moderation.analysis.metrics import measure
from moderation.analysis.rules import REGISTRY, RULE_ORDER

DUE = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)


@dataclass
class Example:
    rule: str
    text: str
    flagged: bool
    policy: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.rule}:{'Flag' if self.flagged else 'Okay'}:{self.text[:40]}"


def build_context(data: dict) -> Context:
    minutes = data.get("late_minutes")
    # A reply's own deadline, reply_late_minutes before the submission (the responses'
    # deadline stays late_minutes before it).
    reply_minutes = data.get("reply_late_minutes")
    submitted = DUE + timedelta(minutes=minutes) if minutes is not None else None
    return Context(
        is_reply=data.get("is_reply", False),
        prompt=data.get("prompt", ""),
        own_comments=tuple(PriorComment(i, "Me", t, "Week 1")
                           for i, t in enumerate(data.get("own", []))),
        classmate_comments=tuple(PriorComment(100 + i, "Amara Okafor", t)
                                 for i, t in enumerate(data.get("classmates", []))),
        due_at=DUE if minutes is not None else None,
        submitted_at=submitted,
        names=tuple(data.get("names", [])),
        replies_due_at=(submitted - timedelta(minutes=reply_minutes)
                        if submitted is not None and reply_minutes is not None else None),
    )


def examples() -> list[Example]:
    found = []
    for rule_id, rule in sorted(REGISTRY.items()):
        policy: dict = {}
        context: dict = {}
        for line in rule.doc.splitlines():
            line = line.strip()
            key, _, value = line.partition(": ")
            if line in ("Okay:", "Flag:"):
                key, value = line[:-1], ""
            if key == "Policy":
                policy = json.loads(value)
            elif key == "Context":
                context = json.loads(value)
            elif key in ("Okay", "Flag"):
                found.append(Example(rule_id, value.replace("\\n", "\n"), key == "Flag",
                                     policy, context))
    return found


EXAMPLES = examples()


def test_every_rule_is_in_the_pipeline_and_has_both_kinds_of_example():
    assert set(REGISTRY) == set(RULE_ORDER)
    for rule_id in REGISTRY:
        kinds = {e.flagged for e in EXAMPLES if e.rule == rule_id}
        assert kinds == {True, False}, f"{rule_id} needs an Okay: and a Flag: example"


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_rule_example(example: Example):
    rule = REGISTRY[example.rule]
    policy = Policy.from_dict(example.policy)
    hits = list(rule.check(example.text, measure(example.text),
                           build_context(example.context), policy))
    assert bool(hits) == example.flagged, hits
    for hit in hits:
        # Two readers: a neutral statement of what was found, and the student's next step.
        for words in (hit.message, hit.advice):
            assert words.strip() and words.rstrip()[-1] in ".?!", hit
        for start, end in hit.spans:
            assert 0 <= start < end <= len(example.text)
