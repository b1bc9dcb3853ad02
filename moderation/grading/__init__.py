"""Participation grading: the rubric and the suggested score. Pure: no Flask, no SQLAlchemy."""

from moderation.grading.citations import cites_source
from moderation.grading.rubric import (
    CRITERIA,
    LABELS,
    LATE_POLICIES,
    LATE_REPLIES,
    REPLIES_PARTIAL,
    Criterion,
    Effective,
    Rubric,
    RubricError,
    effective,
    hundredths,
)
from moderation.grading.suggest import (
    QUALITY_RULES,
    CommentFacts,
    Expectations,
    Line,
    Suggestion,
    breakdown_lines,
    line_text,
    suggest,
)

__all__ = [
    "CRITERIA",
    "LABELS",
    "LATE_POLICIES",
    "LATE_REPLIES",
    "QUALITY_RULES",
    "REPLIES_PARTIAL",
    "CommentFacts",
    "Criterion",
    "Effective",
    "Expectations",
    "Line",
    "Rubric",
    "RubricError",
    "Suggestion",
    "breakdown_lines",
    "cites_source",
    "effective",
    "hundredths",
    "line_text",
    "suggest",
]
