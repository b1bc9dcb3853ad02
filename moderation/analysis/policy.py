"""Policy: thresholds, severities and word lists; course defaults, per-discussion overrides."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from moderation.analysis.findings import SEVERITIES, Severity


class PolicyError(ValueError):
    """A policy document that cannot be used; the message says why, `key` says where."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Policy:
    """Everything the rules read that an instructor may change."""

    # Rules switched off, and severities changed from each rule's default.
    disabled_rules: tuple[str, ...] = ()
    severities: dict[str, Severity] = field(default_factory=dict)
    # Length, per kind of comment (the discussion's word range fills these in).
    min_words: int = 75
    max_words: int = 600
    reply_min_words: int = 25
    reply_max_words: int = 300
    # Readability: Flesch-Kincaid grade band, and the longest sentence in words.
    min_grade: float = 4.0
    max_grade: float = 18.0
    max_sentence_words: int = 45
    # Word lists: whole words, case-insensitive, inflections included.
    banned_words: tuple[str, ...] = ()
    watched_words: tuple[str, ...] = ()
    use_default_banned_words: bool = True
    course_words: tuple[str, ...] = ()  # never misspellings
    # Offensive language: a sentence the classifier scores this high holds the comment;
    # from the note threshold up it is a note (see rules/offensive.py for the figures).
    offensive_threshold: float = 0.95
    offensive_note_threshold: float = 0.6
    max_links: int = 2
    shouting_ratio: float = 0.7
    repeated_characters: int = 4
    spelling_hold_per_100_words: float = 5.0
    repeat_similarity: float = 0.9
    copied_similarity: float = 0.8
    copied_prompt_words: int = 25

    def rule_enabled(self, rule_id: str) -> bool:
        """Return whether the rule runs under this policy."""
        return rule_id not in self.disabled_rules

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of every field."""
        data = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    def to_json(self) -> str:
        """Return the policy as a JSON document."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: Policy | None = None) -> Policy:
        """Validate a (partial) policy document and apply it over `base`."""
        base = base or cls()
        if not isinstance(data, dict):
            raise PolicyError("a policy must be a JSON object")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        changes: dict[str, Any] = {}
        for key, value in data.items():
            if key not in fields:
                raise PolicyError(f"unknown policy key {key!r}", key)
            changes[key] = _coerce(key, value, getattr(base, key))
        policy = dataclasses.replace(base, **changes)
        policy._check()
        return policy

    @classmethod
    def from_json(cls, text: str, base: Policy | None = None) -> Policy:
        """Parse and validate a JSON policy document."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"not valid JSON: {exc}") from exc
        return cls.from_dict(data, base)

    def _check(self) -> None:
        for rule_id, severity in self.severities.items():
            if severity not in SEVERITIES:
                raise PolicyError(f"severity of {rule_id!r} must be one of {SEVERITIES}",
                                  "severities")
        if not 0 <= self.min_words <= self.max_words:
            raise PolicyError("min_words must be between 0 and max_words", "min_words")
        if not 0 <= self.reply_min_words <= self.reply_max_words:
            raise PolicyError("reply_min_words must be between 0 and reply_max_words",
                              "reply_min_words")
        if self.min_grade > self.max_grade:
            raise PolicyError("min_grade must not exceed max_grade", "min_grade")
        if self.offensive_note_threshold > self.offensive_threshold:
            raise PolicyError("offensive_note_threshold must not exceed offensive_threshold",
                              "offensive_note_threshold")
        for name in ("offensive_threshold", "offensive_note_threshold", "shouting_ratio",
                     "repeat_similarity", "copied_similarity"):
            if not 0 <= getattr(self, name) <= 1:
                raise PolicyError(f"{name} must be between 0 and 1", name)
        for name in ("max_links", "max_sentence_words", "repeated_characters",
                     "copied_prompt_words", "spelling_hold_per_100_words"):
            if getattr(self, name) < 0:
                raise PolicyError(f"{name} must not be negative", name)


def _coerce(key: str, value: Any, current: Any) -> Any:
    """Check one value against the type of the field's current value."""
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise PolicyError(f"{key} must be true or false", key)
        return value
    if isinstance(current, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyError(f"{key} must be a whole number", key)
        return value
    if isinstance(current, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PolicyError(f"{key} must be a number", key)
        return float(value)
    if isinstance(current, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PolicyError(f"{key} must be a list of strings", key)
        return tuple(v.strip() for v in value if v.strip())
    if isinstance(current, dict):
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise PolicyError(f"{key} must map rule ids to severities", key)
        return dict(value)
    raise PolicyError(f"{key} cannot be set", key)  # pragma: no cover - every field is typed above
