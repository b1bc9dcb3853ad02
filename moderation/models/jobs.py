"""Jobs: work nobody waits for, recorded in the same transaction as the change that needs it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from moderation.models.base import Base, UTCDateTime, utcnow
from moderation.models.enums import enum_column


class JobState(enum.StrEnum):
    WAITING = "waiting"  # to run from not_before on
    RUNNING = "running"  # a consumer holds it until lease_until (then it may run again)
    DONE = "done"
    FAILED = "failed"  # out of attempts, or refused for good; someone may try it again


OPEN_STATES = (JobState.WAITING, JobState.RUNNING)


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        # What a consumer looks for: waiting work that is due, and leases that ran out.
        Index("ix_job_state_not_before", "state", "not_before"),
        Index("ix_job_course_created", "course_id", "created_at"),
        # One open job per key (one rescore of a course at a time, one LMS send).
        Index("uq_job_dedupe_open", "dedupe_key", unique=True,
              sqlite_where=text("state IN ('waiting', 'running')"),
              postgresql_where=text("state IN ('waiting', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[JobState] = mapped_column(enum_column(JobState, "job_state"),
                                            default=JobState.WAITING)
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    # Whom a failure concerns: the course's staff (a rescore, an LMS send), else the admin.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state}>"
