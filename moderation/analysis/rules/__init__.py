"""The rules, in the order they run: the one list where a rule is named besides its module.

Importing this package makes the registry complete; each module defines its rules
with `@rule` (see `registry.py`) and this list puts them in order.
"""

from __future__ import annotations

from moderation.analysis.policy import Policy, PolicyError
from moderation.analysis.rules import (
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
from moderation.analysis.rules.registry import Rule

# The order rules run in, and so the order a student reads their findings.
RULES: tuple[Rule, ...] = (
    # Refusals first: a student fixes these before anything else matters.
    wordlists.banned_words,  # block: the course's and the default banned lists
    # Holds: the comment waits for an instructor.
    privacy.personal_info,  # an email or phone number, for the student's safety
    offensive.offensive,  # an insult with no banned word
    wordlists.profanity,  # the shipped list's entries that are not refused
    wordlists.watched_words,  # the course's watched list
    length.too_short,  # the discussion's word range
    length.too_long,
    citations.empty_citation,  # "According to , the ..."
    similarity.copied,  # a classmate's comment or a long passage of the prompt
    similarity.repeat,  # the author's own earlier comment
    links.links,  # too many, or not http(s)
    # Notes (spelling holds when there are many): feedback for the student and the grader.
    spelling.spelling,
    readability.readability,
    readability.run_on_sentence,
    style.shouting,
    style.repeated_characters,
    timing.late,
)

REGISTRY: dict[str, Rule] = {r.id: r for r in RULES}
assert len(REGISTRY) == len(RULES), "two rules share an id"
RULE_ORDER: tuple[str, ...] = tuple(REGISTRY)



def known_rules_only(policy: Policy) -> Policy:
    """Return `policy` if every rule it names is registered; refuse it otherwise.

    Checked where a person writes a policy (the policy page, the CLI), not where a stored
    one is read: the policy is data and knows no rules, so a rule retired later cannot
    stop a course's stored policy from loading.
    """
    for key, rule_ids in (("disabled_rules", policy.disabled_rules),
                          ("severities", tuple(policy.severities))):
        for rule_id in rule_ids:
            if rule_id not in REGISTRY:
                raise PolicyError(f"unknown rule {rule_id!r}", key)
    return policy


__all__ = ["REGISTRY", "RULES", "RULE_ORDER", "Rule", "known_rules_only"]
