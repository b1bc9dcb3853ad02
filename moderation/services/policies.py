"""The effective analysis policy of a discussion: course defaults, then its overrides.

A policy stores only what differs from what it inherits (the course from the shipped
defaults, a discussion from its course), so everything else follows its base when the
base changes.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from moderation.analysis import Policy, PolicyError
from moderation.analysis.rules import known_rules_only
from moderation.extensions import db
from moderation.models import Course, Discussion, User
from moderation.services import audit
from moderation.services.errors import InvalidInput

# The word range has one home: each discussion's own columns, edited on its form.
WORD_RANGE_KEYS = ("min_words", "max_words", "reply_min_words", "reply_max_words")
LIST_KEYS = ("banned_words", "watched_words", "course_words")
MAX_LIST_ENTRIES = 1000
MAX_ENTRY_CHARS = 100
MAX_NUMBER = 100_000  # far above any sensible threshold; keeps JSON and the rules sane

# What a refusal calls each key, so the message beside a field reads as words.
NAMES = {
    "banned_words": "the banned words",
    "watched_words": "the watched words",
    "course_words": "the course words",
    "use_default_banned_words": "the shipped banned list",
    "min_grade": "the lowest reading grade",
    "max_grade": "the highest reading grade",
    "max_sentence_words": "the longest sentence",
    "offensive_threshold": "the offensive-language threshold",
    "max_links": "the most links",
    "shouting_ratio": "the share of capitals",
    "repeated_characters": "the repeated characters",
    "spelling_hold_per_100_words": "the misspellings per 100 words",
    "repeat_similarity": "the similarity to an own comment",
    "copied_similarity": "the similarity to a classmate's comment",
    "copied_prompt_words": "the words copied from the prompt",
}
_KEY = re.compile(r"\b(" + "|".join(map(re.escape, NAMES)) + r")\b")


def course_policy(course: Course) -> Policy:
    """Return the course's default policy."""
    return Policy.from_dict(course.policy or {})


def effective_policy(discussion: Discussion) -> Policy:
    """Return the policy the rules apply to comments in this discussion."""
    policy = Policy.from_dict(discussion.policy_overrides or {}, course_policy(discussion.course))
    return dataclasses.replace(policy, **{key: getattr(discussion, key)
                                          for key in WORD_RANGE_KEYS})


def validated(data: dict[str, Any], base: Policy | None = None) -> Policy:
    """Check a (partial) policy document; refuse it with the key at fault as the field."""
    for key in WORD_RANGE_KEYS:
        if key in data:
            raise InvalidInput("The word range is set on each discussion's settings form, "
                               "not in a policy.", field=key)
    try:
        policy = known_rules_only(Policy.from_dict(data, base))
    except PolicyError as error:
        message = _KEY.sub(lambda m: NAMES[m.group(1)], str(error))
        raise InvalidInput(message[:1].upper() + message[1:] + ".", field=error.key) from error
    for key in data:
        _check_bounds(key, getattr(policy, key))
    return policy


def _check_bounds(key: str, value: Any) -> None:
    """Refuse what the analysis would accept but nobody means: NaN, huge numbers, NULs."""
    name = NAMES.get(key, key)
    if isinstance(value, bool):
        return
    if isinstance(value, int | float) and not (math.isfinite(value)
                                               and abs(value) <= MAX_NUMBER):
        raise InvalidInput(f"Enter a number between -{MAX_NUMBER:,} and {MAX_NUMBER:,} for "
                           f"{name}.", field=key)
    if key in LIST_KEYS:
        if len(value) > MAX_LIST_ENTRIES:
            raise InvalidInput(f"Keep {name} to at most {MAX_LIST_ENTRIES:,} lines.", field=key)
        for entry in value:
            if len(entry) > MAX_ENTRY_CHARS or "\x00" in entry:
                raise InvalidInput(f"Each line of {name} must be at most {MAX_ENTRY_CHARS} "
                                   "characters, with no NUL character.", field=key)


def stored_form(policy: Policy, base: Policy) -> dict[str, Any]:
    """The values of `policy` that differ from `base`: all a policy needs to store."""
    mine, theirs = policy.to_dict(), base.to_dict()
    return {key: value for key, value in mine.items()
            if key not in WORD_RANGE_KEYS and not _same(key, value, theirs[key])}


def _same(key: str, a: Any, b: Any) -> bool:
    # Which rules are off is a set, whatever order a form or a file listed them in.
    return set(a) == set(b) if key == "disabled_rules" else bool(a == b)


def overridden(stored: dict[str, Any] | None) -> set[str]:
    """The keys a stored policy sets itself rather than inheriting."""
    return set(stored or {}) - set(WORD_RANGE_KEYS)


def set_course_policy(course: Course, actor: User, data: dict[str, Any]) -> bool:
    """Validate and store the course's default policy; return whether it changed."""
    policy = validated(data)
    return _store(course, "policy", stored_form(policy, Policy()), actor,
                  action="course.policy_set", course_id=course.id)


def set_discussion_policy(discussion: Discussion, actor: User, data: dict[str, Any]) -> bool:
    """Validate and store a discussion's overrides of the course policy; return if changed."""
    base = course_policy(discussion.course)
    policy = validated(data, base)
    return _store(discussion, "policy_overrides", stored_form(policy, base), actor,
                  action="discussion.policy_set", course_id=discussion.course_id)


def _store(obj: Course | Discussion, attribute: str, stored: dict[str, Any], actor: User, *,
           action: str, course_id: int) -> bool:
    before = getattr(obj, attribute) or {}
    if before == stored:
        return False  # nothing to answer for: no audit row for a save that changed nothing
    setattr(obj, attribute, stored)
    audit.record(action, actor=actor, course_id=course_id, obj=obj, before=before,
                 after=stored)
    db.session.flush()
    return True

