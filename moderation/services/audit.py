"""The audit log: one append-only row per change worth answering for."""

from __future__ import annotations

from typing import Any

from moderation.extensions import db
from moderation.models import AuditEvent, User


def record(
    action: str,
    *,
    actor: User | None,
    course_id: int | None = None,
    obj: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    subject_id: int | None = None,
    flush: bool = True,
) -> AuditEvent:
    """Append an audit event in the caller's transaction.

    `subject_id` is the student the event is about, so the log can be read per student.
    A caller writing many events at once passes `flush=False` and flushes once.
    """
    event = AuditEvent(
        subject_id=subject_id,
        action=action,
        actor_id=actor.id if actor else None,
        course_id=course_id,
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=getattr(obj, "id", None),
        before=before,
        after=after,
        reason=reason,
    )
    db.session.add(event)
    if flush:
        db.session.flush()
    return event
