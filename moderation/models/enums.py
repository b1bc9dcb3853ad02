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
    ALL = "all"  # every comment waits for an instructor
    FLAGGED = "flagged"  # only flagged comments wait
    NONE = "none"  # nothing waits unless a rule holds it


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Severity(enum.StrEnum):
    BLOCK = "block"
    HOLD = "hold"
    NOTE = "note"


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
