"""The audit log: append-only, in the database itself as well as in the code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from moderation.models.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_course_at", "course_id", "at"),
        Index("ix_audit_event_course_subject_at", "course_id", "subject_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    # The student the event is about (a comment's author, a grade's student), if any.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"


# Triggers that refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) of audit rows, whoever
# connects; migrations 0002 and 0007 run the same statements. A table's owner can still
# disable them, so production runs the app as a role that owns nothing
# (`moderation db grants ROLE`).
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
}
# Row triggers do not fire on TRUNCATE; a statement trigger does (PostgreSQL; SQLite has
# no TRUNCATE, and its DELETE trigger turns off the truncate optimisation). Kept apart from
# APPEND_ONLY, which migration 0002 runs as it was.
NO_TRUNCATE = {
    "postgresql": [
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ],
}

for _dialect in ("sqlite", "postgresql"):
    for _statement in APPEND_ONLY[_dialect] + NO_TRUNCATE.get(_dialect, []):
        _ddl = DDL(_statement)  # type: ignore[no-untyped-call]  # SQLAlchemy leaves DDL untyped
        event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect=_dialect))
