"""Text analysis: metrics, rules and the decision. Pure: no Flask, no SQLAlchemy."""

from moderation.analysis.context import Context, PriorComment
from moderation.analysis.findings import Finding, Hit
from moderation.analysis.metrics import TextMetrics, measure
from moderation.analysis.pipeline import ANALYSIS_VERSION, Analysis, analyze, status_for
from moderation.analysis.policy import Policy, PolicyError

__all__ = [
    "ANALYSIS_VERSION",
    "Analysis",
    "Context",
    "Finding",
    "Hit",
    "Policy",
    "PolicyError",
    "PriorComment",
    "TextMetrics",
    "analyze",
    "measure",
    "status_for",
]
