"""Invitations: a place in a course (student or TA) kept for an email until its holder proves it."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base, UTCDateTime, utcnow
from moderation.models.enums import Role, enum_column

if TYPE_CHECKING:
    from moderation.models.accounts import User
    from moderation.models.courses import Course


def new_nonce() -> str:
    """Return a fresh random value that the invitation's link must carry."""
    return secrets.token_urlsafe(16)


class Invitation(Base):
    __tablename__ = "invitation"
    # One open place per address and course; inviting again refreshes it.
    __table_args__ = (UniqueConstraint("course_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    # Lower-cased, as User.email.
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    # The name staff gave (a roster line, the TA form): offered when an account is created.
    display_name: Mapped[str | None] = mapped_column(String(120))
    section: Mapped[str | None] = mapped_column(String(120))
    lms_user_id: Mapped[str | None] = mapped_column(String(64))
    sis_user_id: Mapped[str | None] = mapped_column(String(64))
    sis_login_id: Mapped[str | None] = mapped_column(String(120))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The link carries it: a new one on every re-issue and on acceptance, so a link works
    # once and an old link stops when staff invite again.
    nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    course: Mapped[Course] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_open(self) -> bool:
        """Whether nobody has accepted it yet."""
        return self.accepted_at is None

    def __repr__(self) -> str:
        return f"<Invitation {self.email}@{self.course_id} {self.role}>"
