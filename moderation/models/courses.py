"""Courses and who belongs to them, with the LMS ids kept from the roster."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base, UTCDateTime, utcnow
from moderation.models.enums import Role, enum_column

if TYPE_CHECKING:
    from moderation.models.accounts import User
    from moderation.models.discussions import Discussion

# The most approvals new-student moderation may ask for before a student's comments follow
# the discussion's mode.
MAX_NEWCOMER_APPROVALS = 20


class Course(Base):
    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint(f"newcomer_approvals BETWEEN 0 AND {MAX_NEWCOMER_APPROVALS}",
                        name="newcomer_approvals"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    # The course's default analysis policy (analysis.Policy as JSON).
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The course's default rubric (a partial grading.Rubric as JSON), scaled to each
    # discussion's points possible.
    rubric: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # TAs moderate and grade; these let them also manage the course (settings, policy,
    # roster, staff) and export grades, when the instructor allows it.
    tas_manage: Mapped[bool] = mapped_column(default=False)
    tas_export: Mapped[bool] = mapped_column(default=False)
    # New-student moderation (Coral's pre-moderation of new commenters): a student's
    # comments wait for a person until this many of theirs in the course are approved,
    # then follow the discussion's mode. 0: off.
    newcomer_approvals: Mapped[int] = mapped_column(default=0, server_default="0")
    # The IANA zone the course's dates are typed and shown in (services.time_zones);
    # every instant is stored in UTC whatever it is.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="course")
    discussions: Mapped[list[Discussion]] = relationship(
        back_populates="course", order_by="Discussion.id"
    )

    def __repr__(self) -> str:
        return f"<Course {self.code}>"


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    section: Mapped[str | None] = mapped_column(String(120))
    # Kept exactly as the LMS roster gave them, so exports match the LMS.
    lms_user_id: Mapped[str | None] = mapped_column(String(64))
    sis_user_id: Mapped[str | None] = mapped_column(String(64))
    sis_login_id: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # A membership is nearly always shown with its user's name.
    user: Mapped[User] = relationship(back_populates="memberships", lazy="joined")
    course: Mapped[Course] = relationship(back_populates="memberships")

    def __repr__(self) -> str:
        return f"<Membership {self.user_id}@{self.course_id} {self.role}>"
