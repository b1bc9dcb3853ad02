"""Statuses and roles, stored as their lower-case values with a CHECK constraint."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


class Role(enum.StrEnum):
    INSTRUCTOR = "instructor"
    TA = "ta"
    STUDENT = "student"

    @property
    def is_staff(self) -> bool:
        """Instructors and TAs moderate and grade."""
        return self in (Role.INSTRUCTOR, Role.TA)


class DiscussionState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ModerationMode(enum.StrEnum):
    """When a student's comment waits for a person (a revision always does).

    A third mode, "none", published what no rule held, exactly as "flagged" did; it was
    merged into "flagged" by migration 0006. Nothing waiting at all is a policy with the
    hold rules turned off.
    """

    ALL = "all"  # every comment waits for an instructor
    FLAGGED = "flagged"  # a comment waits when a rule holds it; the rest publish


class PostFirst(enum.StrEnum):
    """When a student may read classmates' comments in a discussion (staff always may).

    Canvas's "users must post before seeing replies", with the instructor's choice of
    whether the student's own response must be approved first.
    """

    OFF = "off"  # everyone reads every approved comment
    SUBMITTED = "submitted"  # once the student's own response is posted (waiting or not)
    APPROVED = "approved"  # once the student's own response is approved

    @property
    def label(self) -> str:
        return _POST_FIRST_LABELS[self]


_POST_FIRST_LABELS = {
    PostFirst.OFF: "Students see classmates' comments at once",
    PostFirst.SUBMITTED: "A student sees classmates' comments after posting a response",
    PostFirst.APPROVED: "A student sees classmates' comments once their response is approved",
}


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Severity(enum.StrEnum):
    BLOCK = "block"
    HOLD = "hold"
    NOTE = "note"

    @property
    def level(self) -> int:
        """3 for block, 2 hold, 1 note: a comment's flag_level is its highest."""
        return SEVERITY_LEVELS[self]


SEVERITY_LEVELS = {Severity.BLOCK: 3, Severity.HOLD: 2, Severity.NOTE: 1}


class RejectionReason(enum.StrEnum):
    """Why an instructor rejected a comment; the student sees the label."""

    OFF_TOPIC = "off_topic"
    TOO_SHORT = "too_short"
    INAPPROPRIATE = "inappropriate"
    COPIED = "copied"
    NEEDS_CITATION = "needs_citation"
    PERSONAL_INFO = "personal_info"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    RejectionReason.OFF_TOPIC: "Off topic",
    RejectionReason.TOO_SHORT: "Too short",
    RejectionReason.INAPPROPRIATE: "Inappropriate",
    RejectionReason.COPIED: "Copied",
    RejectionReason.NEEDS_CITATION: "Needs a citation",
    RejectionReason.PERSONAL_INFO: "Personal information",
    RejectionReason.OTHER: "Other",
}


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint of its values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )
