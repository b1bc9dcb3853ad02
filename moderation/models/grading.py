"""Participation grades, one per student per discussion, with an optimistic lock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from moderation.models.accounts import User
    from moderation.models.discussions import Discussion


class Grade(Base):
    __tablename__ = "grade"
    __table_args__ = (
        UniqueConstraint("discussion_id", "student_id"),
        CheckConstraint("score IS NULL OR score >= 0", name="score_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussion.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    suggested_score: Mapped[float | None] = mapped_column(Float)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    feedback: Mapped[str | None] = mapped_column(Text)
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    released: Mapped[bool] = mapped_column(default=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Two tabs editing one grade: the second save fails with StaleDataError, not silently.
    version_id: Mapped[int] = mapped_column(default=1)

    discussion: Mapped[Discussion] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])

    __mapper_args__ = {"version_id_col": version_id}

    def __repr__(self) -> str:
        return f"<Grade {self.discussion_id}/{self.student_id} {self.score}>"
