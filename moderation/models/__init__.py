"""The data model: typed SQLAlchemy 2 models, one module per idea."""

from moderation.models import search  # noqa: F401, E402 - the search index's DDL, with the tables
from moderation.models.accounts import User
from moderation.models.audit import AuditEvent
from moderation.models.base import Base, utcnow
from moderation.models.courses import Course, Membership
from moderation.models.discussions import Comment, Discussion, Flag, text_key
from moderation.models.enums import (
    CommentStatus,
    DiscussionState,
    ModerationMode,
    PostFirst,
    RejectionReason,
    Role,
    Severity,
)
from moderation.models.fingerprints import COMMON_FINGERPRINT, Fingerprint, FingerprintCount
from moderation.models.grades import Grade, SuggestionMark
from moderation.models.invitations import Invitation
from moderation.models.jobs import Job, JobState
from moderation.models.lti import (
    LtiContext,
    LtiDeployment,
    LtiEnrolment,
    LtiIdentity,
    LtiKey,
    LtiLaunch,
    LtiPlatform,
    LtiResourceLink,
    LtiScore,
    MemberStatus,
    SyncState,
)

__all__ = [
    "AuditEvent",
    "Base",
    "Comment",
    "CommentStatus",
    "Course",
    "Discussion",
    "COMMON_FINGERPRINT",
    "Fingerprint",
    "FingerprintCount",
    "DiscussionState",
    "Flag",
    "Grade",
    "SuggestionMark",
    "Invitation",
    "Job",
    "JobState",
    "LtiContext",
    "LtiDeployment",
    "LtiEnrolment",
    "LtiIdentity",
    "LtiKey",
    "LtiLaunch",
    "LtiPlatform",
    "LtiResourceLink",
    "LtiScore",
    "MemberStatus",
    "Membership",
    "ModerationMode",
    "PostFirst",
    "RejectionReason",
    "Role",
    "Severity",
    "SyncState",
    "User",
    "text_key",
    "utcnow",
]
