"""LTI 1.3, the pure part: claim names, what a launch must carry, roles, and the messages the
tool sends (deep linking responses, scores, client assertions). No Flask, no SQLAlchemy."""

from moderation.lti.claims import (
    CLAIM,
    ClaimError,
    LaunchClaims,
    RoleChoice,
    check_claims,
    map_roles,
)

__all__ = ["CLAIM", "ClaimError", "LaunchClaims", "RoleChoice", "check_claims", "map_roles"]
