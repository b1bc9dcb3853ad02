"""Participation grades, one per student per discussion, with an optimistic lock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from moderation.models.accounts import User
    from moderation.models.discussions import Discussion


class Grade(Base):
    """A student's grade in one discussion.

    `suggested_score` and `breakdown` are the rubric's suggestion, kept current by
    services.grades.suggestions and never a person's decision; `score`, `feedback`,
    `quality_points` and `released` are what people set. `version_id` counts only those
    changes (the suggestion is written without the ORM), so a page that showed version N
    may save only while the grade is still at version N. Version 1 means no person has
    touched the grade yet.
    """

    __tablename__ = "grade"
    __table_args__ = (
        UniqueConstraint("discussion_id", "student_id"),
        CheckConstraint("score IS NULL OR score >= 0", name="score_not_negative"),
        CheckConstraint("quality_points IS NULL OR quality_points >= 0",
                        name="quality_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussion.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    suggested_score: Mapped[float | None] = mapped_column(Float)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    feedback: Mapped[str | None] = mapped_column(Text)
    # The instructor's quality judgement (the rubric's manual criterion), in points.
    quality_points: Mapped[float | None] = mapped_column(Float)
    # Who last changed what people set, and when (the suggestion does not count).
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released: Mapped[bool] = mapped_column(default=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Two tabs editing one grade: the second save fails with StaleDataError, not silently.
    version_id: Mapped[int] = mapped_column(default=1)

    discussion: Mapped[Discussion] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    grader: Mapped[User | None] = relationship(foreign_keys=[grader_id])

    __mapper_args__ = {"version_id_col": version_id}

    def __repr__(self) -> str:
        return f"<Grade {self.discussion_id}/{self.student_id} {self.score}>"


class SuggestionMark(Base):
    """A student's stored suggestion in a discussion that a submit has moved and nobody has
    refreshed yet (`services.grades.derived.catch_up` does, before any reader of the stored
    copy, and the worker within a minute).

    One row per (discussion, student), never one per course: a submit writes only its
    author's row, so a burst never queues on a row other students write. `seq` grows with
    each mark, so a refresh deletes only the mark it read, never one made after it.
    """

    __tablename__ = "suggestion_mark"

    discussion_id: Mapped[int] = mapped_column(
        ForeignKey("discussion.id", ondelete="CASCADE"), primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=1)

    def __repr__(self) -> str:
        return f"<SuggestionMark {self.discussion_id}/{self.student_id} #{self.seq}>"
